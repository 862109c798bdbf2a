"""Consolidation: from approved witness statements to signalementen, a timeline and camera leads.

Pure functions over plain data, so they are fast and testable without a database; `loader.py`
turns a canvass into `Statement`s and calls `consolidate`.

The flow:

1. Every person and vehicle block of every statement becomes a `Block`.
2. Blocks are clustered into one `Signalement` per person or vehicle seen: greedily, in the order
   the witnesses were spoken to, a block joins the cluster it resembles most (average similarity
   over its members) when that similarity passes a threshold. Two blocks of the same witness are
   never merged (a witness who describes two people saw two people), and some conflicts veto a
   merge outright (man/vrouw, two different complete kentekens).
3. Per field, the witnesses' values are grouped into values that agree (overlapping length ranges,
   the same colour, times within 20 minutes, a partial kenteken that fits a full one). One group is
   agreement, several groups are a difference the police should know about.
4. The timeline collects every observation with a time; the camera leads list every camera, the
   most urgent first (footage of the incident is overwritten `retention_days` after it happened).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtonderzoek.questionnaires.engine import Question, Schema
from buurtonderzoek.signalements import plates, textmatch

PERSON = "person"
VEHICLE = "vehicle"
MERGE_THRESHOLD = 2.0
CONFLICT_FACTOR = 0.6
TIME_SAME_MINUTES = 20
# Many cameras overwrite after 7-30 days (DOMAIN.md); an unknown retention counts as the shortest.
ASSUMED_RETENTION_DAYS = 7
URGENT_DAYS = 3
NON_INFORMATIVE = frozenset({"", "onbekend", "weet_niet", "niet_zichtbaar"})


class Kind(StrEnum):
    CHOICE = "choice"
    MULTI = "multi"
    RANGE = "range"
    TEXT = "text"
    TIME = "time"
    NUMBER = "number"
    PLATE = "plate"


class Status(StrEnum):
    SINGLE = "single"  # one witness
    AGREE = "agree"  # several witnesses, one value
    DIFFER = "differ"  # several witnesses, different values


@dataclass(frozen=True)
class FieldSpec:
    id: str
    label: str | Promise
    kind: Kind
    weight: float = 1.0
    # Penalty for a difference, as a share of the weight (free text differs in wording all the time).
    penalty: float = CONFLICT_FACTOR
    veto: bool = False
    tolerance: float = 0.0
    unit: str = ""
    key: bool = False  # counts for completeness
    choices: Mapping[str, str] = field(default_factory=dict)


# The standard questionnaire's block fields; labels and choices are taken from the schema when given.
PERSON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("behaviour", gettext_lazy("Gedrag"), Kind.TEXT, weight=0.5, penalty=0.0, key=True),
    FieldSpec("gender", gettext_lazy("Geslacht"), Kind.CHOICE, weight=0.5, veto=True, key=True),
    FieldSpec("age_range", gettext_lazy("Leeftijd"), Kind.RANGE, weight=0.75, tolerance=1, unit="jaar", key=True),
    FieldSpec("height", gettext_lazy("Lengte"), Kind.RANGE, weight=1.0, tolerance=2, unit="cm", key=True),
    FieldSpec("build", gettext_lazy("Postuur"), Kind.CHOICE, weight=0.75, key=True),
    FieldSpec("hair_colour", gettext_lazy("Haarkleur"), Kind.CHOICE, weight=1.0, key=True),
    FieldSpec("hair_length", gettext_lazy("Haarlengte"), Kind.CHOICE, weight=0.5),
    FieldSpec("hair_style", gettext_lazy("Kapsel"), Kind.TEXT, weight=0.5),
    FieldSpec("facial_hair", gettext_lazy("Gezichtsbeharing"), Kind.CHOICE, weight=0.75),
    FieldSpec("glasses", gettext_lazy("Bril"), Kind.CHOICE, weight=0.75),
    FieldSpec("face_covering", gettext_lazy("Gezichtsbedekking"), Kind.MULTI, weight=1.0),
    FieldSpec("notable_features", gettext_lazy("Opvallend aan het gezicht"), Kind.TEXT, weight=1.0),
    FieldSpec("headwear", gettext_lazy("Hoofddeksel"), Kind.TEXT, weight=1.0),
    FieldSpec("top_type", gettext_lazy("Jas of bovenkleding"), Kind.TEXT, weight=1.0, key=True),
    FieldSpec("top_colour", gettext_lazy("Kleur bovenkleding"), Kind.TEXT, weight=1.5, key=True),
    FieldSpec("top_brand", gettext_lazy("Merk bovenkleding"), Kind.TEXT, weight=1.5),
    FieldSpec("top_print", gettext_lazy("Opdruk bovenkleding"), Kind.TEXT, weight=1.0),
    FieldSpec("trousers", gettext_lazy("Broek"), Kind.TEXT, weight=1.0, key=True),
    FieldSpec("shoes", gettext_lazy("Schoenen"), Kind.TEXT, weight=1.0, key=True),
    FieldSpec("bag", gettext_lazy("Tas of rugzak"), Kind.TEXT, weight=1.0),
    FieldSpec("marks", gettext_lazy("Tatoeages, littekens, piercings"), Kind.TEXT, weight=1.5),
    FieldSpec("gait", gettext_lazy("Manier van lopen"), Kind.TEXT, weight=0.5, penalty=0.3),
    FieldSpec("language", gettext_lazy("Taal of accent"), Kind.TEXT, weight=0.5, penalty=0.3),
    FieldSpec("objects", gettext_lazy("Voorwerpen"), Kind.TEXT, weight=1.0),
    FieldSpec("appearance", gettext_lazy("Huidskleur of uiterlijk"), Kind.TEXT, weight=0.5, penalty=0.3),
    FieldSpec("first_seen", gettext_lazy("Voor het eerst gezien"), Kind.TIME, weight=1.0, key=True),
    FieldSpec("last_seen", gettext_lazy("Voor het laatst gezien"), Kind.TIME, weight=0.5),
    FieldSpec("transport", gettext_lazy("Vervoer"), Kind.CHOICE, weight=1.0, key=True),
    FieldSpec("person_direction", gettext_lazy("Vluchtrichting"), Kind.TEXT, weight=0.5, penalty=0.3, key=True),
)
VEHICLE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("vehicle_type", gettext_lazy("Soort voertuig"), Kind.CHOICE, weight=1.0, veto=True, key=True),
    FieldSpec("plate", gettext_lazy("Kenteken"), Kind.PLATE, weight=5.0, veto=True, key=True),
    FieldSpec("plate_country", gettext_lazy("Land kenteken"), Kind.CHOICE, weight=0.5, veto=True),
    FieldSpec("make_model", gettext_lazy("Merk en model"), Kind.TEXT, weight=2.0, key=True),
    FieldSpec("vehicle_colour", gettext_lazy("Kleur"), Kind.TEXT, weight=1.5, key=True),
    FieldSpec("vehicle_marks", gettext_lazy("Opschriften, stickers, schade"), Kind.TEXT, weight=1.5),
    FieldSpec("occupants", gettext_lazy("Aantal inzittenden"), Kind.NUMBER, weight=0.5, penalty=0.3),
    FieldSpec("vehicle_time", gettext_lazy("Tijd gezien"), Kind.TIME, weight=1.0, key=True),
    FieldSpec("vehicle_direction", gettext_lazy("Rijrichting"), Kind.TEXT, weight=0.5, penalty=0.3, key=True),
)
SPECS = {PERSON: PERSON_FIELDS, VEHICLE: VEHICLE_FIELDS}
BLOCK_QUESTION = {PERSON: "persons", VEHICLE: "vehicles"}
PROVENANCE_FIELDS = {PERSON: ("provenance", "certainty"), VEHICLE: ("vehicle_provenance", "vehicle_certainty")}
REF_PREFIX = {PERSON: "P", VEHICLE: "V"}


def specs_for(kind: str, schema: Schema | None = None) -> tuple[FieldSpec, ...]:
    """Field specs with the labels and choice labels of `schema` (when it has the block)."""
    base = SPECS[kind]
    if schema is None or BLOCK_QUESTION[kind] not in schema.questions:
        return base
    children: dict[str, Question] = {c.id: c for c in schema.questions[BLOCK_QUESTION[kind]].children}
    out = []
    for spec in base:
        child = children.get(spec.id)
        if child is None:
            out.append(spec)
            continue
        out.append(
            FieldSpec(
                id=spec.id,
                label=spec.label,
                kind=spec.kind,
                weight=spec.weight,
                penalty=spec.penalty,
                veto=spec.veto,
                tolerance=spec.tolerance,
                unit=spec.unit,
                key=spec.key,
                choices=dict(child.choices),
            )
        )
    return tuple(out)


# -------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class Statement:
    """One approved door visit (a witness), as plain data."""

    ref: str  # "G1": how the report names the witness
    answers: Mapping[str, Any]
    visit_id: int | None = None
    address_id: int | None = None
    address_label: str = ""
    street: str = ""
    x: int | None = None
    y: int | None = None
    visited_at: datetime | None = None


@dataclass(frozen=True)
class TipNote:
    ref: str  # "T1"
    text: str
    received_at: datetime
    tip_id: int | None = None


@dataclass
class CoverageFigures:
    doors_planned: int = 0
    doors_visited: int = 0
    doors_spoken: int = 0
    doors_revisit: int = 0
    visits: int = 0
    statements_approved: int = 0
    statements_pending: int = 0
    statements_rejected: int = 0
    first_visit_at: datetime | None = None

    @property
    def visited_share(self) -> float:
        return self.doors_visited / self.doors_planned if self.doors_planned else 0.0

    @property
    def spoken_share(self) -> float:
        return self.doors_spoken / self.doors_visited if self.doors_visited else 0.0


# -------------------------------------------------------------------------------------------------
# Values


def informative(spec: FieldSpec, value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    if spec.kind == Kind.MULTI:
        return isinstance(value, list) and any(v not in NON_INFORMATIVE and v != "geen" for v in value)
    if spec.kind == Kind.RANGE:
        return isinstance(value, Mapping) and any(_num(value.get(k)) is not None for k in ("min", "max"))
    if spec.kind == Kind.NUMBER:
        return _num(value) is not None
    if spec.kind == Kind.TIME:
        return _minutes(value) is not None
    if isinstance(value, str):
        return value.strip().lower() not in NON_INFORMATIVE
    return False


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _interval(value: Mapping[str, Any]) -> tuple[float, float]:
    low, high = _num(value.get("min")), _num(value.get("max"))
    low = high if low is None else low
    high = low if high is None else high
    assert low is not None and high is not None
    return (min(low, high), max(low, high))


def _minutes(value: Any) -> int | None:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return None
    try:
        hours, minutes = int(value[:2]), int(value[3:])
    except ValueError:
        return None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return None
    return hours * 60 + minutes


def _clock_distance(a: int, b: int) -> int:
    diff = abs(a - b) % 1440
    return min(diff, 1440 - diff)


def same_value(spec: FieldSpec, a: Any, b: Any) -> bool:
    """Do two witnesses' values for this field agree?"""
    if spec.kind == Kind.CHOICE:
        return str(a) == str(b)
    if spec.kind == Kind.MULTI:
        return bool(_multi(a) & _multi(b))
    if spec.kind == Kind.RANGE:
        (la, ha), (lb, hb) = _interval(a), _interval(b)
        return la <= hb + spec.tolerance and lb <= ha + spec.tolerance
    if spec.kind == Kind.NUMBER:
        return _num(a) == _num(b)
    if spec.kind == Kind.TIME:
        ma, mb = _minutes(a), _minutes(b)
        return ma is not None and mb is not None and _clock_distance(ma, mb) <= TIME_SAME_MINUTES
    if spec.kind == Kind.PLATE:
        return plates.compatible(str(a), str(b))
    return textmatch.similar(str(a), str(b))


def _multi(value: Any) -> set[str]:
    return {str(v) for v in value if v not in NON_INFORMATIVE and v != "geen"} if isinstance(value, list) else set()


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def display_value(spec: FieldSpec, value: Any) -> str:
    if spec.kind == Kind.CHOICE:
        return str(spec.choices.get(str(value), str(value).replace("_", " ")))
    if spec.kind == Kind.MULTI:
        return ", ".join(str(spec.choices.get(v, v)) for v in sorted(_multi(value)))
    if spec.kind == Kind.RANGE:
        low, high = _interval(value)
        text = _format_number(low) if low == high else f"{_format_number(low)}-{_format_number(high)}"
        return f"{text} {spec.unit}".strip()
    if spec.kind == Kind.NUMBER:
        number = _num(value)
        return _format_number(number) if number is not None else ""
    if spec.kind == Kind.PLATE:
        return plates.display(str(value))
    return str(value).strip()


# -------------------------------------------------------------------------------------------------
# Agreement per field


@dataclass
class Mention:
    witness: str
    value: Any
    display: str


@dataclass
class ValueGroup:
    mentions: list[Mention]
    display: str
    value: Any  # a representative value in the answers format (the hull of ranges, the best kenteken)

    @property
    def witnesses(self) -> list[str]:
        return list(dict.fromkeys(m.witness for m in self.mentions))


@dataclass
class FieldAgreement:
    spec: FieldSpec
    groups: list[ValueGroup]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def label(self) -> str:
        return str(self.spec.label)

    @property
    def witnesses(self) -> list[str]:
        return list(dict.fromkeys(w for g in self.groups for w in g.witnesses))

    @property
    def status(self) -> Status:
        if len(self.witnesses) <= 1:
            return Status.SINGLE
        return Status.AGREE if len(self.groups) == 1 else Status.DIFFER

    @property
    def best(self) -> ValueGroup:
        return self.groups[0]

    def summary(self) -> str:
        """'170-175 cm (G1, G3) · 180 cm (G2)'."""
        return " · ".join(f"{g.display} ({', '.join(g.witnesses)})" for g in self.groups)


def _union_find_groups(spec: FieldSpec, mentions: list[Mention]) -> list[list[Mention]]:
    parent = list(range(len(mentions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(mentions)):
        for j in range(i + 1, len(mentions)):
            if same_value(spec, mentions[i].value, mentions[j].value):
                parent[find(i)] = find(j)
    grouped: dict[int, list[Mention]] = {}
    for i, mention in enumerate(mentions):
        grouped.setdefault(find(i), []).append(mention)
    return list(grouped.values())


def _group_value(spec: FieldSpec, mentions: list[Mention]) -> tuple[Any, str]:
    values = [m.value for m in mentions]
    if spec.kind == Kind.RANGE:
        intervals = [_interval(v) for v in values]
        low, high = min(i[0] for i in intervals), max(i[1] for i in intervals)
        hull = {"min": int(low) if low.is_integer() else low, "max": int(high) if high.is_integer() else high}
        return hull, display_value(spec, hull)
    if spec.kind == Kind.MULTI:
        union = sorted(set().union(*(_multi(v) for v in values)))
        return union, display_value(spec, union)
    if spec.kind == Kind.TIME:
        minutes = sorted(m for m in (_minutes(v) for v in values) if m is not None)
        first, last = values[0], values[0]
        for v in values:
            mv = _minutes(v)
            if mv == minutes[0]:
                first = v
            if mv == minutes[-1]:
                last = v
        return first, (str(first) if first == last else f"{first}-{last}")
    if spec.kind == Kind.PLATE:
        readings = [str(v) for v in values]
        best = plates.best_reading(readings)
        others = sorted({plates.display(r) for r in readings} - {plates.display(best)})
        text = plates.display(best)
        if others:
            text += " " + _("(ook gelezen als %(others)s)") % {"others": ", ".join(others)}
        return plates.normalise(best), text
    if spec.kind == Kind.TEXT:
        shown = list(dict.fromkeys(display_value(spec, v) for v in values))
        return values[0], " / ".join(shown[:3])
    return values[0], display_value(spec, values[0])


def agreement(spec: FieldSpec, mentions: Iterable[tuple[str, Any]]) -> FieldAgreement | None:
    """Group the (witness, value) pairs of one field; None when no witness said anything useful."""
    usable = [Mention(w, v, display_value(spec, v)) for w, v in mentions if informative(spec, v)]
    if not usable:
        return None
    groups = []
    for members in _union_find_groups(spec, usable):
        value, text = _group_value(spec, members)
        groups.append(ValueGroup(mentions=members, display=text, value=value))
    # Most witnesses first; ties keep the order of the first mention.
    order = {id(m): i for i, m in enumerate(usable)}
    groups.sort(key=lambda g: (-len(g.witnesses), min(order[id(m)] for m in g.mentions)))
    return FieldAgreement(spec=spec, groups=groups)


# -------------------------------------------------------------------------------------------------
# Blocks and clustering


@dataclass(frozen=True)
class Block:
    kind: str
    witness: str
    index: int  # position within the witness's statement (0-based)
    data: Mapping[str, Any]
    visited_at: datetime | None = None


def similarity(specs: Sequence[FieldSpec], a: Mapping[str, Any], b: Mapping[str, Any]) -> float | None:
    """How much two blocks look like the same person or vehicle; None when a conflict rules it out."""
    score = 0.0
    for spec in specs:
        va, vb = a.get(spec.id), b.get(spec.id)
        if not (informative(spec, va) and informative(spec, vb)):
            continue
        if spec.kind == Kind.PLATE:
            result = plates.match(str(va), str(vb))
            if result == plates.PlateMatch.CONFLICT:
                return None
            if result != plates.PlateMatch.UNKNOWN:
                known = min(plates.known_characters(str(va)), plates.known_characters(str(vb)))
                score += min(spec.weight, float(known))
            continue
        if same_value(spec, va, vb):
            score += spec.weight
        elif spec.veto:
            return None
        else:
            score -= spec.weight * spec.penalty
    return score


@dataclass
class Signalement:
    ref: str  # "P1", "V1"
    kind: str
    blocks: list[Block]
    fields: list[FieldAgreement]
    provenance: list[tuple[str, str, str]]  # (witness, provenance, certainty)

    @property
    def witnesses(self) -> list[str]:
        return list(dict.fromkeys(b.witness for b in self.blocks))

    @property
    def field_map(self) -> dict[str, FieldAgreement]:
        return {f.id: f for f in self.fields}

    def merged(self) -> dict[str, Any]:
        """The best value per field, in the answers format (what most witnesses said)."""
        return {f.id: f.best.value for f in self.fields}

    def missing_key_fields(self) -> list[FieldSpec]:
        present = {f.id for f in self.fields}
        return [spec for spec in SPECS[self.kind] if spec.key and spec.id not in present]

    @property
    def completeness(self) -> float:
        keys = [spec for spec in SPECS[self.kind] if spec.key]
        return (len(keys) - len(self.missing_key_fields())) / len(keys)

    @property
    def differences(self) -> list[FieldAgreement]:
        return [f for f in self.fields if f.status == Status.DIFFER]

    @property
    def multi_witness_fields(self) -> list[FieldAgreement]:
        return [f for f in self.fields if f.status != Status.SINGLE]

    def title(self) -> str:
        if self.kind == PERSON:
            return _("Persoon %(ref)s") % {"ref": self.ref}
        return _("Voertuig %(ref)s") % {"ref": self.ref}

    def short(self) -> str:
        """A one-line description for lists: the first few agreed values."""
        wanted = (
            ("gender", "age_range", "height", "top_colour", "top_type")
            if self.kind == PERSON
            else ("vehicle_colour", "make_model", "vehicle_type", "plate")
        )
        fmap = self.field_map
        parts = [fmap[w].best.display for w in wanted if w in fmap]
        return ", ".join(parts) or _("weinig kenmerken")


def blocks_of(statements: Sequence[Statement], kind: str) -> list[Block]:
    out: list[Block] = []
    for st in statements:
        raw = st.answers.get(BLOCK_QUESTION[kind])
        if not isinstance(raw, list):
            continue
        for index, data in enumerate(raw):
            if isinstance(data, Mapping):
                out.append(Block(kind=kind, witness=st.ref, index=index, data=data, visited_at=st.visited_at))
    return out


def cluster(blocks: Sequence[Block], specs: Sequence[FieldSpec]) -> list[list[Block]]:
    clusters: list[list[Block]] = []
    for block in blocks:
        best: tuple[float, int] | None = None
        for i, members in enumerate(clusters):
            if any(m.witness == block.witness for m in members):
                continue
            scores = [similarity(specs, block.data, m.data) for m in members]
            if any(s is None for s in scores):
                continue
            average = sum(s for s in scores if s is not None) / len(scores)
            if average >= MERGE_THRESHOLD and (best is None or average > best[0]):
                best = (average, i)
        if best is None:
            clusters.append([block])
        else:
            clusters[best[1]].append(block)
    return clusters


def signalements(
    statements: Sequence[Statement], kind: str, specs: Sequence[FieldSpec] | None = None
) -> list[Signalement]:
    specs = specs if specs is not None else SPECS[kind]
    out = []
    provenance_field, certainty_field = PROVENANCE_FIELDS[kind]
    for number, members in enumerate(cluster(blocks_of(statements, kind), specs), start=1):
        fields = []
        for spec in specs:
            agreed = agreement(spec, [(b.witness, b.data.get(spec.id)) for b in members])
            if agreed is not None:
                fields.append(agreed)
        provenance = [
            (b.witness, str(b.data.get(provenance_field) or ""), str(b.data.get(certainty_field) or ""))
            for b in members
        ]
        out.append(
            Signalement(
                ref=f"{REF_PREFIX[kind]}{number}", kind=kind, blocks=members, fields=fields, provenance=provenance
            )
        )
    return out


# -------------------------------------------------------------------------------------------------
# Timeline


@dataclass
class TimelineEntry:
    at: datetime | None
    kind: str  # incident, observation, person, vehicle, before, tip
    text: str
    witness: str = ""
    signalement: str = ""
    estimated_date: bool = False

    @property
    def sort_key(self) -> tuple[int, float]:
        # Entries without a time (such as "in the days before") go last.
        return (0, self.at.timestamp()) if self.at is not None else (1, 0.0)


def place_time(clock: str, occurred_from: datetime, occurred_until: datetime) -> datetime | None:
    """The moment a witness's "HH:MM" most likely means: the candidate closest to the incident window."""
    minutes = _minutes(clock)
    if minutes is None:
        return None
    tz = timezone.get_current_timezone()
    start, end = timezone.localtime(occurred_from, tz), timezone.localtime(occurred_until, tz)
    candidates = []
    day = start.date() - timedelta(days=1)
    while day <= end.date() + timedelta(days=1):
        naive = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)
        candidates.append(timezone.make_aware(naive, tz))
        day += timedelta(days=1)

    def distance(moment: datetime) -> float:
        if start <= moment <= end:
            return 0.0
        return min(abs((moment - start).total_seconds()), abs((moment - end).total_seconds()))

    return min(candidates, key=distance)


def timeline(
    statements: Sequence[Statement],
    found: Sequence[Signalement],
    *,
    occurred_from: datetime,
    occurred_until: datetime,
    tips: Sequence[TipNote] = (),
) -> list[TimelineEntry]:
    start_day = timezone.localtime(occurred_from).date()
    single_day = start_day == timezone.localtime(occurred_until).date()

    def at(clock: Any) -> datetime | None:
        return place_time(str(clock), occurred_from, occurred_until) if clock else None

    def guessed(moment: datetime | None) -> bool:
        # A clock time's date is inferred; say so when it is not simply the day of the incident.
        return moment is not None and (not single_day or timezone.localtime(moment).date() != start_day)

    entries = [
        TimelineEntry(at=occurred_from, kind="incident", text=_("Begin van de tijdsperiode van het incident")),
        TimelineEntry(at=occurred_until, kind="incident", text=_("Einde van de tijdsperiode van het incident")),
    ]
    for st in statements:
        a = st.answers
        what = str(a.get("what") or "").strip()
        if what:
            place = str(a.get("what_place") or "").strip()
            text = what + (f" ({place})" if place else "")
            moment = at(a.get("what_time"))
            entries.append(
                TimelineEntry(at=moment, kind="observation", text=text, witness=st.ref, estimated_date=guessed(moment))
            )
        before = str(a.get("unusual_before_what") or "").strip()
        if before:
            entries.append(
                TimelineEntry(
                    at=None, kind="before", text=_("In de dagen ervoor: %(what)s") % {"what": before}, witness=st.ref
                )
            )
        flight = str(a.get("flight_direction") or "").strip()
        if flight:
            moment = at(a.get("what_time"))
            entries.append(
                TimelineEntry(
                    at=moment,
                    kind="flight",
                    text=_("Vluchtrichting: %(what)s") % {"what": flight},
                    witness=st.ref,
                    estimated_date=guessed(moment),
                )
            )
    for sig in found:
        for block in sig.blocks:
            d = block.data
            times: tuple[tuple[str, str], ...]
            if sig.kind == PERSON:
                times = (
                    ("first_seen", _("%(ref)s voor het eerst gezien")),
                    ("last_seen", _("%(ref)s voor het laatst gezien")),
                )
            else:
                times = (("vehicle_time", _("%(ref)s gezien")),)
            for key, label in times:
                if _minutes(d.get(key)) is None:
                    continue
                text = label % {"ref": sig.ref}
                behaviour = str(d.get("behaviour") or d.get("vehicle_direction") or "").strip()
                if behaviour and key != "last_seen":
                    text += f": {behaviour}"
                moment = at(d.get(key))
                entries.append(
                    TimelineEntry(
                        at=moment,
                        kind=sig.kind,
                        text=text,
                        witness=block.witness,
                        signalement=sig.ref,
                        estimated_date=guessed(moment),
                    )
                )
    for tip in tips:
        entries.append(
            TimelineEntry(
                at=tip.received_at,
                kind="tip",
                text=_("Tip ontvangen: %(text)s") % {"text": tip.text[:300]},
                witness=tip.ref,
            )
        )
    entries.sort(key=lambda e: e.sort_key)
    return _merge_same(entries)


def _merge_same(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Witnesses who saw the same thing at the same time become one entry naming them all."""
    merged: list[TimelineEntry] = []
    index: dict[tuple[Any, str, str, str], TimelineEntry] = {}
    for entry in entries:
        key = (entry.at, entry.kind, entry.text, entry.signalement)
        existing = index.get(key)
        if existing is not None and entry.witness and existing.witness:
            if entry.witness not in existing.witness.split(", "):
                existing.witness = f"{existing.witness}, {entry.witness}"
            continue
        index[key] = entry
        merged.append(entry)
    return merged


# -------------------------------------------------------------------------------------------------
# Camera leads


@dataclass
class CameraLead:
    witness: str
    visit_id: int | None
    address_label: str
    street: str
    x: int | None
    y: int | None
    view: list[str]
    direction: str
    retention_days: int | None
    deadline: datetime
    in_camera_in_beeld: str
    willing_to_share: str

    @property
    def retention_assumed(self) -> bool:
        return self.retention_days is None

    def days_left(self, now: datetime) -> float:
        return (self.deadline - now).total_seconds() / 86400

    def is_expired(self, now: datetime) -> bool:
        return self.deadline <= now

    def is_urgent(self, now: datetime) -> bool:
        return not self.is_expired(now) and self.days_left(now) <= URGENT_DAYS


def camera_leads(statements: Sequence[Statement], *, occurred_from: datetime, now: datetime) -> list[CameraLead]:
    leads = []
    for st in statements:
        a = st.answers
        if a.get("has_camera") != "ja":
            continue
        days = a.get("camera_retention_days")
        retention = int(days) if isinstance(days, int | float) and not isinstance(days, bool) else None
        deadline = occurred_from + timedelta(days=retention if retention is not None else ASSUMED_RETENTION_DAYS)
        view = a.get("camera_view")
        leads.append(
            CameraLead(
                witness=st.ref,
                visit_id=st.visit_id,
                address_label=st.address_label,
                street=st.street,
                x=st.x,
                y=st.y,
                view=[str(v) for v in view] if isinstance(view, list) else [],
                direction=str(a.get("camera_direction") or "").strip(),
                retention_days=retention,
                deadline=deadline,
                in_camera_in_beeld=str(a.get("camera_in_beeld") or "weet_niet"),
                willing_to_share=str(a.get("camera_share") or "weet_niet"),
            )
        )
    share_rank = {"ja": 0, "weet_niet": 1, "nee": 2}
    # Still-available footage first, the soonest overwritten on top; expired leads last.
    leads.sort(
        key=lambda lead: (
            lead.is_expired(now),
            lead.deadline,
            share_rank.get(lead.willing_to_share, 1),
            lead.witness,
        )
    )
    return leads


# -------------------------------------------------------------------------------------------------
# Everything together


@dataclass
class Consolidation:
    persons: list[Signalement]
    vehicles: list[Signalement]
    timeline: list[TimelineEntry]
    camera_leads: list[CameraLead]
    coverage: CoverageFigures
    statements: list[Statement]
    tips: list[TipNote]
    occurred_from: datetime
    occurred_until: datetime
    now: datetime

    @property
    def signalements(self) -> list[Signalement]:
        return [*self.persons, *self.vehicles]

    def signalement(self, ref: str) -> Signalement | None:
        return next((s for s in self.signalements if s.ref == ref), None)

    @property
    def hours_to_first_door(self) -> float | None:
        first = self.coverage.first_visit_at
        if first is None:
            return None
        return max(0.0, (first - self.occurred_until).total_seconds() / 3600)


def consolidate(
    statements: Sequence[Statement],
    *,
    occurred_from: datetime,
    occurred_until: datetime,
    now: datetime | None = None,
    schema: Schema | None = None,
    tips: Sequence[TipNote] = (),
    coverage: CoverageFigures | None = None,
) -> Consolidation:
    now = now or timezone.now()
    ordered = sorted(statements, key=_statement_order)
    persons = signalements(ordered, PERSON, specs_for(PERSON, schema))
    vehicles = signalements(ordered, VEHICLE, specs_for(VEHICLE, schema))
    return Consolidation(
        persons=persons,
        vehicles=vehicles,
        timeline=timeline(
            ordered, [*persons, *vehicles], occurred_from=occurred_from, occurred_until=occurred_until, tips=tips
        ),
        camera_leads=camera_leads(ordered, occurred_from=occurred_from, now=now),
        coverage=coverage or CoverageFigures(statements_approved=len(statements)),
        statements=list(ordered),
        tips=list(tips),
        occurred_from=occurred_from,
        occurred_until=occurred_until,
        now=now,
    )


def _statement_order(st: Statement) -> tuple[int, float, str]:
    if st.visited_at is None:
        return (1, 0.0, st.ref)
    return (0, st.visited_at.timestamp(), st.ref)


def witness_refs(items: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, str]:
    """G1, G2, ... in the given order, keyed by `key(item)`."""
    return {key(item): f"G{n}" for n, item in enumerate(items, start=1)}
