"""The quality score of a canvass, with its reasons, so a coordinator sees what to improve before sending.

Four parts, each scored 0-100 and weighted:

- coverage (30): the share of planned doors visited, and whether people were actually spoken to
  (a third to half of the doors is normal: many people are not home);
- timeliness (25): hours from the end of the incident window to the first door. Within a day is
  full marks; memories fade and cameras overwrite after 7-30 days, so it drops to nothing after
  two weeks;
- completeness (25): how many of the key fields of each signalement are known;
- consistency (20): the share of fields described by several witnesses on which they agree.

A part that cannot be judged (no signalementen, no field seen by two witnesses) drops out and the
others are re-weighted, with a reason saying so, rather than scoring an absent thing as bad.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buurtonderzoek.signalements.consolidation import Consolidation, Status

WEIGHTS = {"coverage": 30, "timeliness": 25, "completeness": 25, "consistency": 20}
GOOD_SPOKEN_SHARE = 0.4
TIMELY_HOURS = 24


@dataclass
class QualityPart:
    key: str
    label: str
    score: int  # 0-100
    weight: int
    applicable: bool = True
    reasons: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)


@dataclass
class Quality:
    score: int
    parts: list[QualityPart]
    warnings: list[str] = field(default_factory=list)

    @property
    def grade(self) -> str:
        if self.score >= 75:
            return _("goed")
        if self.score >= 50:
            return _("redelijk")
        return _("matig")

    @property
    def grade_key(self) -> str:
        return "good" if self.score >= 75 else "fair" if self.score >= 50 else "poor"

    @property
    def advice(self) -> list[str]:
        return [a for part in self.parts for a in part.advice] + self.warnings


def _pct(value: float) -> int:
    return round(100 * value)


def coverage_part(c: Consolidation) -> QualityPart:
    cov = c.coverage
    part = QualityPart("coverage", _("Dekking"), 0, WEIGHTS["coverage"])
    if not cov.doors_planned:
        part.reasons.append(_("Er zijn geen deuren gepland."))
        return part
    visited, spoken = cov.visited_share, cov.spoken_share
    part.score = round(100 * (0.7 * visited + 0.3 * min(1.0, spoken / GOOD_SPOKEN_SHARE)))
    part.reasons.append(
        _("%(visited)d van de %(planned)d deuren bezocht (%(pct)d%%).")
        % {"visited": cov.doors_visited, "planned": cov.doors_planned, "pct": _pct(visited)}
    )
    part.reasons.append(
        ngettext(
            "Bij %(spoken)d deur gesproken (%(pct)d%% van de bezochte deuren).",
            "Bij %(spoken)d deuren gesproken (%(pct)d%% van de bezochte deuren).",
            cov.doors_spoken,
        )
        % {"spoken": cov.doors_spoken, "pct": _pct(spoken)}
    )
    unvisited = cov.doors_planned - cov.doors_visited
    if unvisited > 0 and visited < 0.9:
        part.advice.append(
            ngettext(
                "Bezoek de %(n)d deur die nog open staat.",
                "Bezoek de %(n)d deuren die nog open staan.",
                unvisited,
            )
            % {"n": unvisited}
        )
    if cov.doors_revisit:
        part.advice.append(
            ngettext(
                "Ga nog eens langs bij %(n)d deur waar niemand thuis was of een briefje ligt, op een ander tijdstip.",
                "Ga nog eens langs bij %(n)d deuren waar niemand thuis was of een briefje ligt, op een ander tijdstip.",
                cov.doors_revisit,
            )
            % {"n": cov.doors_revisit}
        )
    return part


def timeliness_part(c: Consolidation) -> QualityPart:
    part = QualityPart("timeliness", _("Snelheid"), 0, WEIGHTS["timeliness"])
    hours = c.hours_to_first_door
    if hours is None:
        part.reasons.append(_("Er is nog geen deur bezocht."))
        part.advice.append(_("Begin zo snel mogelijk met aanbellen."))
        return part
    if hours <= TIMELY_HOURS:
        part.score = 100
    elif hours <= 72:
        part.score = round(100 - (hours - 24) / 48 * 40)
    elif hours <= 168:
        part.score = round(60 - (hours - 72) / 96 * 40)
    elif hours <= 336:
        part.score = round(20 - (hours - 168) / 168 * 20)
    part.reasons.append(_("De eerste deur werd %(hours)s uur na het incident bezocht.") % {"hours": _hours(hours)})
    if hours > TIMELY_HOURS:
        part.advice.append(
            _(
                "Begin een volgende keer binnen 24 uur: herinneringen vervagen snel en veel camera's "
                "overschrijven hun beelden na 7 tot 30 dagen."
            )
        )
    return part


def _hours(hours: float) -> str:
    return str(round(hours)) if hours >= 10 else f"{hours:.1f}".replace(".", ",")


def completeness_part(c: Consolidation) -> QualityPart:
    part = QualityPart("completeness", _("Volledigheid signalementen"), 0, WEIGHTS["completeness"])
    found = c.signalements
    if not found:
        part.applicable = False
        part.reasons.append(_("Er zijn geen signalementen. Dat kan kloppen als niemand iemand of een voertuig zag."))
        return part
    part.score = round(100 * sum(s.completeness for s in found) / len(found))
    part.reasons.append(
        ngettext(
            "%(n)d signalement; gemiddeld %(pct)d%% van de belangrijkste kenmerken bekend.",
            "%(n)d signalementen; gemiddeld %(pct)d%% van de belangrijkste kenmerken bekend.",
            len(found),
        )
        % {"n": len(found), "pct": part.score}
    )
    for sig in sorted(found, key=lambda s: s.completeness):
        missing = sig.missing_key_fields()
        if missing and sig.completeness < 0.8:
            part.advice.append(
                _("%(title)s mist nog: %(fields)s. Vraag de getuigen hier gericht naar.")
                % {"title": sig.title(), "fields": ", ".join(str(m.label).lower() for m in missing)}
            )
    return part


def consistency_part(c: Consolidation) -> QualityPart:
    part = QualityPart("consistency", _("Overeenstemming tussen getuigen"), 0, WEIGHTS["consistency"])
    shared = [(sig, f) for sig in c.signalements for f in sig.multi_witness_fields]
    if not shared:
        part.applicable = False
        part.reasons.append(_("Geen kenmerk is door meer dan één getuige beschreven; er valt niets te vergelijken."))
        return part
    agreeing = sum(1 for _sig, f in shared if f.status == Status.AGREE)
    part.score = round(100 * agreeing / len(shared))
    part.reasons.append(
        _("%(agree)d van de %(total)d kenmerken die meerdere getuigen beschreven, komen overeen.")
        % {"agree": agreeing, "total": len(shared)}
    )
    for sig, f in shared:
        if f.status == Status.DIFFER:
            part.reasons.append(
                _("%(ref)s, %(field)s: %(values)s") % {"ref": sig.ref, "field": f.label.lower(), "values": f.summary()}
            )
    if agreeing < len(shared):
        part.advice.append(
            _(
                "Vraag bij verschillen na of de getuigen hetzelfde zagen; noteer het verschil anders gewoon in "
                "het verslag. Verschillen weglaten helpt de politie niet."
            )
        )
    return part


def score(c: Consolidation) -> Quality:
    parts = [coverage_part(c), timeliness_part(c), completeness_part(c), consistency_part(c)]
    applicable = [p for p in parts if p.applicable]
    total_weight = sum(p.weight for p in applicable)
    total = round(sum(p.score * p.weight for p in applicable) / total_weight) if total_weight else 0
    warnings = []
    pending = c.coverage.statements_pending
    if pending:
        warnings.append(
            ngettext(
                "%(n)d gesprek is nog niet beoordeeld; alleen goedgekeurde verklaringen tellen mee.",
                "%(n)d gesprekken zijn nog niet beoordeeld; alleen goedgekeurde verklaringen tellen mee.",
                pending,
            )
            % {"n": pending}
        )
    return Quality(score=total, parts=parts, warnings=warnings)
