"""All writes to assessments, review comments, action items and risk acceptances.

Each function takes a keyword-only ``actor`` (``None`` is the local system, trusted like a
database administrator), runs in one transaction and records its audit event in it. Checks run
in a fixed order: the object must be visible to the actor (``NotFoundError``, 404), the actor
must hold the capability (``PermissionDeniedError``, 403), the object must be in a state that
allows the change (``ConflictError``, 409), and the input must be valid (``ValidationError``,
400, listing every problem).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError as DbIntegrityError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.assessments import access, scoring
from placeguard.web.assessments.choices import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    RESULT_STATUSES,
    AcceptanceStatus,
    ActionStatus,
    AssessmentStatus,
)
from placeguard.web.assessments.models import (
    ActionItem,
    Assessment,
    ReviewComment,
    RiskAcceptance,
)
from placeguard.web.audit import services as audit
from placeguard.web.orgs.models import User
from placeguard.web.sites.access import visible_to as sites_visible_to
from placeguard.web.sites.choices import SiteStatus
from placeguard.web.sites.models import Site

__all__ = [
    "ACTION_ITEM_FIELDS",
    "accept_risk",
    "add_comment",
    "approve",
    "create_action_items",
    "expire_acceptances",
    "return_for_changes",
    "revoke_acceptance",
    "save_answers",
    "start_assessment",
    "submit",
    "update_action_item",
    "update_context",
]

#: Fields of an action item that :func:`update_action_item` changes.
ACTION_ITEM_FIELDS = ("status", "owner", "owner_name", "due_date", "notes")
#: Longest comment, rationale or note accepted (characters).
MAX_TEXT = 5000
_CENT = Decimal("0.01")


# ------------------------------------------------------------------ loading and checks
def _load(assessment: Assessment | int, actor: User | None) -> Assessment:
    """The assessment fresh from the database and locked; 404 when the actor cannot see it."""
    pk = assessment.pk if isinstance(assessment, Assessment) else assessment
    rows = Assessment.objects.all() if actor is None else access.visible_to(actor)
    found = rows.select_for_update(of=("self",)).select_related("site").filter(pk=pk).first()
    if found is None:
        raise NotFoundError(_("Assessment not found."))
    return found


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDeniedError(message)


def _require_status(assessment: Assessment, allowed: Collection[str], message: str) -> None:
    if assessment.status not in allowed:
        raise ConflictError(message, code="invalid_state")


def _can(actor: User | None, check: Any, site: Site) -> bool:
    return actor is None or bool(check(actor, site))


def _require_editor(actor: User | None, site: Site) -> None:
    _require(
        _can(actor, access.can_edit_answers, site),
        _("Your role does not allow editing assessments of this site."),
    )


def _require_reviewer(actor: User | None, site: Site) -> None:
    _require(
        _can(actor, access.can_review, site),
        _(
            "Only analysts, publishers or admins of a vetted police force or authority other "
            "than the operator review assessments."
        ),
    )


def _clean_text(value: object, field: str, *, required: bool) -> str:
    """A stripped text, or a ValidationError naming ``field``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError.from_mapping({field: _("expected text")})
    text = value.strip()
    if required and not text:
        raise ValidationError.from_mapping({field: _("this field is required")})
    if len(text) > MAX_TEXT:
        raise ValidationError.from_mapping({field: _("at most %(n)d characters") % {"n": MAX_TEXT}})
    return text


def _check_question(site: Site, question_id: str) -> str:
    """``question_id`` when it names a question asked for the site's type ('' allowed)."""
    question_id = question_id.strip()
    if not question_id:
        return ""
    pack = scoring.current_pack()
    if question_id not in pack.question_index or not pack.question(question_id).applies_to(
        site.site_type
    ):
        raise ValidationError.from_mapping(
            {"question_id": _("not a question asked for this site type")}
        )
    return question_id


def _comment(
    assessment: Assessment, actor: User | None, text: str, question_id: str
) -> ReviewComment:
    """Store a comment with its audit event (the caller holds the transaction)."""
    comment = ReviewComment.objects.create(
        assessment=assessment, author=actor, text=text, question_id=question_id
    )
    audit.record(
        actor=actor,
        action="review_comment.create",
        obj=comment,
        diff=audit.diff_fields(
            None,
            {"assessment": assessment.pk, "text": text, "question_id": question_id},
        ),
    )
    return comment


# ------------------------------------------------------------------ lifecycle
def start_assessment(site: Site, *, actor: User | None, threat_level: int = 3) -> Assessment:
    """Open a draft assessment of ``site``.

    A site has at most one assessment in progress (draft, submitted or returned): starting
    another raises ``ConflictError``. The draft starts from the answers and context (symbolic
    value, impact weight) of the site's last approved assessment, so that a yearly
    re-assessment only revisits what changed; answers the current pack no longer asks for
    this site type are dropped.
    """
    try:
        with transaction.atomic():
            rows = Site.objects.all() if actor is None else sites_visible_to(actor)
            locked = rows.select_for_update().filter(pk=site.pk).first()
            if locked is None:
                raise NotFoundError(_("Site not found."))
            site = locked
            _require_editor(actor, site)
            if site.status == SiteStatus.ARCHIVED:
                raise ConflictError(
                    _("The site is archived; restore it before assessing it."),
                    code="site_archived",
                )
            if Assessment.objects.filter(site=site, status__in=OPEN_STATUSES).exists():
                raise ConflictError(
                    _(
                        "This site already has an assessment in progress; finish or "
                        "continue that one."
                    ),
                    code="assessment_in_progress",
                )
            previous = (
                Assessment.objects.filter(site=site, status=AssessmentStatus.APPROVED)
                .order_by("-reviewed_at", "-id")
                .first()
            )
            symbolic = previous.symbolic if previous else 0.0
            impact = previous.impact if previous else 1.0
            scoring.validate_context(
                site,
                threat_level=threat_level,
                symbolic=symbolic,
                threatened=False,
                impact=impact,
            )
            answers = scoring.carry_over(previous.answers, site.site_type) if previous else {}
            assessment = Assessment.objects.create(
                site=site,
                status=AssessmentStatus.DRAFT,
                pack_version=scoring.current_pack().version,
                threat_level=threat_level,
                symbolic=symbolic,
                impact=impact,
                answers=answers,
                prefilled_from=previous,
                created_by=actor,
            )
            audit.record(
                actor=actor,
                action="assessment.start",
                obj=assessment,
                diff=audit.diff_fields(
                    None,
                    {
                        "site": site.pk,
                        "status": assessment.status,
                        "threat_level": threat_level,
                        "pack_version": assessment.pack_version,
                        "prefilled_from": previous.pk if previous else None,
                        "answers": answers,
                    },
                ),
            )
    except DbIntegrityError as exc:  # a concurrent start won the race
        raise ConflictError(
            _("This site already has an assessment in progress."), code="assessment_in_progress"
        ) from exc
    return assessment


def save_answers(
    assessment: Assessment, answers: Mapping[str, Any], *, actor: User | None
) -> Assessment:
    """Merge ``answers`` into a draft or returned assessment.

    Only the given questions change; ``None`` clears an answer (it then counts as unknown).
    Every bad answer is reported at once and nothing is saved.
    """
    with transaction.atomic():
        assessment = _load(assessment, actor)
        _require_editor(actor, assessment.site)
        _require_status(
            assessment,
            EDITABLE_STATUSES,
            _("Only a draft or returned assessment can be edited."),
        )
        # A cleared answer is checked like an "unknown" one: the question must still exist.
        valid = scoring.validate_answers(
            assessment.site, {q: "unknown" if v is None else v for q, v in answers.items()}
        )
        merged: dict[str, Any] = dict(assessment.answers)
        for qid, value in answers.items():
            if value is None:
                merged.pop(qid, None)
            else:
                merged[qid] = valid[qid]
        diff = audit.diff_fields(
            {f"answers.{q}": v for q, v in assessment.answers.items() if q in answers},
            {f"answers.{q}": v for q, v in merged.items() if q in answers},
        )
        if diff:
            assessment.answers = merged
            assessment.save(update_fields=["answers", "updated"])
            audit.record(actor=actor, action="assessment.answers", obj=assessment, diff=diff)
    return assessment


def update_context(
    assessment: Assessment,
    *,
    actor: User | None,
    threat_level: int | None = None,
    symbolic: float | None = None,
    threatened: bool | None = None,
    impact: float | None = None,
) -> Assessment:
    """Change the threat level or the site context (symbolic value, threats, impact weight)."""
    with transaction.atomic():
        assessment = _load(assessment, actor)
        _require_editor(actor, assessment.site)
        _require_status(
            assessment,
            EDITABLE_STATUSES,
            _("Only a draft or returned assessment can be edited."),
        )
        fields = ("threat_level", "symbolic", "threatened", "impact")
        before = {f: getattr(assessment, f) for f in fields}
        after: dict[str, Any] = {
            "threat_level": assessment.threat_level if threat_level is None else threat_level,
            "symbolic": assessment.symbolic if symbolic is None else symbolic,
            "threatened": assessment.threatened if threatened is None else threatened,
            "impact": assessment.impact if impact is None else impact,
        }
        scoring.validate_context(
            assessment.site,
            threat_level=after["threat_level"],
            symbolic=after["symbolic"],
            threatened=after["threatened"],
            impact=after["impact"],
        )
        diff = audit.diff_fields(before, after)
        if diff:
            for f in fields:
                setattr(assessment, f, after[f])
            assessment.save(update_fields=[*fields, "updated"])
            audit.record(actor=actor, action="assessment.context", obj=assessment, diff=diff)
    return assessment


def _submission_snapshot(assessment: Assessment) -> dict[str, Any]:
    return {
        "status": assessment.status,
        "total_risk": assessment.total_risk,
        "pack_version": assessment.pack_version,
    }


def submit(assessment: Assessment, *, actor: User | None) -> Assessment:
    """Score the assessment and submit it for review.

    The engine runs on the site's current type, capacity and time profile with the stored
    answers and context; its result is kept with the pack version that produced it.
    """
    with transaction.atomic():
        assessment = _load(assessment, actor)
        site = assessment.site
        _require_editor(actor, site)
        _require_status(
            assessment,
            EDITABLE_STATUSES,
            _("Only a draft or returned assessment can be submitted."),
        )
        scoring.validate_answers(site, assessment.answers)  # the pack may have changed since
        result = scoring.result_of(assessment, site)  # with the threat source, if any
        summary = scoring.summarise(result)
        before = _submission_snapshot(assessment)
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.result = result
        assessment.total_risk = summary.total_risk
        assessment.worst_band = summary.worst_band
        assessment.top_scenario = summary.top_scenario
        assessment.pack_version = scoring.current_pack().version
        assessment.submitted_at = timezone.now()
        assessment.submitted_by = actor
        assessment.save()
        after = _submission_snapshot(assessment)
        audit.record(
            actor=actor,
            action="assessment.submit",
            obj=assessment,
            diff=audit.diff_fields(before, after),
        )
    return assessment


def approve(assessment: Assessment, *, actor: User | None, comment: str = "") -> Assessment:
    """Approve a submitted assessment; the site's previously approved one becomes superseded.

    Nobody approves their own submission (four eyes).
    """
    with transaction.atomic():
        assessment = _load(assessment, actor)
        _require_reviewer(actor, assessment.site)
        _require_status(
            assessment,
            {AssessmentStatus.SUBMITTED},
            _("Only a submitted assessment can be approved."),
        )
        if actor is not None and assessment.submitted_by_id == actor.pk:
            raise PermissionDeniedError(_("You cannot approve an assessment you submitted."))
        text = _clean_text(comment, "comment", required=False)
        previous = list(
            Assessment.objects.select_for_update()
            .select_related("site")
            .filter(site_id=assessment.site_id, status=AssessmentStatus.APPROVED)
            .exclude(pk=assessment.pk)
        )
        for old in previous:
            old.status = AssessmentStatus.SUPERSEDED
            old.save(update_fields=["status", "updated"])
        if previous:
            audit.record_many(
                actor=actor,
                action="assessment.supersede",
                changes=[
                    audit.Change(
                        old,
                        {"status": ["approved", "superseded"], "superseded_by": assessment.pk},
                    )
                    for old in previous
                ],
            )
        assessment.status = AssessmentStatus.APPROVED
        assessment.reviewed_at = timezone.now()
        assessment.reviewed_by = actor
        assessment.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated"])
        audit.record(
            actor=actor,
            action="assessment.approve",
            obj=assessment,
            diff={"status": ["submitted", "approved"]},
        )
        if text:
            _comment(assessment, actor, text, "")
    return assessment


def return_for_changes(
    assessment: Assessment, *, actor: User | None, comment: str, question_id: str = ""
) -> Assessment:
    """Send a submitted assessment back to its editors with a (required) comment."""
    with transaction.atomic():
        assessment = _load(assessment, actor)
        _require_reviewer(actor, assessment.site)
        _require_status(
            assessment,
            {AssessmentStatus.SUBMITTED},
            _("Only a submitted assessment can be returned."),
        )
        text = _clean_text(comment, "comment", required=True)
        question_id = _check_question(assessment.site, question_id)
        assessment.status = AssessmentStatus.RETURNED
        assessment.reviewed_at = timezone.now()
        assessment.reviewed_by = actor
        assessment.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated"])
        audit.record(
            actor=actor,
            action="assessment.return",
            obj=assessment,
            diff={"status": ["submitted", "returned"]},
        )
        _comment(assessment, actor, text, question_id)
    return assessment


def add_comment(
    assessment: Assessment, *, actor: User | None, text: str, question_id: str = ""
) -> ReviewComment:
    """A reviewer's comment on an assessment, optionally about one question."""
    with transaction.atomic():
        assessment = _load(assessment, actor)
        _require_reviewer(actor, assessment.site)
        clean = _clean_text(text, "text", required=True)
        return _comment(assessment, actor, clean, _check_question(assessment.site, question_id))


# ------------------------------------------------------------------ action items
def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(_CENT)


def _require_action_manager(actor: User | None, site: Site) -> None:
    _require(
        _can(actor, access.can_manage_actions, site),
        _("Only analysts, publishers or admins of the site's operator manage action items."),
    )


def create_action_items(
    assessment: Assessment,
    measure_ids: Sequence[str],
    *,
    actor: User | None,
    due_date: date | None = None,
) -> list[ActionItem]:
    """Turn measures of the assessment's plan into action items.

    Each measure must be a candidate of the plan (suited to the site type and not yet fully
    in place); its title is the measure's name and its costs are the plan's costs of bringing
    it to full quality, in the pack's currency. A measure already turned into an action item
    of this assessment raises ``ConflictError``.
    """
    with transaction.atomic():
        assessment = _load(assessment, actor)
        _require_action_manager(actor, assessment.site)
        _require_status(
            assessment,
            RESULT_STATUSES,
            _("Plan action items from a submitted or approved assessment."),
        )
        pack = scoring.current_pack()
        problem = scoring.plan_problem(assessment)
        errors: list[FieldError] = []
        if isinstance(measure_ids, str) or not measure_ids:
            errors.append(FieldError("measure_ids", _("name at least one measure")))
        seen: set[str] = set()
        for i, mid in enumerate(measure_ids if not isinstance(measure_ids, str) else []):
            where = f"measure_ids[{i}]"
            if mid in seen:
                errors.append(FieldError(where, _("listed twice")))
            elif mid not in pack.measure_index:
                errors.append(FieldError(where, _("unknown measure %(id)r") % {"id": mid}))
            elif mid not in problem.ids:
                errors.append(
                    FieldError(
                        where,
                        _(
                            "%(id)s is not in this assessment's plan: it does not suit the site "
                            "type or is already fully in place"
                        )
                        % {"id": mid},
                    )
                )
            seen.add(mid)
        if errors:
            raise ValidationError(_("Invalid measures; no action item was created."), errors=errors)
        taken = sorted(
            ActionItem.objects.filter(assessment=assessment, measure_id__in=seen).values_list(
                "measure_id", flat=True
            )
        )
        if taken:
            raise ConflictError(
                _("Action items already exist for: %(ids)s.") % {"ids": ", ".join(taken)},
                code="duplicate_action_item",
            )
        items = []
        for mid in measure_ids:
            j = problem.ids.index(mid)
            items.append(
                ActionItem(
                    assessment=assessment,
                    site=assessment.site,
                    measure_id=mid,
                    title=pack.measure(mid).name[:200],
                    due_date=due_date,
                    status=ActionStatus.OPEN,
                    capex=_money(float(problem.capex[j])),
                    opex=_money(float(problem.opex[j])),
                    currency=pack.currency,
                )
            )
        ActionItem.objects.bulk_create(items)
        audit.record_many(
            actor=actor,
            action="action_item.create",
            changes=[
                audit.Change(
                    item,
                    audit.diff_fields(
                        None,
                        {
                            "assessment": assessment.pk,
                            "site": assessment.site_id,
                            "measure_id": item.measure_id,
                            "title": item.title,
                            "due_date": item.due_date,
                            "status": item.status,
                            "capex": item.capex,
                            "opex": item.opex,
                            "currency": item.currency,
                        },
                    ),
                )
                for item in items
            ],
        )
    return items


def _item_snapshot(item: ActionItem) -> dict[str, Any]:
    return {
        "status": item.status,
        "owner": item.owner_id,
        "owner_name": item.owner_name,
        "due_date": item.due_date,
        "notes": item.notes,
    }


def _owner(value: object, site: Site, errors: list[FieldError]) -> User | None:
    """The owner user: an active member of the site's operator (or None to clear)."""
    if value is None:
        return None
    pk = value.pk if isinstance(value, User) else value
    if isinstance(pk, bool) or not isinstance(pk, int):
        errors.append(FieldError("owner", _("expected a user id or null")))
        return None
    user = User.objects.filter(pk=pk, is_active=True, organisation_id=site.operator_id).first()
    if user is None:
        errors.append(
            FieldError("owner", _("not an active member of the site's operator organisation"))
        )
    return user


def _apply_item_changes(item: ActionItem, changes: Mapping[str, Any]) -> list[FieldError]:
    """Set the given fields on ``item``; return every problem found (nothing is saved here)."""
    unknown = sorted(set(changes) - set(ACTION_ITEM_FIELDS))
    errors = [FieldError(key, _("unknown field")) for key in unknown]
    if "status" in changes:
        if changes["status"] in ActionStatus.values:
            item.status = changes["status"]
        else:
            allowed = ", ".join(ActionStatus.values)
            errors.append(FieldError("status", _("expected one of %(v)s") % {"v": allowed}))
    if "owner" in changes:
        item.owner = _owner(changes["owner"], item.site, errors)
    if "due_date" in changes:
        due = changes["due_date"]
        if due is None or isinstance(due, date):
            item.due_date = due
        else:
            errors.append(FieldError("due_date", _("expected a date or null")))
    for field, limit in (("owner_name", 200), ("notes", MAX_TEXT)):
        if field not in changes:
            continue
        value = "" if changes[field] is None else changes[field]
        if isinstance(value, str) and len(value) <= limit:
            setattr(item, field, value.strip())
        else:
            message = _("expected text of at most %(n)d characters") % {"n": limit}
            errors.append(FieldError(field, message))
    return errors


def update_action_item(
    item: ActionItem, changes: Mapping[str, Any], *, actor: User | None
) -> ActionItem:
    """Change an action item's status, owner (a user of the operator), owner name, due date
    or notes; the measure, title and costs follow from the plan and do not change."""
    with transaction.atomic():
        rows = ActionItem.objects.all() if actor is None else access.action_items_visible_to(actor)
        locked = (
            rows.select_for_update(of=("self",)).select_related("site").filter(pk=item.pk).first()
        )
        if locked is None:
            raise NotFoundError(_("Action item not found."))
        item = locked
        _require_action_manager(actor, item.site)
        before = _item_snapshot(item)
        errors = _apply_item_changes(item, changes)
        if errors:
            raise ValidationError(_("Invalid action item; nothing was saved."), errors=errors)
        diff = audit.diff_fields(before, _item_snapshot(item))
        if diff:
            item.save()
            audit.record(actor=actor, action="action_item.update", obj=item, diff=diff)
    return item


# ------------------------------------------------------------------ risk acceptance
def _require_signer(actor: User | None, site: Site) -> None:
    _require(
        _can(actor, access.can_accept_risk, site),
        _("Only publishers or admins of the site's operator sign risk acceptances off."),
    )


def _expire(rows: Iterable[RiskAcceptance], actor: User | None) -> int:
    """Mark active acceptances past their date as expired (caller holds the transaction)."""
    stale = list(rows)
    for acceptance in stale:
        acceptance.status = AcceptanceStatus.EXPIRED
        acceptance.save(update_fields=["status"])
    if stale:
        audit.record_many(
            actor=actor,
            action="risk_acceptance.expire",
            changes=[audit.Change(a, {"status": ["active", "expired"]}) for a in stale],
        )
    return len(stale)


def _stale(today: date) -> QuerySet[RiskAcceptance]:
    return RiskAcceptance.objects.select_for_update().filter(
        status=AcceptanceStatus.ACTIVE, expires_on__lt=today
    )


def accept_risk(
    assessment: Assessment,
    scenario: str,
    *,
    actor: User | None,
    rationale: str,
    expires_on: date,
) -> RiskAcceptance:
    """Sign off the residual risk of one scenario until ``expires_on`` (a future date).

    A scenario has at most one active acceptance per assessment (``ConflictError``).
    """
    today = timezone.localdate()
    with transaction.atomic():
        assessment = _load(assessment, actor)
        _require_signer(actor, assessment.site)
        _require_status(
            assessment,
            RESULT_STATUSES,
            _("Accept risks of a submitted or approved assessment."),
        )
        errors: list[FieldError] = []
        if scenario not in scoring.current_pack().scenario_ids:
            errors.append(FieldError("scenario", _("unknown scenario %(id)r") % {"id": scenario}))
        try:
            text = _clean_text(rationale, "rationale", required=True)
        except ValidationError as exc:
            errors.extend(exc.errors)
            text = ""
        if expires_on <= today:
            errors.append(FieldError("expires_on", _("expected a date in the future")))
        if errors:
            raise ValidationError(_("Invalid risk acceptance."), errors=errors)
        _expire(_stale(today).filter(assessment=assessment, scenario=scenario), actor)
        if RiskAcceptance.objects.filter(
            assessment=assessment, scenario=scenario, status=AcceptanceStatus.ACTIVE
        ).exists():
            raise ConflictError(
                _("This scenario's risk is already accepted; revoke that acceptance first."),
                code="acceptance_exists",
            )
        acceptance = RiskAcceptance.objects.create(
            assessment=assessment,
            scenario=scenario,
            rationale=text,
            accepted_by=actor,
            expires_on=expires_on,
            status=AcceptanceStatus.ACTIVE,
        )
        audit.record(
            actor=actor,
            action="risk_acceptance.create",
            obj=acceptance,
            diff=audit.diff_fields(
                None,
                {
                    "assessment": assessment.pk,
                    "scenario": scenario,
                    "rationale": text,
                    "expires_on": expires_on,
                    "status": acceptance.status,
                },
            ),
        )
    return acceptance


def revoke_acceptance(
    acceptance: RiskAcceptance, *, actor: User | None, reason: str = ""
) -> RiskAcceptance:
    """Withdraw an active risk acceptance before its expiry."""
    with transaction.atomic():
        rows = (
            RiskAcceptance.objects.all() if actor is None else access.acceptances_visible_to(actor)
        )
        locked = (
            rows.select_for_update(of=("self",))
            .select_related("assessment__site")
            .filter(pk=acceptance.pk)
            .first()
        )
        if locked is None:
            raise NotFoundError(_("Risk acceptance not found."))
        acceptance = locked
        _require_signer(actor, acceptance.assessment.site)
        if acceptance.current_status != AcceptanceStatus.ACTIVE:
            raise ConflictError(
                _("Only an active acceptance can be revoked."), code="invalid_state"
            )
        text = _clean_text(reason, "reason", required=False)
        acceptance.status = AcceptanceStatus.REVOKED
        acceptance.revoked_at = timezone.now()
        acceptance.revoked_by = actor
        acceptance.save(update_fields=["status", "revoked_at", "revoked_by"])
        audit.record(
            actor=actor,
            action="risk_acceptance.revoke",
            obj=acceptance,
            diff={"status": ["active", "revoked"], "reason": text},
        )
    return acceptance


def expire_acceptances(*, actor: User | None = None, today: date | None = None) -> int:
    """Mark every active acceptance past its expiry date as expired; returns how many.

    Reads already treat such acceptances as expired; this makes the stored status agree (for a
    periodic task).
    """
    with transaction.atomic():
        return _expire(_stale(today or timezone.localdate()), actor)
