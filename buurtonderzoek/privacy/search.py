"""Every place the data of one person can be stored, found from the e-mail address or phone number they gave.

A person can be:
- a user account (volunteer, coordinator, police, municipal officer, admin): found by its e-mail address
  or any of its allauth e-mail addresses; with it come its e-mail addresses, two-factor authenticators,
  memberships, in-app messages, invitations to its addresses and django-axes login records;
- a witness who consented to be contacted at the door: the contact answers of door visits
  (`handoff.retention.CONTACT_ANSWERS`: name, method, phone, e-mail, e-mail for the outcome);
- a resident who left a tip with contact details (`canvass.Tip.contact_*`);
- a resident subscribed to alerts by e-mail (`signalements.Subscription`).

Once an account is found, its own e-mail addresses are searched as well. A name is never enough on its
own: visits, tips and accounts that match only on the name are reported as possible matches, to check
by hand, and are neither exported nor erased.

Kept on erasure, but found and exported: audit events by or about the person (ADR 0003) and the
histories and work records that point to the account. Monitor answers are anonymous by construction
(no name, address or link to a person) and are not searched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from buurtonderzoek.accounts.models import ApiToken, Invitation, Membership, User
from buurtonderzoek.canvass.models import DoorVisit, Tip
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.handoff.models import Notification, ReportFeedback, ReportTransition, Thanks
from buurtonderzoek.handoff.retention import CONTACT_ANSWERS, TIP_CONTACT_FIELDS
from buurtonderzoek.incidents.models import IncidentTransition
from buurtonderzoek.privacy.matching import Subject, normalise_email
from buurtonderzoek.signalements.models import Subscription

EMAIL_ANSWERS = ("contact_email", "outcome_email")
PHONE_ANSWERS = ("contact_phone",)
# What erasure removed, per kind, for people (the audit log has its own Dutch names, actions.KIND_NAMES).
REMOVED_LABELS = {
    "accounts": _lazy("accounts"),
    "email_addresses": _lazy("e-mailadressen van accounts"),
    "authenticators": _lazy("authenticators voor tweestapsverificatie"),
    "api_tokens": _lazy("API-sleutels"),
    "memberships": _lazy("lidmaatschappen"),
    "notifications": _lazy("berichten in de app"),
    "invitations": _lazy("uitnodigingen"),
    "door_visits": _lazy("deurbezoeken (contactgegevens)"),
    "tips": _lazy("tips (contactgegevens)"),
    "subscriptions": _lazy("aanmeldingen voor oproepen"),
    "login_records": _lazy("inlogregistraties"),
}
# How many short descriptions the search page shows per kind; the counts are always complete.
MAX_DESCRIPTIONS = 20


@dataclass
class Findings:
    """What was found about one person. Lists are small; the audit log stays a queryset."""

    subject: Subject
    emails: set[str] = field(default_factory=set)
    accounts: list[User] = field(default_factory=list)
    email_addresses: list[Any] = field(default_factory=list)
    authenticators: list[Any] = field(default_factory=list)
    api_tokens: list[ApiToken] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    visits: list[DoorVisit] = field(default_factory=list)
    tips: list[Tip] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    login_records: list[Any] = field(default_factory=list)
    possible_visits: list[DoorVisit] = field(default_factory=list)
    possible_tips: list[Tip] = field(default_factory=list)
    possible_accounts: list[User] = field(default_factory=list)

    @property
    def account_ids(self) -> list[int]:
        return [user.pk for user in self.accounts]

    def audit_events(self) -> QuerySet[AuditEvent]:
        """Audit events by the person's accounts, or naming one of their e-mail addresses. Kept (ADR 0003)."""
        query = Q(actor_id__in=self.account_ids) if self.accounts else Q()
        for email in sorted(self.emails):
            query |= Q(actor_label__iexact=email) | Q(summary__icontains=email) | Q(data__icontains=email)
        if not query:
            return AuditEvent.objects.none()
        return AuditEvent.objects.filter(query).order_by("at", "id")

    def incident_transitions(self) -> QuerySet[IncidentTransition]:
        return IncidentTransition.objects.filter(by__in=self.account_ids).order_by("at", "id")

    def report_transitions(self) -> QuerySet[ReportTransition]:
        return ReportTransition.objects.filter(by__in=self.account_ids).order_by("at", "id")

    def feedback(self) -> QuerySet[ReportFeedback]:
        return ReportFeedback.objects.filter(author__in=self.account_ids).order_by("created_at", "id")

    def thanks(self) -> QuerySet[Thanks]:
        accounts = self.account_ids
        return Thanks.objects.filter(Q(from_user__in=accounts) | Q(to_user__in=accounts)).order_by("created_at", "id")

    def recorded_visits(self) -> QuerySet[DoorVisit]:
        """Door visits the person recorded as a volunteer: their work, not their personal data; kept."""
        return DoorVisit.objects.filter(volunteer__in=self.account_ids).order_by("visited_at", "id")

    @property
    def erasable_count(self) -> int:
        return (
            len(self.accounts)
            + len(self.invitations)
            + len(self.visits)
            + len(self.tips)
            + len(self.subscriptions)
            + len(self.login_records)
        )


def find(subject: Subject, *, lock: bool = False) -> Findings:
    """Everything stored about `subject`. `lock` locks the accounts found, for an erasure (in a transaction);
    the erasure locks the visits and tips it changes itself, so a search never locks every visit with contact data."""
    found = Findings(subject=subject)
    if not subject.is_searchable:
        return found
    users = User.objects.select_for_update() if lock else User.objects.all()
    if subject.email:
        by_address = EmailAddress.objects.filter(email__iexact=subject.email).values("user")
        found.accounts = list(users.filter(Q(email__iexact=subject.email) | Q(pk__in=by_address)).order_by("pk"))
        found.emails.add(subject.email)
    for user in found.accounts:
        found.emails.add(normalise_email(user.email))
    found.email_addresses = list(EmailAddress.objects.filter(user__in=found.accounts).order_by("user", "pk"))
    found.emails.update(normalise_email(a.email) for a in found.email_addresses)
    found.emails.discard("")
    found.authenticators = list(Authenticator.objects.filter(user__in=found.accounts).order_by("user", "pk"))
    found.api_tokens = list(ApiToken.objects.filter(owner__in=found.accounts).order_by("owner", "pk"))
    found.memberships = list(
        Membership.objects.filter(user__in=found.accounts)
        .select_related("team", "police_unit", "gemeente")
        .order_by("user", "pk")
    )
    found.notifications = list(Notification.objects.filter(user__in=found.accounts).order_by("created_at", "pk"))
    found.invitations = list(
        Invitation.objects.filter(_iexact_any("email", found.emails)).select_related("team").order_by("pk")
    )
    found.subscriptions = list(
        Subscription.objects.filter(_iexact_any("email", found.emails))
        .select_related("buurt", "gemeente")
        .order_by("pk")
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        found.login_records += list(model.objects.filter(_iexact_any("username", found.emails)).order_by("pk"))
    _find_visits(found)
    _find_tips(found)
    _find_possible_accounts(found)
    return found


def _iexact_any(field_name: str, values: set[str]) -> Q:
    query = Q(pk__in=[])
    for value in sorted(values):
        query |= Q(**{f"{field_name}__iexact": value})
    return query


def _contact_matches(found: Findings, *, emails: list[Any], phones: list[Any]) -> bool:
    return any(normalise_email(e) in found.emails for e in emails if normalise_email(e)) or any(
        found.subject.phone_matches(p) for p in phones
    )


def _find_visits(found: Findings) -> None:
    # Only visits that still hold a contact answer can match; retention removes them after the case.
    candidates = DoorVisit.objects.filter(answers__has_any_keys=list(CONTACT_ANSWERS))
    for visit in candidates.select_related("canvass__incident", "address").order_by("pk"):
        answers = visit.answers if isinstance(visit.answers, dict) else {}
        if _contact_matches(
            found,
            emails=[answers.get(key) for key in EMAIL_ANSWERS],
            phones=[answers.get(key) for key in PHONE_ANSWERS],
        ):
            found.visits.append(visit)
        elif found.subject.name_matches(answers.get("contact_name")):
            found.possible_visits.append(visit)


def _find_tips(found: Findings) -> None:
    candidates = Tip.objects.exclude(contact_name="", contact_phone="", contact_email="")
    for tip in candidates.select_related("incident").order_by("pk"):
        if _contact_matches(found, emails=[tip.contact_email], phones=[tip.contact_phone]):
            found.tips.append(tip)
        elif found.subject.name_matches(tip.contact_name):
            found.possible_tips.append(tip)


def _find_possible_accounts(found: Findings) -> None:
    if not found.subject.name:
        return
    longest = max(found.subject.name.split(), key=len)
    candidates = User.objects.filter(full_name__icontains=longest).exclude(pk__in=found.account_ids)
    found.possible_accounts = [u for u in candidates.order_by("pk") if found.subject.name_matches(u.full_name)]


# --- short descriptions for the search page ----------------------------------------------------------


@dataclass
class FoundKind:
    key: str
    label: str
    count: int
    descriptions: list[str]
    # "erase": removed or blanked on erasure; "keep": kept, with the reason; "check": name only, not touched.
    treatment: str
    note: str = ""

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.descriptions))


def _date(value: Any) -> str:
    return str(formats.date_format(value, "SHORT_DATE_FORMAT")) if value is not None else "-"


def _contact_fields(values: dict[str, Any], keys: tuple[str, ...]) -> str:
    names = {
        "contact_name": _("naam"),
        "contact_method": _("voorkeur voor contact"),
        "contact_phone": _("telefoonnummer"),
        "contact_email": _("e-mailadres"),
        "outcome_email": _("e-mailadres voor de uitkomst"),
    }
    present = [names[key] for key in keys if values.get(key) not in (None, "")]
    return ", ".join(present) or "-"


def describe_visit(visit: DoorVisit) -> str:
    answers = visit.answers if isinstance(visit.answers, dict) else {}
    return _("Incident %(incident)s, gesprek aan de deur op %(date)s: %(fields)s") % {
        "incident": visit.canvass.incident_id,
        "date": _date(visit.visited_at),
        "fields": _contact_fields(answers, CONTACT_ANSWERS),
    }


def describe_tip(tip: Tip) -> str:
    values = {key: getattr(tip, key) for key in TIP_CONTACT_FIELDS}
    return _("Incident %(incident)s, tip van %(date)s: %(fields)s") % {
        "incident": tip.incident_id,
        "date": _date(tip.created_at),
        "fields": _contact_fields(values, TIP_CONTACT_FIELDS),
    }


def describe_account(user: User, memberships: list[Membership] | None) -> str:
    state = _("actief") if user.is_active else _("niet actief")
    if memberships is None:
        return _("Account %(id)s (%(state)s), sinds %(date)s") % {
            "id": user.pk,
            "state": state,
            "date": _date(user.date_joined),
        }
    roles = ", ".join(f"{m.get_role_display()} ({m.organisation})" for m in memberships if m.user_id == user.pk)
    if user.is_superuser:
        roles = ", ".join(filter(None, [_("platformbeheerder"), roles]))
    return _("Account %(id)s (%(state)s), sinds %(date)s: %(roles)s") % {
        "id": user.pk,
        "state": state,
        "date": _date(user.date_joined),
        "roles": roles or _("geen rol"),
    }


def describe_login_record(record: Any) -> str:
    if isinstance(record, AccessLog):
        text = _("Ingelogd op %(date)s")
    elif isinstance(record, AccessFailureLog):
        text = _("Mislukte inlogpoging op %(date)s")
    else:
        text = _("Teller van mislukte inlogpogingen, laatste op %(date)s")
    return text % {"date": _date(record.attempt_time)}


def describe(found: Findings) -> list[FoundKind]:
    """The search page's overview: counts and short descriptions per kind, never the data itself."""
    kinds: list[FoundKind] = []

    def add(
        key: str, label: str, items: list[str], treatment: str, *, count: int | None = None, note: str = ""
    ) -> None:
        total = len(items) if count is None else count
        if total:
            kinds.append(FoundKind(key, label, total, items[:MAX_DESCRIPTIONS], treatment, note))

    add("accounts", _("Accounts"), [describe_account(u, found.memberships) for u in found.accounts], "erase")
    add(
        "account_details",
        _("Bij het account: e-mailadressen, tweestapsverificatie, API-sleutels, lidmaatschappen, berichten"),
        [],
        "erase",
        count=len(found.email_addresses)
        + len(found.authenticators)
        + len(found.api_tokens)
        + len(found.memberships)
        + len(found.notifications),
        note=_(
            "%(addresses)s e-mailadres(sen), %(authenticators)s authenticator(s), %(tokens)s API-sleutel(s), "
            "%(memberships)s lidmaatschap(pen), %(notifications)s bericht(en)"
        )
        % {
            "addresses": len(found.email_addresses),
            "authenticators": len(found.authenticators),
            "tokens": len(found.api_tokens),
            "memberships": len(found.memberships),
            "notifications": len(found.notifications),
        },
    )
    add(
        "invitations",
        _("Uitnodigingen aan dit e-mailadres"),
        [
            _("Uitnodiging %(id)s voor team %(team)s, %(date)s (%(status)s)")
            % {"id": i.pk, "team": i.team, "date": _date(i.created_at), "status": i.status.label}
            for i in found.invitations
        ],
        "erase",
    )
    add("visits", _("Contactgegevens als getuige (deurbezoeken)"), [describe_visit(v) for v in found.visits], "erase")
    add("tips", _("Contactgegevens bij tips"), [describe_tip(t) for t in found.tips], "erase")
    add(
        "subscriptions",
        _("Aanmeldingen voor oproepen per e-mail"),
        [
            _("%(area)s, aangemeld op %(date)s (%(state)s)")
            % {
                "area": s.area_label,
                "date": _date(s.created_at),
                "state": _("bevestigd") if s.confirmed_at else _("niet bevestigd"),
            }
            for s in found.subscriptions
        ],
        "erase",
    )
    add(
        "login_records",
        _("Inlogpogingen (beveiliging, django-axes)"),
        [describe_login_record(r) for r in found.login_records],
        "erase",
    )
    events = found.audit_events()
    event_count = events.count()
    add(
        "audit_events",
        _("Auditlog"),
        [],
        "keep",
        count=event_count,
        note=ngettext(
            "%(n)s gebeurtenis. Blijft bewaard: het auditlog kan niet worden gewijzigd (ADR 0003).",
            "%(n)s gebeurtenissen. Blijven bewaard: het auditlog kan niet worden gewijzigd (ADR 0003).",
            event_count,
        )
        % {"n": event_count},
    )
    if found.accounts:
        history = (
            found.incident_transitions().count()
            + found.report_transitions().count()
            + found.feedback().count()
            + found.thanks().count()
            + found.recorded_visits().count()
        )
        add(
            "history",
            _("Geschiedenis en werk via het account"),
            [],
            "keep",
            count=history,
            note=_(
                "Statuswijzigingen, terugkoppeling, bedankjes en vastgelegde deurbezoeken blijven bewaard; ze wijzen "
                "naar het geanonimiseerde account."
            ),
        )
    add(
        "possible",
        _("Mogelijk dezelfde persoon (alleen de naam is gelijk)"),
        [describe_visit(v) for v in found.possible_visits]
        + [describe_tip(t) for t in found.possible_tips]
        + [describe_account(u, None) for u in found.possible_accounts],
        "check",
        note=_(
            "Niet meegenomen in export en verwijderen. Vraag de betrokkene om het e-mailadres of telefoonnummer "
            "dat bij deze gegevens hoort."
        ),
    )
    return kinds
