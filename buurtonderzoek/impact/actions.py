"""Every write to partner tables and actions: atomic, checked, recorded in the audit log.

The rules of the driehoeksoverleg live here, so that pages, the API, the demo and tests share them:
- only members of a table propose, check, move and update its actions;
- an action's problem, area, period and expected effect (the pre-registration) change only while it is
  an idea or in discussion; from agreement on they are frozen (the models and triggers refuse too);
- an action becomes "afgesproken" only when, per partner (gemeente, politie, buurtpreventie), the
  latest golden-triangle check of at least one representative agrees;
- stopping needs a reason; evaluating stores the measured effect as it was at that moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import User
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.impact.models import (
    FROZEN_STATUSES,
    PROCESS_METRICS,
    TRANSITIONS,
    Action,
    ActionStatus,
    ActionTransition,
    ActionType,
    Commitment,
    Comparison,
    Direction,
    EffectKind,
    ExpectedEffect,
    Partner,
    PartnerMember,
    PartnerTable,
    ProgressUpdate,
    TriangleCheck,
    membership_partner,
)
from buurtonderzoek.jobs.actions import request_job
from buurtonderzoek.jobs.models import Job
from buurtonderzoek.places.models import Buurt, Gemeente, Wijk

REMINDER_DAYS = 3  # commitments due within this many days get one reminder


class EffectSpec(TypedDict):
    kind: str
    key: str
    direction: str
    size: float


class CommitmentSpec(TypedDict, total=False):
    partner: str
    what: str
    due_on: date
    owner: User | None


def member_of(table: PartnerTable, user: Any) -> PartnerMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return PartnerMember.objects.filter(table=table, user=user).first()


def _require_member(table: PartnerTable, user: Any) -> PartnerMember | None:
    """The user's seat at the table; admins act without one. Others get a Dutch refusal."""
    member = member_of(table, user)
    if member is None and not getattr(user, "is_superuser", False):
        raise PermissionDenied(_("Alleen deelnemers aan dit driehoeksoverleg kunnen dit doen."))
    return member


# --- Tables -------------------------------------------------------------------------------------


def create_table(
    gemeente: Gemeente, *, by: Any, name: str, wijk: Wijk | None = None, share_library: bool = False
) -> PartnerTable:
    """A gemeente officer (or admin) convenes a table; they take the gemeente's seat."""
    partner = membership_partner(by, gemeente)
    if partner != Partner.GEMEENTE and not by.is_superuser:
        raise PermissionDenied(_("Alleen de gemeente kan een driehoeksoverleg starten."))
    if wijk is not None and wijk.gemeente_id != gemeente.pk:
        raise ValidationError(_("Kies een wijk in deze gemeente."))
    if PartnerTable.objects.filter(gemeente=gemeente, name=name).exists():
        raise ValidationError(_("Er is al een driehoeksoverleg met deze naam. Kies een andere naam."))
    with transaction.atomic():
        table = PartnerTable.objects.create(
            gemeente=gemeente, wijk=wijk, name=name, share_library=share_library, created_by=by
        )
        if partner == Partner.GEMEENTE:
            PartnerMember.objects.create(table=table, user=by, partner=partner, role=_("adviseur OOV"))
        record(by, AuditAction.CREATE, table, summary=f"Driehoeksoverleg {name} gestart")
    return table


def add_member(table: PartnerTable, *, by: Any, user: User, role: str) -> PartnerMember:
    """Seat a user; their partner follows from their membership in the table's gemeente."""
    _require_member(table, by)
    partner = membership_partner(user, table.gemeente)
    if partner is None:
        raise ValidationError(
            _("Deze persoon werkt niet voor de gemeente, de politie of een team in %(gemeente)s.")
            % {"gemeente": table.gemeente.name}
        )
    if PartnerMember.objects.filter(table=table, user=user).exists():
        raise ValidationError(_("Deze persoon zit al aan tafel."))
    with transaction.atomic():
        member = PartnerMember.objects.create(table=table, user=user, partner=partner, role=role.strip()[:80])
        record(by, AuditAction.CREATE, member, summary=f"Deelnemer toegevoegd aan {table.name} ({partner})")
    return member


def set_library_sharing(table: PartnerTable, *, by: Any, share: bool) -> None:
    """The gemeente's opt-in to share evaluated actions with other gemeenten."""
    member = _require_member(table, by)
    if member is not None and member.partner != Partner.GEMEENTE:
        raise PermissionDenied(_("Alleen de gemeente beslist over delen met andere gemeenten."))
    with transaction.atomic():
        PartnerTable.objects.filter(pk=table.pk).update(share_library=share)
        table.share_library = share
        record(by, AuditAction.UPDATE, table, summary=f"Delen in bibliotheek: {'aan' if share else 'uit'}")


# --- Proposing and shaping an action -------------------------------------------------------------


def request_buurtbeeld(table: PartnerTable, *, by: Any) -> Job:
    """The buurtbeeld of the table's area as PDF, made by the jobs app (the caller may see the table)."""
    with transaction.atomic():
        record(by, AuditAction.EXPORT, table, summary="Buurtbeeld (pdf) aangevraagd")
        return request_job(
            "impact.buurtbeeld",
            by=by,
            params={"table": table.pk},
            title=_("Buurtbeeld voor %(name)s") % {"name": table.name},
            back_url=reverse("impact:buurtbeeld", args=[table.pk]),
        )


def _check_area(table: PartnerTable, buurten: Sequence[Buurt]) -> None:
    if not buurten:
        raise ValidationError(_("Kies minstens één buurt waar de actie plaatsvindt."))
    for buurt in buurten:
        if buurt.gemeente_id != table.gemeente_id or (table.wijk_id and buurt.wijk_id != table.wijk_id):
            raise ValidationError(
                _("Buurt %(buurt)s valt buiten het gebied van dit overleg. Kies buurten uit %(area)s.")
                % {"buurt": buurt.name, "area": table.wijk or table.gemeente}
            )


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError(_("De einddatum ligt vóór de startdatum. Kies een einddatum na de start."))


def _clean_effects(effects: Iterable[EffectSpec]) -> list[EffectSpec]:
    from buurtonderzoek.impact.effect import indicator_choices

    indicators = dict(indicator_choices())
    cleaned: list[EffectSpec] = []
    seen: set[tuple[str, str]] = set()
    for spec in effects:
        kind, key = spec["kind"], spec["key"]
        known = indicators if kind == EffectKind.INDICATOR else PROCESS_METRICS
        if kind not in EffectKind.values or key not in known:
            raise ValidationError(_("Onbekende indicator of procesdoel: %(key)s.") % {"key": key})
        if spec["direction"] not in Direction.values:
            raise ValidationError(_("Kies als richting omhoog of omlaag."))
        size = float(spec["size"])
        if not size > 0:
            raise ValidationError(_("De verwachte grootte moet groter zijn dan 0."))
        if (kind, key) in seen:
            raise ValidationError(_("Elke indicator mag maar één keer in het verwachte effect staan."))
        seen.add((kind, key))
        cleaned.append(EffectSpec(kind=kind, key=key, direction=spec["direction"], size=size))
    return cleaned


def propose_action(
    table: PartnerTable,
    *,
    by: Any,
    title: str,
    buurten: Sequence[Buurt],
    problem: str,
    plan: str,
    starts_on: date,
    ends_on: date,
    action_type: str = ActionType.OTHER,
    problem_indicator: str = "",
    evidence: str = "",
    comparison: str = Comparison.GEMEENTE,
    effects: Iterable[EffectSpec] = (),
    commitments: Iterable[CommitmentSpec] = (),
) -> Action:
    member = _require_member(table, by)
    _check_area(table, buurten)
    _check_period(starts_on, ends_on)
    if action_type not in ActionType.values:
        raise ValidationError(_("Kies een soort actie uit de lijst."))
    if comparison not in Comparison.values:
        raise ValidationError(_("Kies waarmee het effect wordt vergeleken."))
    cleaned = _clean_effects(effects)
    with transaction.atomic():
        action = Action.objects.create(
            table=table,
            title=title.strip()[:160],
            action_type=action_type,
            problem=problem,
            problem_indicator=problem_indicator,
            evidence=evidence,
            plan=plan,
            starts_on=starts_on,
            ends_on=ends_on,
            comparison=comparison,
            proposed_by=by,
            proposed_partner=member.partner if member else Partner.GEMEENTE,
        )
        action.buurten.set(buurten)
        ExpectedEffect.objects.bulk_create(ExpectedEffect(action=action, **spec) for spec in cleaned)
        for commitment in commitments:
            _add_commitment(action, commitment)
        _append(action, from_status="", to=ActionStatus.IDEA, by=by, note="")
        record(by, AuditAction.CREATE, action, summary=f"Actie voorgesteld: {action.title}"[:255])
    return action


def _refuse_when_frozen(action: Action) -> None:
    if action.status in FROZEN_STATUSES:
        raise ValidationError(
            _(
                "Deze actie is afgesproken: probleem, gebied, periode en verwacht effect liggen vast "
                "(vooraf vastgelegd). Stel een nieuwe actie voor als het anders moet."
            )
        )


def update_action(
    action: Action,
    *,
    by: Any,
    buurten: Sequence[Buurt] | None = None,
    effects: Iterable[EffectSpec] | None = None,
    **changes: Any,
) -> Action:
    """Change the proposal while it is an idea or in discussion."""
    _require_member(action.table, by)
    editable = {
        "title",
        "action_type",
        "problem",
        "problem_indicator",
        "evidence",
        "plan",
        "starts_on",
        "ends_on",
        "comparison",
    }
    unknown = set(changes) - editable
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        _refuse_when_frozen(current)
        for name, value in changes.items():
            setattr(current, name, value)
        _check_period(current.starts_on, current.ends_on)
        current.save()
        if buurten is not None:
            _check_area(current.table, buurten)
            current.buurten.set(buurten)
        if effects is not None:
            cleaned = _clean_effects(effects)
            current.expected_effects.all().delete()
            ExpectedEffect.objects.bulk_create(ExpectedEffect(action=current, **spec) for spec in cleaned)
        record(by, AuditAction.UPDATE, current, summary="Voorstel gewijzigd", data={"fields": sorted(changes)})
    return current


def _add_commitment(action: Action, spec: CommitmentSpec) -> Commitment:
    if spec.get("partner") not in Partner.values:
        raise ValidationError(_("Kies welke partner dit toezegt."))
    if not str(spec.get("what", "")).strip():
        raise ValidationError(_("Beschrijf wat de partner toezegt."))
    if "due_on" not in spec:
        raise ValidationError(_("Geef een datum waarop de toezegging klaar is."))
    return Commitment.objects.create(
        action=action,
        partner=spec["partner"],
        what=str(spec["what"]).strip()[:300],
        due_on=spec["due_on"],
        owner=spec.get("owner"),
    )


def add_commitment(action: Action, *, by: Any, spec: CommitmentSpec) -> Commitment:
    _require_member(action.table, by)
    if action.status in (ActionStatus.EVALUATED, ActionStatus.STOPPED):
        raise ValidationError(_("Deze actie is afgerond; toezeggingen kunnen niet meer worden toegevoegd."))
    with transaction.atomic():
        commitment = _add_commitment(action, spec)
        record(by, AuditAction.CREATE, commitment, summary=f"Toezegging {commitment.partner}: {commitment.what}"[:255])
    return commitment


def complete_commitment(commitment: Commitment, *, by: Any) -> Commitment:
    _require_member(commitment.action.table, by)
    with transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk, done_at__isnull=True).update(done_at=timezone.now())
        commitment.refresh_from_db()
        record(by, AuditAction.UPDATE, commitment, summary="Toezegging gedaan")
    return commitment


# --- The golden triangle ------------------------------------------------------------------------


def check_triangle(
    action: Action,
    *,
    by: Any,
    worth: str,
    shows_how: str,
    value_score: int,
    quality_score: int,
    binding_score: int,
    agrees: bool,
    comment: str = "",
) -> TriangleCheck:
    """One representative's check. Appended; the latest per person counts, earlier ones stay as reasons."""
    member = member_of(action.table, by)
    if member is None:
        raise PermissionDenied(_("Alleen deelnemers aan dit driehoeksoverleg kunnen de actie toetsen."))
    if action.status not in (ActionStatus.IDEA, ActionStatus.DISCUSSION):
        raise ValidationError(
            _("De toets kan alleen vóór de afspraak; deze actie is %(status)s.")
            % {"status": action.get_status_display()}
        )
    for score in (value_score, quality_score, binding_score):
        if not 1 <= int(score) <= 5:
            raise ValidationError(_("Geef elk cijfer van 1 tot en met 5."))
    if not worth.strip() or not shows_how.strip():
        raise ValidationError(_("Schrijf op wat de actie uw partij oplevert en hoe dat zal blijken."))
    if not agrees and not comment.strip():
        raise ValidationError(_("Leg uit waarom u (nog) niet akkoord bent, zodat de anderen kunnen bijsturen."))
    with transaction.atomic():
        check = TriangleCheck.objects.create(
            action=action,
            member=member,
            partner=member.partner,
            worth=worth.strip(),
            shows_how=shows_how.strip(),
            value_score=value_score,
            quality_score=quality_score,
            binding_score=binding_score,
            agrees=agrees,
            comment=comment.strip(),
        )
        record(
            by,
            AuditAction.CREATE,
            check,
            summary=f"Toets gouden driehoek ({member.partner}): {'akkoord' if agrees else 'niet akkoord'}",
        )
    return check


def latest_checks(action: Action, checks: Iterable[TriangleCheck] | None = None) -> dict[int, TriangleCheck]:
    """member id -> that member's latest check."""
    latest: dict[int, TriangleCheck] = {}
    rows = checks if checks is not None else action.checks.order_by("at", "id")
    for check in sorted(rows, key=lambda c: (c.at, c.pk)):
        latest[check.member_id] = check
    return latest


def missing_partners(action: Action, checks: Iterable[TriangleCheck] | None = None) -> list[str]:
    """Partners without an agreeing representative (by their latest check); empty means agreed."""
    agreeing = {c.partner for c in latest_checks(action, checks).values() if c.agrees}
    return [p for p in Partner.values if p not in agreeing]


# --- Lifecycle ----------------------------------------------------------------------------------


class InvalidTransition(ValidationError):
    pass


def transition_action(
    action: Action, *, to: str, by: Any, note: str = "", today: date | None = None
) -> ActionTransition:
    _require_member(action.table, by)
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if to not in TRANSITIONS.get(current.status, frozenset()):
            raise InvalidTransition(
                _("Een actie met status '%(from)s' kan niet naar '%(to)s'.")
                % {
                    "from": current.get_status_display(),
                    "to": ActionStatus(to).label if to in ActionStatus.values else to,
                }
            )
        updates: dict[str, Any] = {"status": to}
        if to == ActionStatus.STOPPED:
            if not note.strip():
                raise ValidationError(_("Schrijf op waarom de actie stopt; die reden blijft bewaard."))
            updates["stop_reason"] = note.strip()[:500]
        if to == ActionStatus.AGREED:
            missing = missing_partners(current)
            if missing:
                raise InvalidTransition(
                    _("Nog niet akkoord: %(partners)s. Eén vertegenwoordiger van elke partner moet akkoord zijn.")
                    % {"partners": ", ".join(str(Partner(p).label) for p in missing)}
                )
            if not current.expected_effects.filter(kind=EffectKind.INDICATOR).exists():
                raise InvalidTransition(
                    _("Leg eerst vast welk effect u verwacht op minstens één monitorindicator (vooraf vastleggen).")
                )
            updates["agreed_at"] = timezone.now()
        if to == ActionStatus.EVALUATED:
            from buurtonderzoek.impact.effect import measure

            result = measure(current, today=today)
            if result.follow_up is None:
                raise InvalidTransition(
                    _("Er is nog geen afgesloten meetronde na de afgesproken periode; evalueren kan daarna.")
                )
            updates["evaluation"] = result.as_dict()
        row = _append(current, from_status=current.status, to=to, by=by, note=note)
        Action.objects.filter(pk=current.pk).update(**updates)
        for name, value in updates.items():
            setattr(action, name, value)
        record(
            by,
            AuditAction.UPDATE,
            action,
            summary=f"Actiestatus {row.from_status} -> {to}",
            data={"from": row.from_status, "to": to, "note": note[:200]},
        )
        if to in (ActionStatus.AGREED, ActionStatus.EVALUATED):
            _notify_members(
                action,
                by=by,
                title=_("Actie %(status)s: %(title)s") % {"status": ActionStatus(to).label, "title": action.title},
            )
    return row


def _append(action: Action, *, from_status: str, to: str, by: Any, note: str) -> ActionTransition:
    is_user = getattr(by, "is_authenticated", False)
    return ActionTransition.objects.create(
        action=action,
        from_status=from_status,
        to_status=to,
        by=by if is_user else None,
        by_label=(str(by) if is_user else "systeem")[:254],
        note=note[:500],
    )


def add_update(action: Action, *, by: Any, text: str) -> ProgressUpdate:
    member = _require_member(action.table, by)
    if not text.strip():
        raise ValidationError(_("Schrijf wat er is gebeurd."))
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            action=action, by=by, partner=member.partner if member else Partner.GEMEENTE, text=text.strip()[:1000]
        )
        record(by, AuditAction.CREATE, update, summary="Voortgang bijgewerkt")
    return update


# --- Notifications ------------------------------------------------------------------------------


def _notify_members(action: Action, *, by: Any, title: str) -> None:
    from buurtonderzoek.handoff.notifications import notify

    users = [m.user for m in action.table.members.select_related("user") if m.user_id != getattr(by, "pk", None)]
    notify(users, kind="impact", title=title, url=reverse("impact:action_detail", args=[action.pk]))


def send_commitment_reminders(*, today: date | None = None) -> int:
    """Remind owners (or else the partner's members) of open commitments due soon; each once."""
    from buurtonderzoek.handoff.notifications import notify

    today = today or timezone.localdate()
    due = (
        Commitment.objects.filter(
            done_at__isnull=True,
            reminded_at__isnull=True,
            due_on__lte=today + timedelta(days=REMINDER_DAYS),
            action__status__in=(ActionStatus.AGREED, ActionStatus.RUNNING),
        )
        .select_related("action__table", "owner")
        .order_by("pk")
    )
    sent = 0
    for commitment in due:
        with transaction.atomic():
            if commitment.owner is not None:
                users: list[Any] = [commitment.owner]
            else:
                users = [
                    m.user
                    for m in commitment.action.table.members.filter(partner=commitment.partner).select_related("user")
                ]
            notify(
                users,
                kind="impact",
                title=_("Toezegging uiterlijk %(date)s: %(what)s")
                % {"date": commitment.due_on.strftime("%d-%m-%Y"), "what": commitment.what},
                body=_("Actie: %(title)s") % {"title": commitment.action.title},
                url=reverse("impact:action_detail", args=[commitment.action_id]),
            )
            Commitment.objects.filter(pk=commitment.pk).update(reminded_at=timezone.now())
            record(None, AuditAction.UPDATE, commitment, summary="Herinnering toezegging verstuurd")
            sent += 1
    return sent
