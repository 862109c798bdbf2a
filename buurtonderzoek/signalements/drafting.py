"""Drafting and checking the public alert text ("getuigen gezocht").

`draft_text` writes plain Dutch from a consolidated signalement: what happened, when, where (street
and buurt, never a house number), the description with the behaviour first, and the call to action
with the tip link. It only uses the merged description values: no witness data ever enters.

`check_text` runs on whatever the coordinator finally wrote, because people edit drafts: it refuses
house numbers and postcodes, names of witnesses, phone numbers and e-mail addresses, links other than
the tip link (images included), figures about fewer than ten people, and vague origin labels (the
anti-profiling word list). `check_signalement` re-runs the anti-profiling block check on the merged
person description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from buurtonderzoek.questionnaires import profiling
from buurtonderzoek.signalements import plates
from buurtonderzoek.signalements.consolidation import PERSON, Signalement, display_value, specs_for

MAX_LENGTH = 1500
SMALL_NUMBER_WORDS = "een|één|twee|drie|vier|vijf|zes|zeven|acht|negen"
PEOPLE_WORDS = (
    "getuige|getuigen|bewoner|bewoners|buurtbewoner|buurtbewoners|omwonende|omwonenden|mensen|huishoudens|"
    "deuren|adressen|gesprekken|melders|tipgevers"
)
_SMALL_FIGURE = re.compile(rf"(?i)\b([0-9]|{SMALL_NUMBER_WORDS})\s+(?:\w+\s+)?({PEOPLE_WORDS})\b")
_POSTCODE = re.compile(r"\b[1-9][0-9]{3}\s?[A-Za-z]{2}\b")
_STREET_NUMBER = re.compile(
    r"(?i)\b[a-zà-ÿ'-]*(straat|laan|weg|plein|kade|gracht|dijk|singel|hof|pad|steeg|dreef|park|erf|"
    r"plantsoen|markt|wal|boulevard|baan|veld|ring)\s+(nr\.?\s*)?[0-9]{1,5}\s?[a-z]?\b"
)
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[a-zA-Z]{2,}")
_PHONE = re.compile(r"(?<![0-9])(\+31|0031|0)[\s-]?[1-9](?:[\s-]?[0-9]){7,8}(?![0-9])")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"]+")
_IMAGE = re.compile(r"(?i)(<img|data:image|\.(?:jpe?g|png|gif|webp|heic)\b)")


@dataclass(frozen=True)
class Place:
    """Where it happened, as far as the public may know: street and buurt, no house number."""

    street: str
    buurt: str
    woonplaats: str

    def label(self) -> str:
        """'aan de Lindenlaan in Lindenhoven-Noord (Demodorp)', or what is known of it."""
        text = ""
        if self.street:
            text = _("aan de %(street)s") % {"street": self.street}
        if self.buurt and self.buurt != self.street:
            text = (text + " " if text else "") + _("in %(buurt)s") % {"buurt": self.buurt}
        if self.woonplaats:
            text = (text + f" ({self.woonplaats})") if text else _("in %(place)s") % {"place": self.woonplaats}
        return text


def _when(start: datetime, end: datetime) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    day = formats.date_format(start, "l j F")
    if start.date() == end.date():
        return _("Op %(day)s tussen %(start)s en %(end)s") % {
            "day": day,
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
        }
    return _("Tussen %(start)s en %(end)s") % {
        "start": f"{day} {start:%H:%M}",
        "end": f"{formats.date_format(end, 'l j F')} {end:%H:%M}",
    }


def _person_description(values: Mapping[str, Any], labels: Mapping[str, Any]) -> list[str]:
    specs = {s.id: s for s in specs_for(PERSON)}

    def show(key: str) -> str:
        if key not in values:
            return ""
        spec = specs[key]
        if labels.get(key):
            spec = replace(spec, choices=labels[key])
        return display_value(spec, values[key]).strip()

    basics = []
    gender = values.get("gender")
    if gender in ("man", "vrouw"):
        basics.append(str(gender))
    if show("age_range"):
        basics.append(_("ongeveer %(age)s") % {"age": show("age_range")})
    if show("height"):
        basics.append(_("%(h)s lang") % {"h": show("height")})
    if show("build"):
        basics.append(_("%(build)s postuur") % {"build": show("build").lower()})
    hair = " ".join(p for p in (show("hair_length").lower(), show("hair_colour").lower()) if p)
    if hair:
        basics.append(_("%(hair)s haar") % {"hair": hair})
    if show("hair_style"):
        basics.append(show("hair_style"))
    if show("facial_hair") and values.get("facial_hair") != "geen":
        basics.append(show("facial_hair").lower())
    clothes = []
    if show("headwear"):
        clothes.append(show("headwear"))
    covering = show("face_covering")
    if covering:
        clothes.append(covering.lower())
    extras = ", ".join(p for p in (show("top_colour"), show("top_brand"), show("top_print")) if p)
    top = show("top_type") or (_("bovenkleding") if extras else "")
    if top:
        clothes.append(top + (f" ({extras})" if extras else ""))
    for key in ("trousers", "shoes", "bag"):
        if show(key):
            clothes.append(show(key))
    lines = []
    if basics:
        lines.append(_("Beschrijving: %(basics)s.") % {"basics": ", ".join(basics)})
    if clothes:
        lines.append(_("Kleding: %(clothes)s.") % {"clothes": "; ".join(c.strip() for c in clothes if c.strip())})
    marks = [show(k) for k in ("marks", "notable_features", "gait") if show(k)]
    if marks:
        lines.append(_("Opvallend: %(marks)s.") % {"marks": "; ".join(marks)})
    if show("objects"):
        lines.append(_("Had bij zich: %(objects)s.") % {"objects": show("objects")})
    if show("appearance") and len(basics) + len(clothes) >= 2:
        lines.append(_("Uiterlijk: %(appearance)s.") % {"appearance": show("appearance")})
    flight = [
        show("transport").lower() if values.get("transport") not in (None, "onbekend") else "",
        show("person_direction"),
    ]
    flight = [f for f in flight if f]
    if flight:
        lines.append(_("Vertrok: %(how)s.") % {"how": ", ".join(flight)})
    return lines


def _vehicle_description(values: Mapping[str, Any]) -> list[str]:
    from buurtonderzoek.signalements.consolidation import VEHICLE

    specs = {s.id: s for s in specs_for(VEHICLE)}

    def show(key: str) -> str:
        return display_value(specs[key], values[key]).strip() if key in values else ""

    kind = show("vehicle_type").lower() if values.get("vehicle_type") != "onbekend" else ""
    what = show("make_model") or kind.capitalize()
    extras = [p for p in (_("kleur %(c)s") % {"c": show("vehicle_colour")} if show("vehicle_colour") else "",) if p]
    if show("make_model") and kind:
        extras.append(kind)
    lines = []
    if what or extras:
        lines.append(
            _("Voertuig: %(what)s.") % {"what": (what or _("onbekend")) + (f" ({', '.join(extras)})" if extras else "")}
        )
    plate = values.get("plate")
    if plate:
        if plates.is_complete(str(plate)):
            lines.append(_("Kenteken: %(plate)s.") % {"plate": plates.display(str(plate))})
        else:
            lines.append(_("Kenteken (gedeeltelijk): %(plate)s.") % {"plate": plates.display(str(plate))})
    if show("vehicle_marks"):
        lines.append(_("Opvallend: %(marks)s.") % {"marks": show("vehicle_marks")})
    if show("vehicle_direction"):
        lines.append(_("Reed weg: %(direction)s.") % {"direction": show("vehicle_direction")})
    return lines


def draft_text(
    signalement: Signalement,
    *,
    incident_type_label: str,
    occurred_from: datetime,
    occurred_until: datetime,
    place: Place,
    tip_url: str,
) -> str:
    """The system's proposal in plain Dutch; the coordinator edits it before sending it for approval."""
    values = signalement.merged()
    labels = {f.id: f.spec.choices for f in signalement.fields}
    lines = [
        _("%(when)s was er een %(type)s %(place)s.")
        % {"when": _when(occurred_from, occurred_until), "type": incident_type_label.lower(), "place": place.label()}
    ]
    if signalement.kind == PERSON:
        behaviour = str(values.get("behaviour") or "").strip().rstrip(".")
        lines.append(_("Getuigen zagen iemand die zich verdacht gedroeg."))
        if behaviour:
            # Behaviour first: a signalement starts with what someone did, not with how they look.
            lines.append(
                _("Wat de persoon deed: %(behaviour)s.") % {"behaviour": behaviour[:1].lower() + behaviour[1:]}
            )
        lines.extend(_person_description(values, labels))
    else:
        lines.append(_("Getuigen zagen een voertuig dat erbij betrokken kan zijn."))
        lines.extend(_vehicle_description(values))
    lines.append("")
    lines.append(_("Heeft u iets gezien? Laat het weten via %(url)s") % {"url": tip_url})
    lines.append(_("Spreek niemand zelf aan. Ziet u iets verdachts dat nu gebeurt? Bel 112."))
    return "\n".join(lines)


def draft_title(*, incident_type_label: str, place: Place) -> str:
    where = place.street or place.buurt
    return _("Getuigen gezocht: %(type)s %(where)s") % {"type": incident_type_label.lower(), "where": where}


def check_signalement(signalement: Signalement) -> list[str]:
    """The anti-profiling block check again, now on the merged description that would be spread."""
    if signalement.kind != PERSON:
        return []
    return profiling.check_person_block(signalement.merged())


def _mentions_name(text: str, name: str) -> bool:
    parts = [p for p in re.split(r"\s+", name.strip()) if len(p) >= 3]
    if not parts:
        return False
    lowered = text.lower()
    full = name.strip().lower()
    if len(full) >= 3 and re.search(rf"\b{re.escape(full)}\b", lowered):
        return True
    # A surname on its own is enough to identify a neighbour.
    return any(re.search(rf"\b{re.escape(p.lower())}\b", lowered) for p in parts[1:])


def check_text(
    text: str,
    *,
    tip_url: str,
    witness_names: Iterable[str] = (),
    streets: Iterable[str] = (),
) -> list[str]:
    """Reasons (Dutch) why this alert text may not be published; empty when acceptable."""
    errors: list[str] = []
    body = text or ""
    if not body.strip():
        return [_("Schrijf een tekst voor de oproep.")]
    if len(body) > MAX_LENGTH:
        errors.append(_("Maak de tekst korter: hooguit %(max)d tekens.") % {"max": MAX_LENGTH})
    if tip_url not in body:
        errors.append(_("Zet de link naar het tipformulier in de tekst: %(url)s") % {"url": tip_url})
    without_tip = body.replace(tip_url, " ")
    if _IMAGE.search(without_tip):
        errors.append(_("Een oproep bevat nooit afbeeldingen of camerabeelden; die zijn alleen voor de politie."))
    elif _URL.search(without_tip):
        errors.append(_("Laat andere links weg; alleen de link naar het tipformulier mag erin."))
    if _POSTCODE.search(without_tip):
        errors.append(_("Noem geen postcode; de straat en de buurt zijn genoeg."))
    numbered = bool(_STREET_NUMBER.search(without_tip))
    for street in streets:
        if street and re.search(rf"(?i)\b{re.escape(street)}\s+(nr\.?\s*)?[0-9]{{1,5}}", without_tip):
            numbered = True
    if numbered:
        errors.append(_("Noem geen huisnummers: die wijzen naar getuigen of het slachtoffer. Noem alleen de straat."))
    if _EMAIL.search(without_tip):
        errors.append(_("Haal het e-mailadres weg; tips komen binnen via het tipformulier."))
    if _PHONE.search(without_tip):
        errors.append(_("Haal het telefoonnummer weg; alleen 112 voor spoed mag erin."))
    if any(_mentions_name(without_tip, name) for name in witness_names if name):
        errors.append(_("De tekst noemt de naam van een getuige. Haal die weg: getuigen blijven anoniem."))
    small = _SMALL_FIGURE.search(without_tip)
    if small and small.group(1).lower() not in ("een", "één"):
        errors.append(
            _("Noem geen aantallen getuigen of bewoners onder de tien (“%(found)s”); dat kan mensen herkenbaar maken.")
            % {"found": small.group(0)}
        )
    for label in profiling.find_origin_labels(without_tip):
        errors.append(profiling.origin_label_message(label))
    return errors


def whatsapp_url(text: str) -> str:
    from urllib.parse import quote

    return "https://wa.me/?text=" + quote(text, safe="")
