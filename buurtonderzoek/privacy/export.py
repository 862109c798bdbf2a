"""The export of a data-subject request: one JSON document with everything stored about the person.

The document starts with an explanation in Dutch of every part (`about`), then the request it answers
(`request`), then the data per kind. Third parties' data is left out where it sits next to the
person's: the volunteer who recorded a visit, who sent an invitation, IP addresses in audit events
by someone else. Secrets (password hashes, TOTP secrets, recovery codes) are never exported; the
document says that they exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.models import AccessFailureLog, AccessLog
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import User
from buurtonderzoek.canvass.models import DoorVisit, Tip
from buurtonderzoek.handoff.retention import CONTACT_ANSWERS
from buurtonderzoek.privacy.search import Findings

FORMAT_VERSION = "1"


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def explanation() -> dict[str, Any]:
    return {
        "title": _("Uw gegevens in Open Buurtonderzoek"),
        "text": _(
            "Dit bestand bevat alle gegevens die in Open Buurtonderzoek over u zijn gevonden, op het e-mailadres "
            "of telefoonnummer dat u bij uw verzoek opgaf. Het is gemaakt op verzoek (AVG artikel 15). Tijden "
            "staan in Nederlandse tijd (ISO 8601)."
        ),
        "parts": {
            "request": _("Het verzoek: de referentie, waarop is gezocht en wanneer dit bestand is gemaakt."),
            "accounts": _(
                "Uw account(s) op het platform: naam, e-mailadressen, lidmaatschappen van teams, politie-eenheden "
                "of gemeenten, tweestapsverificatie en API-sleutels (alleen soort, naam en datums, nooit de geheime "
                "sleutel), berichten in de app, en de geschiedenis en het werk die aan het account hangen."
            ),
            "invitations": _(
                "Uitnodigingen om lid te worden van een buurtpreventieteam, verstuurd naar uw e-mailadres."
            ),
            "door_visits": _(
                "Gesprekken aan de deur waarin u toestemming gaf om contact met u op te nemen: uw contactgegevens, "
                "het adres en uw antwoorden op de vragenlijst."
            ),
            "tips": _("Tips die u via het tipformulier stuurde met uw contactgegevens."),
            "subscriptions": _("Uw aanmeldingen voor oproepen per e-mail, per buurt of gemeente."),
            "login_records": _("Inlogpogingen met uw e-mailadres, bewaard om inbraak op accounts tegen te gaan."),
            "audit_events": _(
                "Regels uit het auditlog die over u gaan of die u als gebruiker veroorzaakte. Het auditlog legt vast "
                "wie wat deed met persoonsgegevens en kan niet worden gewijzigd."
            ),
            "possible_matches": _(
                "Gegevens met dezelfde naam maar zonder uw e-mailadres of telefoonnummer. Die staan hier niet in, "
                "omdat niet vaststaat dat ze over u gaan."
            ),
            "monitor": _(
                "De Communitymonitor veiligheid (de buurtenquête) is anoniem: antwoorden worden zonder naam, adres of "
                "IP-adres opgeslagen en zijn niet aan een persoon te koppelen. Daarom is daarin niet gezocht."
            ),
        },
    }


def build_export(found: Findings, *, reference: str, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "format": f"open-buurtonderzoek/data-subject-export/{FORMAT_VERSION}",
        "about": explanation(),
        "request": {
            "reference": reference,
            "searched_for": {
                "email": found.subject.email or None,
                "phone": found.subject.phone or None,
                "name": found.subject.name or None,
            },
            "made_at": _iso(now),
        },
        "accounts": [_account(found, user) for user in found.accounts],
        "invitations": [
            {
                "id": i.pk,
                "team": str(i.team),
                "role": i.get_role_display(),
                "email": i.email,
                "sent_at": _iso(i.created_at),
                "expires_at": _iso(i.expires_at),
                "status": str(i.status.label),
            }
            for i in found.invitations
        ],
        "door_visits": [_visit(v) for v in found.visits],
        "tips": [_tip(t) for t in found.tips],
        "subscriptions": [
            {
                "id": s.pk,
                "area": s.area_label,
                "email": s.email,
                "language": s.language,
                "subscribed_at": _iso(s.created_at),
                "confirmed_at": _iso(s.confirmed_at),
                "alerts_sent": s.deliveries.count(),
            }
            for s in found.subscriptions
        ],
        "login_records": [_login_record(r) for r in found.login_records],
        "audit_events": _audit_events(found),
        "possible_matches": {
            "count": len(found.possible_visits) + len(found.possible_tips) + len(found.possible_accounts),
        },
        "monitor": {"searched": False},
    }


def _account(found: Findings, user: User) -> dict[str, Any]:
    visits = found.recorded_visits().filter(volunteer=user)
    visit_summary = visits.aggregate(count=Count("id"), first=Min("visited_at"), last=Max("visited_at"))
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.full_name,
        "active": user.is_active,
        "platform_admin": user.is_superuser,
        "joined_at": _iso(user.date_joined),
        "last_login_at": _iso(user.last_login),
        "has_password": user.has_usable_password(),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in found.email_addresses
            if a.user_id == user.pk
        ],
        "two_factor": [
            {"type": str(a.type), "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in found.authenticators
            if a.user_id == user.pk
        ],
        "api_keys": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "expires_at": _iso(t.expires_at),
                "last_used_at": _iso(t.last_used_at),
                "status": str(t.status.label),
            }
            for t in found.api_tokens
            if t.owner_id == user.pk
        ],
        "memberships": [
            {"role": m.get_role_display(), "organisation": str(m.organisation), "since": _iso(m.created_at)}
            for m in found.memberships
            if m.user_id == user.pk
        ],
        "notifications": [
            {
                "kind": n.get_kind_display(),
                "title": n.title,
                "body": n.body,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in found.notifications
            if n.user_id == user.pk
        ],
        "history": {
            "incident_status_changes": [
                {
                    "incident": t.incident_id,
                    "from": t.from_status,
                    "to": t.to_status,
                    "at": _iso(t.at),
                    "note": t.note,
                }
                for t in found.incident_transitions().filter(by=user)
            ],
            "report_status_changes": [
                {"report": t.report_id, "from": t.from_status, "to": t.to_status, "at": _iso(t.at), "note": t.note}
                for t in found.report_transitions().filter(by=user)
            ],
            "feedback_written": [
                {"report": f.report_id, "text": f.text, "at": _iso(f.created_at)}
                for f in found.feedback().filter(author=user)
            ],
            "thanks_sent": [
                {"report": t.report_id, "message": t.message, "at": _iso(t.created_at)}
                for t in found.thanks().filter(from_user=user)
            ],
            "thanks_received": [
                {"report": t.report_id, "message": t.message, "at": _iso(t.created_at)}
                for t in found.thanks().filter(to_user=user)
            ],
            "door_visits_recorded": {
                "count": visit_summary["count"],
                "first": _iso(visit_summary["first"]),
                "last": _iso(visit_summary["last"]),
            },
        },
    }


def _visit(visit: DoorVisit) -> dict[str, Any]:
    answers = visit.answers if isinstance(visit.answers, dict) else {}
    incident = visit.canvass.incident
    return {
        "id": visit.pk,
        "incident": incident.pk,
        "incident_type": incident.get_incident_type_display(),
        "visited_at": _iso(visit.visited_at),
        "address": str(visit.address),
        "outcome": visit.get_outcome_display(),
        "contact": {key: answers[key] for key in CONTACT_ANSWERS if answers.get(key) not in (None, "")},
        "answers": {key: value for key, value in answers.items() if key not in CONTACT_ANSWERS},
    }


def _tip(tip: Tip) -> dict[str, Any]:
    return {
        "id": tip.pk,
        "incident": tip.incident_id,
        "received_at": _iso(tip.created_at),
        "text": tip.text,
        "contact_consent": tip.contact_consent,
        "contact": {"name": tip.contact_name, "phone": tip.contact_phone, "email": tip.contact_email},
        "language": tip.language,
    }


def _login_record(record: Any) -> dict[str, Any]:
    if isinstance(record, AccessLog):
        kind = "login"
    elif isinstance(record, AccessFailureLog):
        kind = "failed_login"
    else:
        kind = "failed_login_counter"
    return {
        "kind": kind,
        "at": _iso(record.attempt_time),
        "ip_address": record.ip_address,
        "user_agent": record.user_agent,
        "failures": getattr(record, "failures_since_start", None),
    }


def _audit_events(found: Findings) -> list[dict[str, Any]]:
    own_labels = found.emails
    accounts = set(found.account_ids)
    events = []
    for event in found.audit_events().iterator(chunk_size=2000):
        by_the_person = event.actor_id in accounts or event.actor_label.strip().lower() in own_labels
        events.append(
            {
                "at": _iso(event.at),
                "action": event.get_action_display(),
                "by_you": by_the_person,
                "object": f"{event.object_type} {event.object_id}".strip(),
                "summary": event.summary,
                # Someone else's IP address is theirs, not the person's.
                "ip_address": event.ip_address if by_the_person else None,
            }
        )
    return events
