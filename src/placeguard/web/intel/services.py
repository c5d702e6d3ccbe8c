"""All writes of the intelligence app, and the aggregate analyses it serves.

:func:`create_dataset` validates the upload form (every problem at once), stores the dataset
``queued`` with its audit event in one transaction, saves the uploaded file into the
dataset's folder and enqueues the background import (django-tasks). :func:`execute_import`
runs :func:`placeguard.engines.intel.store.import_file` (read → validate → urban flag →
partitioned Parquet, all or nothing): a file with bad rows leaves no rows behind and its
problems (file, row, column, problem) are stored on the dataset. The uploaded file itself is
deleted once the import ends.

Analyses (:func:`trend_report`, :func:`assess`) return aggregates only, each carrying the
source attribution; no function here returns incident rows.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    ConflictError,
    FieldError,
    ImportValidationError,
    NotFoundError,
    PermissionDeniedError,
    PlaceguardError,
    ValidationError,
)
from placeguard.web.audit import services as audit
from placeguard.web.intel.access import can_analyse, visible_to
from placeguard.web.intel.choices import DatasetSource, DatasetStatus
from placeguard.web.intel.models import Dataset
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.models import Organisation, User

__all__ = [
    "AGGREGATES_ONLY",
    "MAX_PROBLEMS",
    "ReportQuery",
    "assess",
    "attribution",
    "create_dataset",
    "declared_defaults",
    "delete_dataset",
    "enqueue_import",
    "execute_import",
    "get_dataset_for",
    "open_table",
    "report_html",
    "trend_report",
]

logger = logging.getLogger(__name__)

#: Problems kept on a failed dataset (the message gives the total).
MAX_PROBLEMS = 500
#: Stated on every page and export.
AGGREGATES_ONLY = (
    "Only aggregates are shown: yearly counts, rates and intervals. Imported rows are never "
    "displayed, exported or shared outside the importing organisation."
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _resamples() -> int:
    return int(getattr(settings, "PLACEGUARD_INTEL_RESAMPLES", 2000))


# ------------------------------------------------------------------ reads
def get_dataset_for(user: User, dataset_id: int | str, *, analyse: bool = False) -> Dataset:
    """A dataset the user sees (NotFoundError), optionally one they may analyse (403)."""
    try:
        dataset = visible_to(user).select_related("owner", "created_by").get(pk=int(dataset_id))
    except (Dataset.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Dataset not found.")) from None
    if analyse and not can_analyse(user):
        raise PermissionDeniedError(_("Only analysts of law enforcement or authorities may "
                                      "analyse incident datasets."))  # fmt: skip
    return dataset


def attribution(dataset: Dataset) -> str:
    """The source attribution every page and export of ``dataset`` carries."""
    from placeguard.engines.intel.stats.source import ATTRIBUTION

    if dataset.source == DatasetSource.CSV:
        return _("National incident log imported by %(org)s. Aggregates only.") % {
            "org": dataset.owner.name
        }
    return ATTRIBUTION.get(dataset.source, dataset.get_source_display())


# ------------------------------------------------------------------ writes
def _adapter_source(path: Path, source: str) -> str:
    if source == DatasetSource.CSV:
        return "custom"
    if source == DatasetSource.GDELT:
        with path.open("rb") as fh:
            first = fh.readline()
        return "gdelt2" if first.count(b"\t") + 1 >= 61 else "gdelt1"
    return source


def _parse_mapping(text: str) -> Any:
    """The custom-CSV mapping (YAML or JSON text) or a PlaceguardError naming its problems."""
    import yaml

    from placeguard.engines.intel.adapters.custom import parse_mapping

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlaceguardError(_("The mapping is not valid YAML/JSON: %(e)s") % {"e": exc}) from exc
    return parse_mapping(doc, "mapping")


def _snapshot(dataset: Dataset) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "source": dataset.source,
        "file_name": dataset.file_name,
        "status": dataset.status,
        "row_count": dataset.row_count,
        "licence": dataset.licence,
    }


def _upload_problems(name: str, source: str, file_name: str, mapping_text: str) -> list[FieldError]:
    """Every problem of an upload form, at once."""
    problems: list[FieldError] = []
    if not name:
        problems.append(FieldError("name", _("This field is required.")))
    elif len(name) > 200:
        problems.append(FieldError("name", _("at most 200 characters")))
    if source not in DatasetSource.values:
        choices = ", ".join(DatasetSource.values)
        problems.append(FieldError("source", _("must be one of: %(v)s") % {"v": choices}))
    if not file_name:
        problems.append(FieldError("file", _("Choose a file to import.")))
    if source == DatasetSource.CSV:
        if not mapping_text:
            problems.append(FieldError("mapping", _("A column mapping is required for CSV.")))
        else:
            try:
                _parse_mapping(mapping_text)
            except PlaceguardError as exc:
                problems.append(FieldError("mapping", exc.message))
    elif mapping_text:
        problems.append(FieldError("mapping", _("A mapping is only used with the CSV source.")))
    return problems


def create_dataset(
    *,
    actor: User | None,
    owner: Organisation | None = None,
    name: str,
    source: str,
    file_name: str,
    data: IO[bytes] | None,
    mapping_text: str = "",
    run: bool = True,
) -> Dataset:
    """Validate the upload, store the dataset ``queued`` with its audit event, save the file
    and enqueue its import (``run=False``: the caller runs :func:`execute_import`).

    Raises ValidationError listing every problem of the form (nothing stored);
    PermissionDeniedError when ``actor`` is not a national analyst. ``owner`` defaults to the
    actor's organisation (required when ``actor`` is None, the system).
    """
    if actor is not None:
        if not can_analyse(actor):
            raise PermissionDeniedError(_("Only analysts of law enforcement or authorities may "
                                          "import incident datasets."))  # fmt: skip
        owner = active_org(actor)
    if owner is None:
        raise ValidationError(
            _("An owner organisation is required."),
            errors=[FieldError("owner", _("This field is required."))],
        )
    name = (name or "").strip()
    safe = _SAFE_NAME.sub("_", Path(file_name or "").name).strip("._")[:200]
    mapping_text = (mapping_text or "").strip()
    problems = _upload_problems(name, source, safe if data is not None else "", mapping_text)
    if problems:
        raise ValidationError(
            _("The upload has %(n)d problem(s); nothing was imported.") % {"n": len(problems)},
            errors=problems,
        )
    assert data is not None
    with transaction.atomic():
        dataset = Dataset.objects.create(
            owner=owner,
            name=name,
            source=source,
            file_name=safe,
            mapping_text=mapping_text,
            status=DatasetStatus.QUEUED,
            progress_message=_("Waiting for a worker"),
            created_by=actor,
        )
        audit.record(actor=actor, action="intel_dataset.create", obj=dataset,
                     diff=audit.diff_fields(None, _snapshot(dataset)))  # fmt: skip
    shutil.rmtree(dataset.folder, ignore_errors=True)  # a stale folder of a wiped database
    upload = dataset.folder / "upload"
    upload.mkdir(parents=True, exist_ok=True)
    with (upload / safe).open("wb") as out:
        chunked = getattr(data, "chunks", None)  # a Django UploadedFile streams in chunks
        chunks: Iterable[bytes] = chunked() if chunked else iter(lambda: data.read(1 << 20), b"")
        for chunk in chunks:
            out.write(chunk)
    if run:
        enqueue_import(dataset)
        dataset.refresh_from_db()
    return dataset


def delete_dataset(dataset: Dataset, *, actor: User) -> None:
    """Delete a dataset: its row (with its withdrawn threat sources) and its Parquet store.

    Only analysts of the owner organisation may (others: NotFoundError when they cannot see
    it, PermissionDeniedError when they can). Refused with ConflictError while an import runs
    or while a threat source built from it is active — withdraw the source first, so that no
    assessment silently changes its threat basis. The audit event keeps what was deleted.
    """
    dataset = get_dataset_for(actor, dataset.pk)
    if not can_analyse(actor):
        raise PermissionDeniedError(_("Only analysts of the organisation that imported the "
                                      "dataset may delete it."))  # fmt: skip
    folder = dataset.folder
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if dataset.status == DatasetStatus.RUNNING:
            raise ConflictError(_("The import is running; delete the dataset once it ends."))
        active = list(dataset.threat_sources.filter(active=True).select_related("region"))
        if active:
            scopes = ", ".join(s.region.name if s.region else s.country_code for s in active)
            raise ConflictError(_("This dataset is the active threat source for site "
                                  "assessments in %(s)s; withdraw that source first.")
                                % {"s": scopes})  # fmt: skip
        gone = _snapshot(dataset)
        audit.record(actor=actor, action="intel_dataset.delete", obj=dataset,
                     diff=audit.diff_fields(gone, dict.fromkeys(gone)))  # fmt: skip
        dataset.delete()
    shutil.rmtree(folder, ignore_errors=True)


def enqueue_import(dataset: Dataset) -> None:
    """Hand the import to the background worker (synchronous with the immediate backend)."""
    from placeguard.web.intel.tasks import import_dataset

    try:
        import_dataset.enqueue(dataset.pk)
    except Exception as exc:
        logger.exception("could not enqueue intel dataset %s", dataset.pk)
        _finish(dataset.pk, DatasetStatus.FAILED, message=_("The import could not be queued: "
                                                            "%(e)s") % {"e": exc})  # fmt: skip


def _set_progress(dataset_id: int, percent: int, message: str) -> None:
    Dataset.objects.filter(pk=dataset_id, status=DatasetStatus.RUNNING).update(
        progress=max(0, min(int(percent), 99)), progress_message=str(message)[:300]
    )


def _finish(dataset_id: int, status: str, *, message: str, **fields: Any) -> None:
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().filter(pk=dataset_id).first()
        if dataset is None:
            return
        before = _snapshot(dataset)
        dataset.status = status
        dataset.progress = 100
        dataset.progress_message = message[:300]
        dataset.finished_at = timezone.now()
        for key, value in fields.items():
            setattr(dataset, key, value)
        dataset.save()
        audit.record(actor=None, action="intel_dataset.finish", obj=dataset,
                     diff=audit.diff_fields(before, _snapshot(dataset)))  # fmt: skip


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return max(1, sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")))


def facets_of(store: Path) -> dict[str, Any]:
    """Filter values found in a store: categories, attack modes, regions, years, urban flag."""
    from placeguard.engines.intel.store import open_store

    table = open_store(store)

    def distinct(expr: Any) -> list[str]:
        values = table.select(v=expr).distinct().to_pyarrow().column("v").to_pylist()
        return sorted(str(v) for v in values if v is not None and str(v))

    span = table.aggregate(lo=table.year.min(), hi=table.year.max()).to_pyarrow().to_pylist()[0]
    has_urban = "urban" in table.columns and bool(
        table.filter(table.urban.notnull()).count().to_pyarrow().as_py()
    )
    return {
        "categories": distinct(table.target_categories.unnest()),
        "scenarios": distinct(table.attack_modes.unnest()),
        "regions": distinct(table.region),
        "years": [int(span["lo"]), int(span["hi"])],
        "urban": has_urban,
    }


def execute_import(dataset_id: int) -> None:
    """Import a queued dataset's file into its store; record rows, facets or problems.

    A dataset that is not queued is left alone (a task delivered twice runs once).
    """
    from placeguard.engines.intel.store import import_file

    with transaction.atomic():
        claimed = Dataset.objects.filter(pk=dataset_id, status=DatasetStatus.QUEUED).update(
            status=DatasetStatus.RUNNING, progress=1, progress_message=_("Reading the file")
        )
    if not claimed:
        return
    dataset = Dataset.objects.get(pk=dataset_id)
    upload = dataset.folder / "upload" / dataset.file_name
    try:
        total = _count_lines(upload)
        done = [0, -1]

        def progress(n: int) -> None:
            done[0] += n
            percent = min(90, int(90 * done[0] / total))
            if percent != done[1]:
                done[1] = percent
                _set_progress(dataset_id, percent, _("Read %(n)d rows") % {"n": done[0]})

        mapping = _parse_mapping(dataset.mapping_text) if dataset.mapping_text else None
        result = import_file(upload, _adapter_source(upload, dataset.source),
                             dataset.store_path, mapping=mapping, progress=progress)  # fmt: skip
        _set_progress(dataset_id, 95, _("Indexing filters"))
        facets = facets_of(dataset.store_path) if result.batch.rows else {}
        _finish(dataset_id, DatasetStatus.DONE,
                message=_("Imported %(n)d incidents") % {"n": result.batch.rows},
                row_count=result.batch.rows, licence=",".join(result.batch.licences)[:100],
                facets=facets, problems=[])  # fmt: skip
    except ImportValidationError as exc:
        rows = [{"file": dataset.file_name, "row": r.row or None, "column": r.column,
                 "problem": r.message} for r in exc.rows[:MAX_PROBLEMS]]  # fmt: skip
        shutil.rmtree(dataset.store_path, ignore_errors=True)
        _finish(dataset_id, DatasetStatus.FAILED,
                message=_("%(n)d problem(s) found; nothing was imported.") % {"n": len(exc.rows)},
                problems=rows)  # fmt: skip
    except PlaceguardError as exc:
        shutil.rmtree(dataset.store_path, ignore_errors=True)
        _finish(dataset_id, DatasetStatus.FAILED, message=exc.message,
                problems=[{"file": dataset.file_name, "row": None, "column": "",
                           "problem": exc.message}])  # fmt: skip
    except Exception as exc:
        logger.exception("intel dataset %s failed", dataset_id)
        shutil.rmtree(dataset.store_path, ignore_errors=True)
        _finish(dataset_id, DatasetStatus.FAILED,
                message=_("The import stopped unexpectedly (%(type)s: %(e)s).")
                % {"type": type(exc).__name__, "e": exc})  # fmt: skip
    finally:
        shutil.rmtree(dataset.folder / "upload", ignore_errors=True)


# ------------------------------------------------------------------ analyses
@dataclass(frozen=True, slots=True)
class ReportQuery:
    """Filters and options of a dashboard (``breaks`` None: the dataset's declared ones)."""

    by: str = "category"
    category: str | None = None
    scenario: str | None = None
    region: str | None = None
    urban: bool | None = None
    years: tuple[int, int] | None = None
    split_year: int | None = None
    breaks: tuple[int, ...] | None = None

    def key(self) -> str:
        """A cache key part."""
        return repr(self)


def declared_defaults(dataset: Dataset) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The dataset's declared collection breaks and uncovered years."""
    from placeguard.engines.intel.stats.source import DATASET_DEFAULTS, DatasetDefaults

    base = DATASET_DEFAULTS.get(dataset.source, DatasetDefaults())
    return base.breaks, base.missing_years


def open_table(dataset: Dataset) -> Any:
    """The dataset's store as an Ibis table (NotFoundError when nothing was imported).

    For aggregation only: callers must never return its rows.
    """
    from placeguard.engines.intel.store import open_store

    if dataset.status != DatasetStatus.DONE or not dataset.row_count:
        raise NotFoundError(_("This dataset has no imported incidents."))
    return open_store(dataset.store_path)


def trend_report(dataset: Dataset, query: ReportQuery | None = None) -> dict[str, Any]:
    """The trend report (the JSON ``placeguard intel trends`` prints) for ``dataset``, cached.

    Raises ValidationError on filters that select nothing or an unknown ``by``.
    """
    from placeguard.engines.intel.stats.aggregate import By, Filters
    from placeguard.engines.intel.stats.trend_report import ReportOptions, build_report

    query = query or ReportQuery()
    breaks, missing = declared_defaults(dataset)
    if query.breaks is not None:
        breaks = query.breaks
    if query.urban is not None and not dataset.facets.get("urban"):
        query = replace(query, urban=None)
    raw_key = f"{dataset.pk}:{dataset.finished_at}:{_resamples()}:{query.key()}:{breaks}"
    cache_key = "intel-report:" + hashlib.sha256(raw_key.encode()).hexdigest()
    cached = cache.get(cache_key)
    if cached is not None:
        return dict(cached)
    try:
        by = By(query.by)
    except ValueError:
        raise ValidationError(
            _("Invalid breakdown."),
            errors=[
                FieldError("by", _("must be one of: %(v)s") % {"v": ", ".join(b.value for b in By)})
            ],
        ) from None
    options = ReportOptions(
        by=by,
        split_year=query.split_year,
        breaks=breaks,
        missing_years=missing,
        filters=Filters(
            category=query.category,
            scenario=query.scenario,
            region=query.region,
            urban=query.urban,
            years=query.years,
        ),
        resamples=_resamples(),
    )
    try:
        doc = build_report(open_table(dataset), options, source=dataset.source,
                           attribution=attribution(dataset))  # fmt: skip
    except ValueError as exc:
        raise ValidationError(str(exc), errors=[FieldError("filters", str(exc))]) from exc
    except ArithmeticError as exc:  # a model that cannot be fitted on a very sparse selection
        msg = _("The selection is too sparse for the trend models (%(e)s); widen the filters.")
        raise ValidationError(msg % {"e": exc}, errors=[FieldError("filters", str(exc))]) from exc
    doc["dataset"] = {"id": dataset.pk, "name": dataset.name, "licence": dataset.licence}
    doc["notice"] = AGGREGATES_ONLY
    cache.set(cache_key, doc, 3600)
    return doc


#: Map cells: 0.5° squares; cells under this many attacks are not drawn (small-cell suppression).
MAP_CELL_DEG = 0.5
MAP_MIN_ATTACKS = 3


def map_cells(dataset: Dataset, query: ReportQuery | None = None) -> dict[str, Any]:
    """Attacks and deaths per 0.5° grid cell under the dashboard's filters — aggregates only;
    see :mod:`placeguard.engines.intel.stats.geo` for the suppression rule."""
    from placeguard.engines.intel.stats.aggregate import Filters
    from placeguard.engines.intel.stats.geo import grid_cells

    query = query or ReportQuery()
    urban = query.urban if dataset.facets.get("urban") else None
    filters = Filters(category=query.category, scenario=query.scenario, region=query.region,
                      urban=urban, years=query.years)  # fmt: skip
    try:
        grid = grid_cells(open_table(dataset), filters, cell_deg=MAP_CELL_DEG,
                          min_attacks=MAP_MIN_ATTACKS)  # fmt: skip
    except ValueError as exc:
        raise ValidationError(str(exc), errors=[FieldError("filters", str(exc))]) from exc
    return {
        "cell_deg": grid.cell_deg,
        "min_attacks": grid.min_attacks,
        "cells": [
            {
                "lat": c.lat,
                "lon": c.lon,
                "attacks": c.attacks,
                "deaths": c.deaths,
                "known_deaths": c.known_deaths,
            }
            for c in grid.cells
        ],
        "suppressed_attacks": grid.suppressed_attacks,
        "without_coordinates": grid.without_coordinates,
    }


def report_html(doc: dict[str, Any]) -> str:
    """The self-contained HTML trend report of the engine (aggregates only); its attribution
    line also states that only aggregates are shown."""
    from placeguard.engines.intel.report import render_trend_report

    note = " ".join(x for x in (doc.get("attribution"), doc.get("notice", AGGREGATES_ONLY)) if x)
    return render_trend_report({**doc, "attribution": note})


def assess(
    dataset: Dataset,
    *,
    metric: str,
    direction: str = "increase",
    category: str | None = None,
    urban: bool | None = None,
    region: str | None = None,
    split_year: int | None = None,
) -> dict[str, Any]:
    """Test a claim on ``dataset``: the verdict with estimate, interval, checks, definitions."""
    from placeguard.engines.intel.stats.claims import Claim, Direction, Metric, assess_claim

    problems = []
    if metric not in {m.value for m in Metric}:
        problems.append(FieldError("metric", _("Unknown metric.")))
    if direction not in {d.value for d in Direction}:
        problems.append(FieldError("direction", _("Unknown direction.")))
    if urban is not None and not dataset.facets.get("urban"):
        problems.append(FieldError("urban", _("This dataset has no urban flag.")))
    if problems:
        raise ValidationError(_("The claim is not valid."), errors=problems)
    breaks, missing = declared_defaults(dataset)
    claim = Claim(metric=Metric(metric), direction=Direction(direction), category=category,
                  urban=urban, region=region, split_year=split_year)  # fmt: skip
    try:
        result = assess_claim(open_table(dataset), claim, breaks=breaks, missing_years=missing,
                              resamples=_resamples(), source=dataset.source)  # fmt: skip
    except (ValueError, IndexError, ArithmeticError) as exc:
        raise ValidationError(
            _("The claim cannot be tested on this selection: %(e)s") % {"e": exc},
            errors=[FieldError("claim", str(exc))],
        ) from exc
    doc = result.as_dict()
    doc["attribution"] = attribution(dataset)
    doc["notice"] = AGGREGATES_ONLY
    return doc
