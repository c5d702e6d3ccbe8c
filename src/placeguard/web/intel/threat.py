"""Threat sources: an imported dataset's attack rates feeding the site assessments of a scope.

Writes (:func:`publish_threat_source`, :func:`deactivate_threat_source`) follow the house rule:
keyword-only ``actor``, every problem reported at once before anything is written, the change
and its audit event in one transaction.

**Who publishes for whom.** An analyst of a vetted law-enforcement organisation publishes one
of its own datasets for a region of its jurisdiction; an analyst of a vetted authority for any
region of its country or for the country as a whole. At most one source is active per scope:
publishing again for a scope replaces the organisation's own active source there (it is
deactivated, audited) and is refused (409) when another organisation's source is active there.

**What flows.** When the source is published the dataset's empirical-Bayes attack rates
(:func:`placeguard.engines.intel.stats.likelihood.likelihoods`, country level, window since the
last collection break) are computed once and the rates of the chosen data country are cached
on the source as aggregates — rate, interval, events and exposure per (target category, attack
mode). An assessment reads those cached numbers (:func:`threat_for_site`); it never opens the
dataset, and an operator never sees the dataset itself, only the provenance line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.engines.risk.intel_threat import ThreatLikelihood
from placeguard.web.audit import services as audit
from placeguard.web.intel.access import can_analyse, sources_visible_to
from placeguard.web.intel.choices import DatasetSource, DatasetStatus
from placeguard.web.intel.models import Dataset, ThreatSource
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import OrgKind
from placeguard.web.orgs.models import Organisation, Region, User

if TYPE_CHECKING:
    from placeguard.web.sites.models import Site

__all__ = [
    "MAX_HORIZON",
    "SiteThreat",
    "active_source_for",
    "compute_cells",
    "deactivate_threat_source",
    "default_window",
    "get_source_for",
    "likelihoods_from_record",
    "publish_threat_source",
    "publishable_regions",
    "site_types",
    "threat_for_site",
]

MAX_HORIZON = 30
#: Short dataset names for the provenance line of an assessment.
SHORT_SOURCE: dict[str, str] = {
    DatasetSource.GTD: "GTD",
    DatasetSource.ACLED: "ACLED",
    DatasetSource.RDWTI: "RDWTI",
    DatasetSource.UCDP: "UCDP GED",
    DatasetSource.GDELT: "GDELT",
    DatasetSource.CSV: "national log",
}
_CELL_FIELDS = ("region", "category", "scenario", "events", "years", "raw_rate", "rate", "low",
                "high", "prior_mean", "weight")  # fmt: skip


def site_types() -> list[tuple[str, str]]:
    """(value, label) of every site type, in the order of the vocabulary."""
    from placeguard.web.sites.choices import SiteType

    return [(str(v), str(label)) for v, label in SiteType.choices]


# ------------------------------------------------------------------ computation (aggregates)
def default_window(dataset: Dataset) -> tuple[int, int]:
    """The years collected the same way: from the last declared break inside the data (or the
    first year) to the last year — as ``placeguard intel likelihoods`` does by default."""
    from placeguard.web.intel.services import declared_defaults

    lo, hi = (int(y) for y in dataset.facets.get("years", [0, 0]))
    breaks, _missing = declared_defaults(dataset)
    after = [b for b in breaks if lo < b <= hi]
    return (max(after) if after else lo, hi)


def compute_cells(
    dataset: Dataset, *, data_country: str, years: tuple[int, int] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The shrunk attack rates of ``data_country`` per (category, attack mode), and their
    provenance — aggregates only, computed by the engine from the dataset's store.

    Raises ValidationError when the country has no incident in the window.
    """
    from placeguard.engines.intel.crosswalk import load_crosswalk
    from placeguard.engines.intel.stats.likelihood import Provenance, likelihoods
    from placeguard.web.intel.services import declared_defaults, open_table

    breaks, missing = declared_defaults(dataset)
    span = years or default_window(dataset)
    cells = likelihoods(open_table(dataset), years=span, missing_years=missing)
    mine = [c for c in cells if c.country == data_country]
    if not mine:
        raise ValidationError(
            _("The dataset has no incident in %(c)s in %(a)d–%(b)d; nothing was published.")
            % {"c": data_country, "a": span[0], "b": span[1]},
            errors=[FieldError("data_country", _("No incident of this country in the window."))],
        )
    region = mine[0].region
    provenance = Provenance(
        dataset=dataset.name,
        release=None,
        filters=_("incidents in %(c)s, shrunk towards the mean of %(r)s")
        % {"c": data_country, "r": region},
        breaks=tuple(breaks),
        years=span,
        crosswalk_version=load_crosswalk().version,
    )
    out = [{k: getattr(c, k) for k in _CELL_FIELDS} for c in mine]
    record = {**asdict(provenance), "breaks": list(breaks), "years": list(span),
              "missing_years": list(missing), "sentence": provenance.sentence()}  # fmt: skip
    return out, record


# ------------------------------------------------------------------ writes
def _snapshot(source: ThreatSource) -> dict[str, Any]:
    return {
        "dataset": source.dataset_id,
        "country_code": source.country_code,
        "region": source.region.code if source.region else None,
        "data_country": source.data_country,
        "horizon_years": source.horizon_years,
        "site_counts": dict(source.site_counts),
        "active": source.active,
    }


def publishable_regions(org: Organisation) -> list[Region]:
    """Regions ``org`` may publish a threat source for (its jurisdiction, or its country for
    an authority)."""
    if org.kind == OrgKind.AUTHORITY:
        return list(Region.objects.filter(country_code=org.country_code))
    return list(org.regions.filter(country_code=org.country_code))


def _require_publisher(actor: User) -> Organisation:
    org = active_org(actor)
    if org is None or not can_analyse(actor) or not org.vetted:
        raise PermissionDeniedError(_("Only analysts of a vetted law-enforcement organisation or "
                                      "authority may publish threat sources."))  # fmt: skip
    return org


def _count_problems(site_counts: Mapping[str, object]) -> tuple[dict[str, int], list[FieldError]]:
    known = {v for v, _label in site_types()}
    counts: dict[str, int] = {}
    problems: list[FieldError] = []
    for key, value in site_counts.items():
        if key not in known:
            problems.append(FieldError(f"site_counts.{key}", _("Unknown site type.")))
        elif value in (None, ""):
            continue
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(FieldError(f"site_counts.{key}", _("A whole number of at least 1.")))
        else:
            counts[key] = value
    if not counts and not problems:
        problems.append(FieldError("site_counts", _("Give the number of sites of at least one "
                                                    "type: it sets each site's share of the "
                                                    "attacks.")))  # fmt: skip
    return counts, problems


def publish_threat_source(
    *,
    actor: User,
    dataset: Dataset,
    region: Region | None,
    data_country: str,
    site_counts: Mapping[str, object],
    horizon_years: int = 1,
    years: tuple[int, int] | None = None,
) -> ThreatSource:
    """Publish ``dataset`` as the threat source of a scope (``region``, or ``None``: the
    actor's whole country) and cache its attack rates of ``data_country``.

    Raises NotFoundError (dataset not visible), PermissionDeniedError (not a publisher),
    ValidationError (every problem of the input at once), ConflictError (another
    organisation's source is active for the scope).
    """
    from placeguard.web.intel.services import get_dataset_for

    dataset = get_dataset_for(actor, dataset.pk, analyse=True)
    org = _require_publisher(actor)
    data_country = (data_country or "").strip().upper()
    counts, problems = _count_problems(site_counts)
    if dataset.status != DatasetStatus.DONE or not dataset.row_count:
        problems.append(FieldError("dataset", _("The dataset has no imported incidents.")))
    if len(data_country) != 3 or not data_country.isalpha():
        problems.append(FieldError("data_country", _("An ISO 3166 alpha-3 code, e.g. FRA.")))
    if isinstance(horizon_years, bool) or not 1 <= int(horizon_years) <= MAX_HORIZON:
        problems.append(FieldError("horizon_years", _("Between 1 and %(n)d years.")
                                   % {"n": MAX_HORIZON}))  # fmt: skip
    lo, hi = (int(y) for y in dataset.facets.get("years", [0, 0]))
    if years is not None and not lo <= years[0] <= years[1] <= hi:
        problems.append(FieldError("years", _("A window inside the data's years, %(a)d–%(b)d.")
                                   % {"a": lo, "b": hi}))  # fmt: skip
    if region is None and org.kind != OrgKind.AUTHORITY:
        problems.append(FieldError("region", _("Law enforcement publishes for a region of its "
                                               "jurisdiction; only an authority publishes for the "
                                               "whole country.")))  # fmt: skip
    elif region is not None and region.pk not in {r.pk for r in publishable_regions(org)}:
        problems.append(FieldError("region", _("Not a region your organisation covers.")))
    if problems:
        raise ValidationError(_("The threat source has %(n)d problem(s); nothing was "
                                "published.") % {"n": len(problems)}, errors=problems)  # fmt: skip
    cells, provenance = compute_cells(dataset, data_country=data_country, years=years)
    with transaction.atomic():
        scope = ThreatSource.objects.select_for_update(of=("self",)).filter(active=True)
        if region is not None:
            scope = scope.filter(region=region)
        else:
            scope = scope.filter(region__isnull=True, country_code=org.country_code)
        for old in scope.select_related("dataset", "region"):
            if old.dataset.owner_id != org.pk:
                raise ConflictError(_("Another organisation's threat source is active for this "
                                      "scope; it must be withdrawn first."))  # fmt: skip
            before = _snapshot(old)
            old.active = False
            old.save(update_fields=["active"])
            audit.record(actor=actor, action="intel_threat_source.deactivate", obj=old,
                         diff=audit.diff_fields(before, _snapshot(old)))  # fmt: skip
        source = ThreatSource.objects.create(
            dataset=dataset,
            country_code=org.country_code,
            region=region,
            data_country=data_country,
            horizon_years=int(horizon_years),
            site_counts=counts,
            cells=cells,
            provenance=provenance,
            created_by=actor,
        )
        audit.record(actor=actor, action="intel_threat_source.publish", obj=source,
                     diff=audit.diff_fields(None, _snapshot(source)))  # fmt: skip
    return source


def get_source_for(user: User, source_id: int | str) -> ThreatSource:
    """A threat source of the user's organisation (NotFoundError otherwise)."""
    try:
        return sources_visible_to(user).select_related("dataset", "region").get(pk=int(source_id))
    except (ThreatSource.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Threat source not found.")) from None


def deactivate_threat_source(source: ThreatSource, *, actor: User) -> ThreatSource:
    """Withdraw a threat source: assessments of its scope return to the pack's figures
    (submitted ones keep the numbers they were submitted with)."""
    source = get_source_for(actor, source.pk)
    _require_publisher(actor)
    if not source.active:
        return source
    with transaction.atomic():
        before = _snapshot(source)
        source.active = False
        source.save(update_fields=["active"])
        audit.record(actor=actor, action="intel_threat_source.deactivate", obj=source,
                     diff=audit.diff_fields(before, _snapshot(source)))  # fmt: skip
    return source


# ------------------------------------------------------------------ reads for assessments
@dataclass(frozen=True, slots=True)
class SiteThreat:
    """The data-derived likelihoods for one site and the record of where they come from
    (kept with the assessment's result)."""

    likelihoods: tuple[ThreatLikelihood, ...]
    record: dict[str, Any]


def active_source_for(site: Site) -> ThreatSource | None:
    """The active threat source covering the site: its region's, else its country's."""
    # one query: the site's country comes from a subquery on its region
    region_country = Region.objects.filter(pk=site.region_id).values("country_code")[:1]
    return (
        ThreatSource.objects.filter(active=True)
        .filter(
            Q(region_id=site.region_id)
            | Q(region__isnull=True, country_code=Subquery(region_country))
        )
        .select_related("dataset", "dataset__owner", "region")
        .order_by(F("region_id").asc(nulls_last=True), "-id")
        .first()
    )


def threat_for_site(site: Site) -> SiteThreat | None:
    """The likelihoods of the active source covering ``site`` for its type, or None (the
    pack's figures stay) when there is no source, or it gives no count for the site's type."""
    source = active_source_for(site)
    if source is None:
        return None
    count = source.site_counts.get(site.site_type)
    if not isinstance(count, int) or count < 1:
        return None
    share = 1.0 / count
    sentence = str(source.provenance.get("sentence", source.dataset.name))
    found = []
    for cell in source.cells:
        if cell.get("category") != site.site_type:
            continue
        rate, low, high = (float(cell[k]) for k in ("rate", "low", "high"))
        if not all(math.isfinite(x) for x in (rate, low, high)):
            continue
        try:
            found.append(ThreatLikelihood(scenario=str(cell["scenario"]), rate=rate, low=low,
                                          high=high, exposure_share=share, provenance=sentence,
                                          horizon=float(source.horizon_years)))  # fmt: skip
        except ValueError:
            continue
    if not found:
        return None
    years = source.provenance.get("years") or [None, None]
    record = {
        "source_id": source.pk,
        "dataset": source.dataset.name,
        "dataset_source": source.dataset.source,
        "source_label": SHORT_SOURCE.get(source.dataset.source, source.dataset.source),
        "publisher": source.dataset.owner.name,
        "scope": source.region.name if source.region else source.country_code,
        "data_country": source.data_country,
        "release": source.provenance.get("release"),
        "filters": source.provenance.get("filters"),
        "breaks": source.provenance.get("breaks", []),
        "years": years,
        "method": source.provenance.get("method"),
        "crosswalk_version": source.provenance.get("crosswalk_version"),
        "provenance": sentence,
        "site_count": count,
        "exposure_share": share,
        "horizon_years": source.horizon_years,
        "likelihoods": [asdict(lk) for lk in found],
    }
    return SiteThreat(likelihoods=tuple(found), record=record)


def likelihoods_from_record(record: object) -> tuple[ThreatLikelihood, ...]:
    """The likelihoods a stored result was computed with (none if it had no threat source)."""
    if not isinstance(record, Mapping):
        return ()
    out = []
    for item in record.get("likelihoods", []):
        try:
            out.append(ThreatLikelihood(**item))
        except (TypeError, ValueError):
            continue
    return tuple(out)
