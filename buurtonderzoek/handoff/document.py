"""The structured police report: a JSON document with a versioned, documented schema.

`build_document` turns a consolidation and its quality score into the document stored on the
report (schema `report_schema.json`, described in docs/police-report.md). The stored document never
holds witness contact data. `with_contacts` adds it when a police user reads the report, for the
witnesses who consented only, looked up live from the visits and tips so that retention removes it
everywhere at once.

Changing the shape? Add fields freely (consumers must ignore unknown fields); renaming or removing
one needs a new major schema version, a new schema file and a note in docs/police-report.md.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from buurtonderzoek.canvass.models import DoorVisit, Tip
from buurtonderzoek.handoff.models import SCHEMA_VERSION
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.signalements.consolidation import (
    CameraLead,
    Consolidation,
    Signalement,
    Statement,
    TimelineEntry,
)
from buurtonderzoek.signalements.drafting import check_signalement
from buurtonderzoek.signalements.quality import Quality

SCHEMA_FILE = Path(__file__).with_name("report_schema.json")
SCHEMA_ID = f"https://open-buurtonderzoek.nl/schemas/police-report/{SCHEMA_VERSION}"
CONTACT_KEYS = ("contact_name", "contact_method", "contact_phone", "contact_email")
# Answers copied per witness, besides the person and vehicle blocks that go into the signalementen.
WITNESS_KEYS = (
    "respondent_type",
    "present",
    "seen_anything",
    "what",
    "what_time",
    "what_point",
    "what_place",
    "persons_count",
    "vehicles_seen",
    "flight_direction",
    "unusual_before",
    "unusual_before_what",
    "other_witnesses",
    "other_witnesses_who",
    "bike_make",
    "bike_colour",
    "bike_lock",
    "bike_lock_details",
    "car_taken",
    "car_damage",
    "car_damage_details",
    "entry_point",
    "sounds_heard",
    "sounds_details",
)


@cache
def json_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _json_value(value: Any) -> Any:
    """Values as JSON (answers already are; this keeps lists and dicts as they are)."""
    return copy.deepcopy(value)


def _signalement(sig: Signalement) -> dict[str, Any]:
    return {
        "ref": sig.ref,
        "kind": sig.kind,
        "title": sig.title(),
        "summary": sig.short(),
        "witnesses": sig.witnesses,
        "completeness": round(sig.completeness, 2),
        "missing": [spec.id for spec in sig.missing_key_fields()],
        "missing_labels": [str(spec.label) for spec in sig.missing_key_fields()],
        "profiling_issues": check_signalement(sig),
        "provenance": [
            {"witness": witness, "provenance": provenance, "certainty": certainty}
            for witness, provenance, certainty in sig.provenance
        ],
        "fields": [
            {
                "field": f.id,
                "label": f.label,
                "status": str(f.status),
                "groups": [
                    {"value": _json_value(g.value), "display": g.display, "witnesses": g.witnesses} for g in f.groups
                ],
            }
            for f in sig.fields
        ],
    }


def _timeline(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "at": _iso(entry.at),
        "estimated_date": entry.estimated_date,
        "kind": entry.kind,
        "text": entry.text,
        "witness": entry.witness,
        "signalement": entry.signalement,
    }


def _lead(lead: CameraLead, now: datetime) -> dict[str, Any]:
    return {
        "witness": lead.witness,
        "address": {"label": lead.address_label, "street": lead.street, "rd": {"x": lead.x, "y": lead.y}},
        "view": lead.view,
        "direction": lead.direction,
        "retention_days": lead.retention_days,
        "retention_assumed": lead.retention_assumed,
        "deadline": _iso(lead.deadline),
        "urgent": lead.is_urgent(now),
        "expired": lead.is_expired(now),
        "camera_in_beeld": lead.in_camera_in_beeld,
        "willing_to_share": lead.willing_to_share,
    }


def _witness(st: Statement) -> dict[str, Any]:
    a = st.answers
    return {
        "ref": st.ref,
        "visited_at": _iso(st.visited_at),
        "address": {"label": st.address_label, "street": st.street, "rd": {"x": st.x, "y": st.y}},
        "answers": {key: _json_value(a[key]) for key in WITNESS_KEYS if key in a},
        "contact_consent": a.get("contact_consent") == "ja",
        "privacy_notice_version": str(a.get("privacy_notice_version") or "")
        if a.get("privacy_notice_shown") == "ja"
        else "",
        "wants_outcome": a.get("wants_outcome") == "ja",
        "contact": None,
    }


def _quality(q: Quality) -> dict[str, Any]:
    return {
        "score": q.score,
        "grade": q.grade,
        "parts": [
            {
                "key": p.key,
                "label": p.label,
                "score": p.score,
                "weight": p.weight,
                "applicable": p.applicable,
                "reasons": p.reasons,
                "advice": p.advice,
            }
            for p in q.parts
        ],
        "warnings": q.warnings,
    }


def build_document(
    *,
    incident: Incident,
    consolidation: Consolidation,
    quality: Quality,
    number: str,
    submitted_at: datetime,
    submitted_by: Any,
    unit_name: str,
) -> dict[str, Any]:
    c = consolidation
    cov = c.coverage
    team = incident.team
    minutes = settings.MINUTES_PER_DOOR
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "report": {
            "number": number,
            "submitted_at": _iso(submitted_at),
            "submitted_by": {"name": str(submitted_by), "email": getattr(submitted_by, "email", "")},
            "team": team.name,
            "gemeente": {"code": team.gemeente.code, "name": team.gemeente.name},
            "police_unit": unit_name,
        },
        "incident": {
            "type": incident.incident_type,
            "type_label": incident.get_incident_type_display(),
            "high_impact_crime": incident.is_hic,
            "occurred_from": _iso(incident.occurred_from),
            "occurred_until": _iso(incident.occurred_until),
            "location": {
                "label": incident.location_label,
                "rd": {"x": incident.x, "y": incident.y},
                "wgs84": {"lat": round(incident.lat, 6), "lon": round(incident.lon, 6)},
            },
            "police_registration_number": incident.police_registration_number,
            "description": incident.description,
        },
        "coverage": {
            "doors_planned": cov.doors_planned,
            "doors_visited": cov.doors_visited,
            "doors_spoken": cov.doors_spoken,
            "doors_to_revisit": cov.doors_revisit,
            "visits": cov.visits,
            "statements_approved": cov.statements_approved,
            "statements_pending": cov.statements_pending,
            "statements_rejected": cov.statements_rejected,
            "first_door_at": _iso(cov.first_visit_at),
            "hours_to_first_door": round(c.hours_to_first_door, 1) if c.hours_to_first_door is not None else None,
        },
        "quality": _quality(quality),
        "hours_saved": {
            "doors_visited": cov.doors_visited,
            "minutes_per_door": minutes,
            "hours": round(cov.doors_visited * minutes / 60, 1),
        },
        "signalements": [_signalement(s) for s in c.signalements],
        "timeline": [_timeline(e) for e in c.timeline],
        "camera_leads": [_lead(lead, c.now) for lead in c.camera_leads],
        "witnesses": [_witness(st) for st in c.statements],
        "tips": [
            {"ref": tip.ref, "received_at": _iso(tip.received_at), "text": tip.text, "contact": None} for tip in c.tips
        ],
    }


def contacts_for(sources: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Consented contact details per witness/tip ref, looked up now (two queries)."""
    visit_ids = {ref: src["visit"] for ref, src in sources.items() if isinstance(src, dict) and src.get("visit")}
    tip_ids = {ref: src["tip"] for ref, src in sources.items() if isinstance(src, dict) and src.get("tip")}
    found: dict[str, dict[str, str]] = {}
    visits = {v.pk: v for v in DoorVisit.objects.filter(pk__in=visit_ids.values()).only("id", "answers")}
    for ref, visit_id in visit_ids.items():
        visit = visits.get(visit_id)
        answers = visit.answers if visit is not None and isinstance(visit.answers, dict) else {}
        if answers.get("contact_consent") != "ja":
            continue
        contact = {
            "name": str(answers.get("contact_name") or ""),
            "method": str(answers.get("contact_method") or ""),
            "phone": str(answers.get("contact_phone") or ""),
            "email": str(answers.get("contact_email") or ""),
        }
        if any(v for k, v in contact.items() if k != "method"):
            found[ref] = contact
    tips = {t.pk: t for t in Tip.objects.filter(pk__in=tip_ids.values(), contact_consent=True)}
    for ref, tip_id in tip_ids.items():
        tip = tips.get(tip_id)
        if tip is None:
            continue
        contact = {"name": tip.contact_name, "method": "", "phone": tip.contact_phone, "email": tip.contact_email}
        if any(v for k, v in contact.items() if k != "method"):
            found[ref] = contact
    return found


def with_contacts(document: dict[str, Any], sources: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of the document with consented contact details filled in; and how many were added."""
    contacts = contacts_for(sources)
    out = copy.deepcopy(document)
    added = 0
    for item in [*out.get("witnesses", []), *out.get("tips", [])]:
        contact = contacts.get(item.get("ref", ""))
        if contact is not None:
            item["contact"] = contact
            added += 1
    return out, added
