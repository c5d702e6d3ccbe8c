"""The improvement loop: a corrective action becomes a national-plan action or a training request.

The writes themselves are capacity's services (:func:`promote_to_plan_action`,
:func:`request_training_from`), which check the target's own rules (only editors of the owning
authority write its plan; only editors of a vetted authority or police force request
assistance) and audit the new item. This module adds the source side: only editors of the
action's owner organisation or of the exercise owner promote it (403; outsiders 404), the
promotion is audited against the corrective action in the same transaction, and the item
records where it came from (``origin_label``, ``origin_url``, ``origin_ref``) so that
:func:`placeguard.web.capacity.queries.produced_by` finds it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from placeguard.core.errors import FieldError, ValidationError
from placeguard.web.audit import services as audit
from placeguard.web.capacity import access as capacity_access
from placeguard.web.capacity import queries as capacity_queries
from placeguard.web.capacity import services as capacity_services
from placeguard.web.capacity.models import PlanObjective
from placeguard.web.exercises import services
from placeguard.web.exercises.models import CorrectiveAction
from placeguard.web.orgs.models import User

__all__ = [
    "PLAN",
    "TRAINING",
    "ProducedLink",
    "can_request_training",
    "origin_label",
    "origin_ref",
    "produced_links",
    "promote",
]

PLAN = "plan"
TRAINING = "training"


def origin_ref(action: CorrectiveAction) -> str:
    """Capacity's generic reference ``app_label.model:pk`` of ``action``."""
    return f"exercises.correctiveaction:{action.pk}"


def origin_label(action: CorrectiveAction) -> str:
    """What the promoted item shows as its origin (exercise, code and description)."""
    label = _("Corrective action %(code)s of exercise “%(exercise)s”: %(text)s") % {
        "code": action.code,
        "exercise": action.exercise.name,
        "text": action.description,
    }
    return label if len(label) <= 300 else label[:299] + "…"


def can_request_training(user: User) -> bool:
    """Whether ``user`` may turn an action into a training request (the requesting authority)."""
    return capacity_access.can_request(user)


def promote(
    action_id: int | str,
    *,
    actor: User,
    target: str,
    title: str,
    need: str = "",
    objective_id: int | str | None = None,
) -> Any:
    """Promote a corrective action ``actor`` may update to ``target`` (``plan``/``training``).

    ``plan`` needs ``objective_id`` among :func:`capacity.queries.writable_objectives`;
    ``training`` needs ``need``. Returns the new ``PlanAction`` or ``TrainingRequest``.
    """
    action = services.get_action_for(actor, action_id, for_edit=True)
    problems: list[FieldError] = []
    if not title.strip():
        problems.append(FieldError("title", _("is required"), "required"))
    objective: PlanObjective | None = None
    if target == PLAN:
        objective = next(
            (
                o
                for o in capacity_queries.writable_objectives(actor)
                if str(o.pk) == str(objective_id)
            ),
            None,
        )
        if objective is None:
            problems.append(FieldError("objective", _("choose an objective of a plan you write")))
    elif target == TRAINING:
        if not need.strip():
            problems.append(FieldError("need", _("is required"), "required"))
    else:
        problems.append(FieldError("target", _("unknown target")))
    if problems:
        raise ValidationError(_("The promotion has problems."), errors=problems)
    common: dict[str, Any] = {
        "actor": actor,
        "title": title.strip(),
        "origin_label": origin_label(action),
        "origin_url": action.origin_url,
        "origin_ref": origin_ref(action),
    }
    with transaction.atomic():
        item: Any
        if objective is not None:
            item = capacity_services.promote_to_plan_action(plan_objective=objective, **common)
        else:
            item = capacity_services.request_training_from(need=need.strip(), **common)
        audit.record(
            actor=actor,
            action="corrective_action.promote",
            obj=action,
            diff={
                "target": [None, target],
                "produced": [None, f"{item._meta.label_lower}:{item.pk}"],
            },
        )
    return item


@dataclass(frozen=True, slots=True)
class ProducedLink:
    """One item a corrective action produced, as a link."""

    kind: str
    label: str
    url: str


def produced_links(user: User, action: CorrectiveAction) -> list[ProducedLink]:
    """What ``action`` produced in capacity building, as far as ``user`` may see."""
    produced = capacity_queries.produced_by(user, origin_ref(action))
    links = [
        ProducedLink(
            _("Plan action"),
            f"{a.objective.plan.title} — {a.title}",
            reverse("capacity:plan", args=[a.objective.plan_id]) + f"#action-{a.pk}",
        )
        for a in produced.plan_actions
    ]
    links += [
        ProducedLink(_("Training request"), r.title, reverse("capacity:request", args=[r.pk]))
        for r in produced.training_requests
    ]
    return links
