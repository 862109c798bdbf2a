"""Data-subject requests (AVG articles 15 and 17): look up, export and erase one person's data.

The web page (`views.py`) and the command `data_subject_request` both call these. Every call is
recorded in the audit log under the request's reference: the search and the export as reads of
personal data, the erasure as a removal with the kinds and counts (and row ids) of what was removed,
never the data itself. The person's e-mail address or phone number is not written to the log.

Erasure, in one transaction:
- witness contact answers of door visits are stripped with the retention module's `strip_visit_contacts`
  (the same fields retention removes after the case closes), tip contact fields are emptied; the
  police PDFs that printed them are rendered again (`retention.rerender_reports`);
- alert subscriptions are deleted through `signalements.actions.unsubscribe`;
- an account is deactivated and blanked, not deleted (ADR 0003: audit events and histories point to
  it): name emptied, e-mail replaced by `verwijderd-<id>@verwijderd.invalid`, password made unusable,
  staff and admin rights taken away; its allauth e-mail addresses, two-factor authenticators, API keys,
  memberships and in-app messages are deleted;
- invitations sent to the address get a placeholder address (and are revoked while open);
- django-axes login records for the address are deleted.
Running it again finds nothing to remove.

Also here: publishing a version of the public privacy statement (statement.py decides when).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import ApiToken, Invitation, Membership, User
from buurtonderzoek.canvass.models import DoorVisit, Tip
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.handoff.models import Notification, PoliceReport
from buurtonderzoek.handoff.retention import (
    TIP_CONTACT_FIELDS,
    blank_tip_contacts,
    rerender_reports,
    strip_visit_contacts,
)
from buurtonderzoek.privacy.export import build_export
from buurtonderzoek.privacy.matching import Subject
from buurtonderzoek.privacy.models import PrivacyStatement
from buurtonderzoek.privacy.search import Findings, find
from buurtonderzoek.signalements.actions import unsubscribe

OBJECT_TYPE = "privacy.DataSubjectRequest"
MAX_REFERENCE_LENGTH = 64
# How the removed kinds are named in the audit log's Dutch summaries.
KIND_NAMES = {
    "accounts": "accounts",
    "email_addresses": "e-mailadressen",
    "authenticators": "authenticators",
    "api_tokens": "API-sleutels",
    "memberships": "lidmaatschappen",
    "notifications": "berichten",
    "invitations": "uitnodigingen",
    "door_visits": "deurbezoeken",
    "tips": "tips",
    "subscriptions": "aanmeldingen voor oproepen",
    "login_records": "inlogregistraties",
}


def placeholder_email(kind: str, pk: int) -> str:
    # The reserved top-level domain .invalid (RFC 2606): never deliverable, and still a valid address.
    return f"verwijderd-{kind}{pk}@verwijderd.invalid"


def account_placeholder(user_id: int) -> str:
    return placeholder_email("", user_id)


def _clean_reference(reference: str) -> str:
    reference = " ".join(reference.split())
    if not reference:
        raise ValidationError(_("Vul de referentie van het verzoek in, bijvoorbeeld het zaaknummer."))
    return reference[:MAX_REFERENCE_LENGTH]


def _require_searchable(subject: Subject) -> None:
    if not subject.is_searchable:
        raise ValidationError(_("Vul een geldig e-mailadres of telefoonnummer in om op te zoeken."))


def _counts(found: Findings) -> dict[str, int]:
    return {
        "accounts": len(found.accounts),
        "email_addresses": len(found.email_addresses),
        "authenticators": len(found.authenticators),
        "api_tokens": len(found.api_tokens),
        "memberships": len(found.memberships),
        "notifications": len(found.notifications),
        "invitations": len(found.invitations),
        "door_visits": len(found.visits),
        "tips": len(found.tips),
        "subscriptions": len(found.subscriptions),
        "login_records": len(found.login_records),
        "possible_matches": len(found.possible_visits) + len(found.possible_tips) + len(found.possible_accounts),
    }


def search_subject(subject: Subject, *, by: Any, reference: str, request: HttpRequest | None = None) -> Findings:
    """Find the person's data; the look-up itself is a read of personal data, and logged."""
    reference = _clean_reference(reference)
    _require_searchable(subject)
    found = find(subject)
    record(
        by,
        AuditAction.READ_PERSONAL,
        object_type=OBJECT_TYPE,
        object_id=reference,
        summary=f"Verzoek van betrokkene {reference}: gegevens opgezocht",
        data={"reference": reference, "searched_on": _searched_on(subject), "found": _counts(found)},
        request=request,
    )
    return found


def export_subject_data(
    subject: Subject, *, by: Any, reference: str, request: HttpRequest | None = None
) -> dict[str, Any]:
    """The export document (export.py); recorded as an export of personal data."""
    reference = _clean_reference(reference)
    _require_searchable(subject)
    found = find(subject)
    document = build_export(found, reference=reference)
    record(
        by,
        AuditAction.EXPORT,
        object_type=OBJECT_TYPE,
        object_id=reference,
        summary=f"Verzoek van betrokkene {reference}: gegevens geëxporteerd",
        data={
            "reference": reference,
            "searched_on": _searched_on(subject),
            "exported": _counts(found) | {"audit_events": len(document["audit_events"])},
            "ids": _ids(found),
        },
        request=request,
    )
    return document


def _searched_on(subject: Subject) -> list[str]:
    # Which kinds of identifier were used, never their values.
    return [
        kind for kind, value in (("email", subject.email), ("phone", subject.phone), ("name", subject.name)) if value
    ]


def _ids(found: Findings) -> dict[str, list[int]]:
    return {
        "accounts": found.account_ids,
        "invitations": [i.pk for i in found.invitations],
        "door_visits": [v.pk for v in found.visits],
        "tips": [t.pk for t in found.tips],
        "subscriptions": [s.pk for s in found.subscriptions],
    }


@dataclass
class ErasureResult:
    reference: str
    removed: dict[str, int] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)
    reports_rerendered: list[int] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return any(self.removed.values())


def erase_subject_data(
    subject: Subject, *, by: Any, reference: str, request: HttpRequest | None = None
) -> ErasureResult:
    """Remove or blank everything found about the person (see the module docstring). Idempotent."""
    reference = _clean_reference(reference)
    _require_searchable(subject)
    with transaction.atomic():
        found = find(subject, lock=True)
        if by is not None and any(user.pk == getattr(by, "pk", None) for user in found.accounts):
            raise ValidationError(
                _("Dit is uw eigen account. Laat een andere beheerder het verzoek uitvoeren."), code="own_account"
            )
        result = ErasureResult(reference=reference, ids=_ids(found))
        removed = dict.fromkeys(_counts(found), 0)
        removed.pop("possible_matches")
        removed["door_visits"], removed["tips"], result.reports_rerendered = _erase_contacts(
            found, by=by, reference=reference
        )
        for subscription in found.subscriptions:
            unsubscribe(subscription)
            removed["subscriptions"] += 1
        for user in found.accounts:
            for key, count in _blank_account(user, by=by, reference=reference).items():
                removed[key] += count
        removed["invitations"] = _blank_invitations(found.invitations, by=by)
        for login_record in found.login_records:
            login_record.delete()
            removed["login_records"] += 1
        result.removed = removed
        what = ", ".join(f"{count} {KIND_NAMES[key]}" for key, count in removed.items() if count) or "niets gevonden"
        record(
            by,
            AuditAction.DELETE,
            object_type=OBJECT_TYPE,
            object_id=reference,
            summary=f"Verzoek van betrokkene {reference}: gegevens verwijderd ({what})"[:255],
            data={
                "reference": reference,
                "searched_on": _searched_on(subject),
                "removed": removed,
                "ids": result.ids,
                "reports_rerendered": result.reports_rerendered,
                "kept": ["audit_events", "histories", "door_visit_answers_without_contact", "tip_texts"],
            },
            request=request,
        )
    return result


def _erase_contacts(found: Findings, *, by: Any, reference: str) -> tuple[int, int, list[int]]:
    """Witness contact answers and tip contact fields, per incident, as retention removes them."""
    visits_by_incident: dict[int, list[int]] = defaultdict(list)
    tips_by_incident: dict[int, list[int]] = defaultdict(list)
    fields_by_incident: dict[int, set[str]] = defaultdict(set)
    # Through retention's functions: one way to remove contact data, whatever asks for it.
    stripped = strip_visit_contacts(DoorVisit.objects.filter(pk__in=[v.pk for v in found.visits]))
    incident_of_visit = dict(DoorVisit.objects.filter(pk__in=list(stripped)).values_list("pk", "canvass__incident_id"))
    for visit_id, removed in stripped.items():
        incident_id = incident_of_visit[visit_id]
        visits_by_incident[incident_id].append(visit_id)
        fields_by_incident[incident_id].update(removed)
    tip_ids = blank_tip_contacts(Tip.objects.filter(pk__in=[t.pk for t in found.tips]))
    for tip_id, incident_id in Tip.objects.filter(pk__in=tip_ids).values_list("pk", "incident_id"):
        tips_by_incident[incident_id].append(tip_id)
        fields_by_incident[incident_id].update(f"tip.{name}" for name in TIP_CONTACT_FIELDS)
    reports: list[int] = []
    for incident_id in sorted(set(visits_by_incident) | set(tips_by_incident)):
        visit_ids, tip_ids = visits_by_incident[incident_id], tips_by_incident[incident_id]
        # A report's PDF for the police printed the contact details: make it again without them.
        rerender = [
            report.pk
            for report in PoliceReport.objects.filter(incident_id=incident_id).only("id", "witness_sources")
            if _cites(report.witness_sources, visit_ids, tip_ids)
        ]
        reports += rerender
        record(
            by,
            AuditAction.DELETE,
            object_type="incidents.Incident",
            object_id=incident_id,
            summary=f"Verzoek van betrokkene {reference}: contactgegevens verwijderd ({len(visit_ids)} bezoeken, "
            f"{len(tip_ids)} tips)",
            data={
                "reference": reference,
                "visits": visit_ids,
                "tips": tip_ids,
                "fields": sorted(fields_by_incident[incident_id]),
                "reports_rerendered": rerender,
            },
        )
    rerender_reports(reports)
    return sum(map(len, visits_by_incident.values())), sum(map(len, tips_by_incident.values())), reports


def _cites(sources: Any, visit_ids: list[int], tip_ids: list[int]) -> bool:
    if not isinstance(sources, dict):
        return False
    for source in sources.values():
        if isinstance(source, dict) and (source.get("visit") in visit_ids or source.get("tip") in tip_ids):
            return True
    return False


def _blank_account(user: User, *, by: Any, reference: str) -> dict[str, int]:
    removed = {
        "email_addresses": EmailAddress.objects.filter(user=user).delete()[0],
        "authenticators": Authenticator.objects.filter(user=user).delete()[0],
        # Deactivating the account already stops its keys (accounts.tokens); the rows and their names go too.
        "api_tokens": ApiToken.objects.filter(owner=user).delete()[0],
        "notifications": Notification.objects.filter(user=user).delete()[0],
        "memberships": 0,
    }
    for membership in Membership.objects.filter(user=user).select_related("team", "police_unit", "gemeente"):
        record(
            by,
            AuditAction.DELETE,
            membership,
            summary=f"Verzoek van betrokkene {reference}: lidmaatschap van account {user.pk} beëindigd "
            f"({membership.get_role_display()}, {membership.organisation})",
            data={"reference": reference, "user": user.pk, "role": membership.role},
        )
        membership.delete()
        removed["memberships"] += 1
    user.email = account_placeholder(user.pk)
    user.full_name = user.first_name = user.last_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save(
        update_fields=[
            "email",
            "full_name",
            "first_name",
            "last_name",
            "is_active",
            "is_staff",
            "is_superuser",
            "password",
        ]
    )
    record(
        by,
        AuditAction.UPDATE,
        user,
        summary=f"Verzoek van betrokkene {reference}: account {user.pk} gedeactiveerd en geanonimiseerd",
        data={"reference": reference, "removed": removed, "fields": ["email", "full_name", "password"]},
    )
    return removed | {"accounts": 1}


def _blank_invitations(invitations: list[Invitation], *, by: Any) -> int:
    now = timezone.now()
    for invitation in invitations:
        changes: dict[str, Any] = {"email": placeholder_email("uitnodiging-", invitation.pk)}
        if invitation.is_open:
            changes |= {"revoked_at": now, "revoked_by": by if isinstance(by, User) else None}
        Invitation.objects.filter(pk=invitation.pk).update(**changes)
    return len(invitations)


def publish_privacy_statement(*, revision: int, values: dict[str, Any], by: Any = None) -> PrivacyStatement:
    """Freeze the statement's text revision with these settings as a new version (once per combination)."""
    from buurtonderzoek.privacy.statement import fingerprint

    key = fingerprint(revision, values)
    try:
        with transaction.atomic():
            statement = PrivacyStatement.objects.create(revision=revision, values=values, fingerprint=key)
            record(
                by,
                AuditAction.CREATE,
                statement,
                summary=f"Privacyverklaring versie {statement.version} gepubliceerd",
                data={"revision": revision, "values": values},
            )
    except IntegrityError:
        # Another request published the same combination a moment ago.
        existing: PrivacyStatement = PrivacyStatement.objects.get(fingerprint=key)
        return existing
    return statement
