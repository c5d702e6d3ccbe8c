"""Master Scenario Events List: draft from templates, export and import as CSV or XLSX.

A draft MSEL is built from the templates of the selected scenarios: every scenario track starts
at ``start_min`` (``stagger_min`` apart, 0 = all at once), injects are merged by scenario time
(ties keep scenario then template order), renumbered 1..n, and template objectives are
renumbered ``O1..On`` across the exercise. Objectives can also be drawn from open corrective
actions and from the site's highest-risk scenarios; an objective with no inject yet is listed
in ``notes`` so that the planner writes one.

Import reports every bad row at once (:class:`~placeguard.core.errors.ImportValidationError`,
row numbers are spreadsheet lines, header = 1) and accepts what export writes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from placeguard.core.errors import ImportValidationError, RowError
from placeguard.core.spreadsheet import guard_formula, unguard_formula
from placeguard.engines.preparedness.catalogue import (
    CriticalTask,
    DeliveryMethod,
    InjectType,
    TemplateSet,
)

__all__ = [
    "MSEL_COLUMNS",
    "CorrectiveActionRef",
    "ExerciseObjective",
    "Inject",
    "Msel",
    "draft_msel",
    "format_time",
    "msel_from_csv",
    "msel_from_xlsx",
    "msel_to_csv",
    "msel_to_xlsx",
    "parse_time",
]

#: Export/import columns, in order.
MSEL_COLUMNS: tuple[str, ...] = (
    "seq", "time", "scenario", "inject_type", "delivery", "from", "to", "description",
    "expected_action", "objective", "contingency_for",
)  # fmt: skip
_E = TypeVar("_E", bound=StrEnum)
_TEXT = frozenset({"scenario", "from", "to", "description", "expected_action", "objective"})
_REQUIRED = frozenset({"seq", "time", "inject_type", "delivery", "from", "to", "description"})


@dataclass(frozen=True, slots=True)
class Inject:
    """One MSEL row; ``time_min`` is scenario minutes after STARTEX."""

    seq: int
    time_min: int
    inject_type: InjectType
    delivery: DeliveryMethod
    sender: str
    recipient: str
    description: str
    expected_action: str = ""
    objective: str = ""
    scenario: str = ""
    contingency_for: int | None = None


@dataclass(frozen=True, slots=True)
class ExerciseObjective:
    """An exercise objective; ``source`` says where it came from (``template:firearms``,
    ``corrective_action:CA-3``, ``risk:arson``)."""

    id: str
    title: str
    capability: str
    capability_target: str
    critical_tasks: tuple[CriticalTask, ...]
    source: str


@dataclass(frozen=True, slots=True)
class CorrectiveActionRef:
    """An open corrective action to test in the exercise."""

    id: str
    description: str
    capability: str = ""


@dataclass(frozen=True, slots=True)
class Msel:
    """A drafted (or imported) MSEL with its objectives and planner notes."""

    injects: tuple[Inject, ...]
    objectives: tuple[ExerciseObjective, ...] = ()
    notes: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------------------ drafting
def draft_msel(
    templates: Mapping[str, TemplateSet],
    scenarios: Sequence[str],
    *,
    corrective_actions: Sequence[CorrectiveActionRef] = (),
    highest_risks: Sequence[str] = (),
    top_risks: int = 2,
    start_min: int = 0,
    stagger_min: int = 0,
) -> Msel:
    """Draft an MSEL for ``scenarios`` (plus the first ``top_risks`` of ``highest_risks``).

    Raises ``ValueError`` for a selected scenario without template; a high-risk scenario
    without template becomes an objective and a note instead.
    """
    if start_min < 0 or stagger_min < 0 or top_risks < 0:
        msg = "start_min, stagger_min and top_risks must be ≥ 0"
        raise ValueError(msg)
    missing = [s for s in scenarios if s not in templates]
    if missing:
        msg = f"no MSEL template for scenario(s): {', '.join(missing)}"
        raise ValueError(msg)
    selected = list(dict.fromkeys(scenarios))
    notes: list[str] = []
    risk_only: list[str] = []
    for scenario in list(dict.fromkeys(highest_risks))[:top_risks]:
        if scenario in selected:
            continue
        if scenario in templates:
            selected.append(scenario)
            notes.append(f"scenario {scenario} added as one of the site's highest risks")
        else:
            risk_only.append(scenario)

    objectives: list[ExerciseObjective] = []
    renamed: dict[tuple[str, str], str] = {}
    for scenario in selected:
        for obj in templates[scenario].objectives:
            new_id = f"O{len(objectives) + 1}"
            renamed[scenario, obj.id] = new_id
            objectives.append(
                ExerciseObjective(
                    new_id,
                    obj.title,
                    obj.capability,
                    obj.capability_target,
                    obj.critical_tasks,
                    f"template:{scenario}",
                )
            )

    staged: list[tuple[int, int, int, str, str]] = []  # time, track, position, scenario, key
    for track, scenario in enumerate(selected):
        offset = start_min + track * stagger_min
        for position, inj in enumerate(templates[scenario].injects):
            staged.append((offset + inj.offset_min, track, position, scenario, inj.key))
    staged.sort()
    numbers = {(s, k): n for n, (_, _, _, s, k) in enumerate(staged, start=1)}
    by_key = {(s, i.key): i for s in selected for i in templates[s].injects}
    injects = tuple(
        Inject(
            seq=numbers[s, k],
            time_min=t,
            inject_type=by_key[s, k].type,
            delivery=by_key[s, k].delivery,
            sender=by_key[s, k].sender,
            recipient=by_key[s, k].recipient,
            description=by_key[s, k].description,
            expected_action=by_key[s, k].expected_action,
            objective=renamed[s, by_key[s, k].objective],
            scenario=s,
            contingency_for=(
                numbers[s, c] if (c := by_key[s, k].contingency_for) is not None else None
            ),
        )
        for t, _, _, s, k in staged
    )

    for action in corrective_actions:
        new_id = f"O{len(objectives) + 1}"
        objectives.append(
            ExerciseObjective(
                new_id,
                f"Test corrective action {action.id}: {action.description}",
                action.capability,
                f"The change made under corrective action {action.id} works as intended.",
                (CriticalTask(f"{new_id}.1", f"Demonstrate: {action.description}"),),
                f"corrective_action:{action.id}",
            )
        )
        notes.append(f"objective {new_id} (corrective action {action.id}) has no inject yet")
    for scenario in risk_only:
        new_id = f"O{len(objectives) + 1}"
        objectives.append(
            ExerciseObjective(
                new_id,
                f"Test the response to the site's high-risk scenario {scenario}",
                "",
                "",
                (),
                f"risk:{scenario}",
            )
        )
        notes.append(
            f"objective {new_id} (high-risk scenario {scenario}) has no template; "
            "write its injects, capability target and critical tasks"
        )
    return Msel(injects, tuple(objectives), tuple(notes))


# ------------------------------------------------------------------------------ time format
_TIME = re.compile(r"^T?\+?(\d+):([0-5]\d)$")


def format_time(minutes: int) -> str:
    """Scenario time as ``T+H:MM``."""
    return f"T+{minutes // 60}:{minutes % 60:02d}"


def parse_time(text: str) -> int:
    """``T+H:MM``, ``H:MM`` or a whole number of minutes → minutes (``ValueError`` if not)."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    match = _TIME.match(value)
    if match is None:
        msg = f"expected T+H:MM or minutes, got {text!r}"
        raise ValueError(msg)
    return int(match.group(1)) * 60 + int(match.group(2))


# ------------------------------------------------------------------------------ export
def _row(inject: Inject) -> dict[str, str]:
    values = {
        "seq": str(inject.seq),
        "time": format_time(inject.time_min),
        "scenario": inject.scenario,
        "inject_type": inject.inject_type.value,
        "delivery": inject.delivery.value,
        "from": inject.sender,
        "to": inject.recipient,
        "description": inject.description,
        "expected_action": inject.expected_action,
        "objective": inject.objective,
        "contingency_for": "" if inject.contingency_for is None else str(inject.contingency_for),
    }
    return {k: guard_formula(v) if k in _TEXT else v for k, v in values.items()}


def msel_to_csv(injects: Iterable[Inject]) -> str:
    """CSV text with a header row; free-text cells are formula-guarded."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(MSEL_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for inject in injects:
        writer.writerow(_row(inject))
    return out.getvalue()


def msel_to_xlsx(injects: Iterable[Inject]) -> bytes:
    """An XLSX workbook (sheet ``msel``) with the same columns as the CSV."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("msel")
    sheet.append(list(MSEL_COLUMNS))
    for inject in injects:
        row = _row(inject)
        sheet.append([int(row["seq"]) if c == "seq" else row[c] for c in MSEL_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ import
def msel_from_csv(text: str, *, objectives: Iterable[str] | None = None) -> tuple[Inject, ...]:
    """Injects from CSV text; ``objectives`` (if given) are the allowed objective ids."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows = list(reader)
    if not rows:
        raise ImportValidationError([RowError(0, "*", "the file is empty")])
    numbered = [(n, r) for n, r in enumerate(rows[1:], start=2)]
    return _validate(rows[0], numbered, objectives)


def msel_from_xlsx(data: bytes, *, objectives: Iterable[str] | None = None) -> tuple[Inject, ...]:
    """Injects from the first worksheet of an XLSX workbook."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-workbook
        raise ImportValidationError(
            [RowError(0, "*", f"not a readable .xlsx workbook: {exc}")]
        ) from exc
    try:
        values = [
            ["" if v is None else str(v) for v in record]
            for record in book.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        book.close()
    if not values:
        raise ImportValidationError([RowError(0, "*", "the workbook is empty")])
    return _validate(values[0], list(enumerate(values[1:], start=2)), objectives)


def _validate(
    header_cells: Sequence[str],
    rows: Sequence[tuple[int, Sequence[str]]],
    objectives: Iterable[str] | None,
) -> tuple[Inject, ...]:
    header = [h.strip() for h in header_cells]
    while header and not header[-1]:
        header.pop()
    problems = [
        RowError(1, c, "required column is missing") for c in sorted(_REQUIRED - set(header))
    ]
    problems += [RowError(1, c, "unknown column") for c in header if c not in MSEL_COLUMNS]
    if problems:
        raise ImportValidationError(problems)
    allowed = set(objectives) if objectives is not None else None
    parsed: list[tuple[int, Inject]] = []
    seqs: dict[int, int] = {}
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problems.append(RowError(number, "*", "more cells than header columns"))
            continue
        raw = {h: (cells[i] if i < len(cells) else "").strip() for i, h in enumerate(header)}
        raw = {k: unguard_formula(v) if k in _TEXT else v for k, v in raw.items()}
        inject = _parse_row(number, raw, allowed, problems)
        if inject is None:
            continue
        if inject.seq in seqs:
            problems.append(
                RowError(number, "seq", f"duplicate sequence number (also line {seqs[inject.seq]})")
            )
            continue
        seqs[inject.seq] = number
        parsed.append((number, inject))
    for number, inject in parsed:
        target = inject.contingency_for
        if target is not None and target not in seqs:
            problems.append(RowError(number, "contingency_for", f"no inject with seq {target}"))
    if problems:
        raise ImportValidationError(sorted(problems, key=lambda r: (r.row, r.column)))
    return tuple(i for _, i in parsed)


def _enum_cell(
    raw: Mapping[str, str], column: str, enum: type[_E], bad: Callable[[str, str], None]
) -> _E | None:
    value = raw.get(column, "")
    if not value:
        return None
    if value in {e.value for e in enum}:
        return enum(value)
    bad(column, f"expected one of {', '.join(e.value for e in enum)}")
    return None


def _int_cell(
    raw: Mapping[str, str], column: str, low: int, bad: Callable[[str, str], None], message: str
) -> int | None:
    value = raw.get(column, "")
    if not value:
        return None
    if value.isdigit() and int(value) >= low:
        return int(value)
    bad(column, message)
    return None


def _parse_row(
    number: int, raw: Mapping[str, str], allowed: set[str] | None, problems: list[RowError]
) -> Inject | None:
    before = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(RowError(number, column, message))

    for column in sorted(_REQUIRED):
        if not raw.get(column):
            bad(column, "required")
    seq = _int_cell(raw, "seq", 1, bad, "expected a whole number ≥ 1") or 0
    time_min = 0
    if raw.get("time"):
        try:
            time_min = parse_time(raw["time"])
        except ValueError as exc:
            bad("time", str(exc))
    kind = _enum_cell(raw, "inject_type", InjectType, bad)
    delivery = _enum_cell(raw, "delivery", DeliveryMethod, bad)
    objective = raw.get("objective", "")
    if objective and allowed is not None and objective not in allowed:
        bad("objective", f"unknown objective {objective!r}")
    backs_up = _int_cell(raw, "contingency_for", 1, bad, "expected the seq of another inject")
    _check_links(raw, kind, seq, backs_up, bad)
    if len(problems) > before or kind is None or delivery is None:
        return None
    return Inject(
        seq=seq,
        time_min=time_min,
        inject_type=kind,
        delivery=delivery,
        sender=raw["from"],
        recipient=raw["to"],
        description=raw["description"],
        expected_action=raw.get("expected_action", ""),
        objective=objective,
        scenario=raw.get("scenario", ""),
        contingency_for=backs_up,
    )


def _check_links(
    raw: Mapping[str, str],
    kind: InjectType | None,
    seq: int,
    backs_up: int | None,
    bad: Callable[[str, str], None],
) -> None:
    has_link = bool(raw.get("contingency_for"))
    if kind is InjectType.CONTINGENCY and not has_link:
        bad("contingency_for", "a contingency inject names the inject it backs up")
    if kind is not None and kind is not InjectType.CONTINGENCY and has_link:
        bad("contingency_for", "only contingency injects back up another inject")
    if kind in (InjectType.EXPECTED_ACTION, InjectType.CONTINGENCY) and not raw.get(
        "expected_action"
    ):
        bad("expected_action", "required for this inject type")
    if backs_up is not None and backs_up == seq:
        bad("contingency_for", "an inject cannot back up itself")
