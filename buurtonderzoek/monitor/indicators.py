"""From answers to indicator scores, following the CBS Veiligheidsmonitor (DOMAIN.md section 6).

The questionnaire is data: a question takes part in the statistics when it carries
`meta.indicator` (the standard questionnaires in questionnaires/standard/ set these). `score()` turns
one respondent's answers into numbers, one per indicator key: 0/1 for a proportion (the share of
respondents for whom it holds), a number for a mean. A key is absent when the respondent has no
value for it (not asked, or "weet niet"), so every indicator has its own denominator.
`indicators_for(schema)` lists what a version measures, in report order.

The question's `meta` decides the scoring (`kind`; `item` and `value` where given):

- `proportion`: key `<indicator>` (or `<indicator>_<item>`), 1 when the answer is `value` (default
  "ja"), else 0. Victimisation items are `victimisation_<item>`; `reported_<item>` is asked of
  victims only, so its share is "reported, among victims".
- `mean`: key `<indicator>`, the mean of the number or scale answer (rapportcijfers 1-10, trust 1-5).
- `scale`: all items with the same indicator form one scale score per respondent on 0-10: each item
  mapped to 0-1 over its min..max (reversed with `reversed`), averaged, times 10; only when at least
  three quarters of the items are answered. For the four CBS cohesion statements on 1-5 this is the
  VM's social cohesion score (four statements in version 1, the six of the VM 2021 in `cohesion_vm2021`).
- `distribution` with `value` (nuisance items): key `<indicator>_<item>`, 1 when the answer is `value`
  ("vaak").
- `distribution` without `value`: one proportion per choice, `<indicator>_<choice>` ("weet niet" is
  left out of the denominator). For a `<x>_frequency` question that is only asked after "ja" on `<x>`
  (how often one feels unsafe), the VM figure is the share of *all* respondents who feel unsafe often:
  key `<x>_often`, 1 for "vaak", and 0 for those who answered "nee" on `<x>`.

Without `meta.kind` the question type decides: scale/number -> mean, yes/no -> proportion of "ja",
other single choice -> distribution.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.monitor.statistics import Kind
from buurtonderzoek.questionnaires import engine

DONT_KNOW = frozenset({"weet_niet", "weetniet", "geen_antwoord", "onbekend"})
OFTEN = "vaak"
KEY_RE = re.compile(r"[^a-z0-9_]+")
SCALE_MIN_SHARE = 0.75


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    kind: Kind
    group: str
    order: float = 1000.0
    reference: float | None = None  # national reference point (proportion 0-1 or mean)
    reference_label: str | Promise = ""  # the year of the national figure
    higher_is_better: bool | None = None
    low: float | None = None  # range of a mean, for charts
    high: float | None = None
    # Which CBS Veiligheidsmonitor series the reference point belongs to (the VM was redesigned in 2021).
    reference_series: str | Promise = ""
    # Why our figure must not be compared with the reference (a series break or another definition):
    # then the reference is shown with this reason and no verdict ("niet vergelijkbaar").
    not_comparable: str | Promise = ""

    @property
    def is_proportion(self) -> bool:
        return self.kind == Kind.PROPORTION

    @property
    def reference_source(self) -> str:
        """ "CBS Veiligheidsmonitor 2023, reeks vanaf 2021": year, source and series of the reference."""
        if self.reference is None:
            return ""
        parts = [str(_("CBS Veiligheidsmonitor"))]
        parts.append(str(self.reference_label) if self.reference_label else str(_("jaar niet vastgelegd")))
        text = " ".join(parts)
        return f"{text}, {self.reference_series}" if self.reference_series else text


GROUPS: dict[str, Promise] = {
    "unsafe": _("Onveiligheidsgevoelens"),
    "marks": _("Rapportcijfers en ontwikkeling van de buurt"),
    "cohesion": _("Sociale samenhang"),
    "nuisance": _("Overlast"),
    "priority": _("Wat moet als eerste worden aangepakt"),
    "victim": _("Slachtofferschap en aangifte"),
    "watch": _("Buurtpreventie"),
    "other": _("Overige vragen"),
}
GROUP_ORDER = list(GROUPS)


def _known(*items: Indicator) -> dict[str, Indicator]:
    return {i.key: i for i in items}


NEW_SERIES = _("reeks vanaf 2021")
OLD_SERIES = _("reeks tot en met 2019")

# Indicators with a fixed label, direction and (DOMAIN.md section 6) national reference point, each
# with its year and series; never compared across the 2021 series break or another definition.
KNOWN = _known(
    Indicator(
        "unsafe_general",
        _("Voelt zich wel eens onveilig"),
        Kind.PROPORTION,
        "unsafe",
        10,
        0.35,
        "2023",
        False,
        reference_series=NEW_SERIES,
    ),
    Indicator("unsafe_general_often", _("Voelt zich vaak onveilig"), Kind.PROPORTION, "unsafe", 11, None, "", False),
    Indicator(
        "unsafe_buurt",
        _("Voelt zich wel eens onveilig in de eigen buurt"),
        Kind.PROPORTION,
        "unsafe",
        12,
        0.14,
        "2019",
        False,
        reference_series=OLD_SERIES,
        not_comparable=_(
            "het landelijke cijfer (2019) is van vóór de trendbreuk van 2021 in de Veiligheidsmonitor; "
            "een cijfer uit de reeks vanaf 2021 hebben we niet kunnen controleren, dus vergelijken we niet"
        ),
    ),
    Indicator(
        "unsafe_buurt_often",
        _("Voelt zich vaak onveilig in de eigen buurt"),
        Kind.PROPORTION,
        "unsafe",
        13,
        None,
        "",
        False,
    ),
    Indicator(
        "mark_safety",
        _("Rapportcijfer veiligheid buurt"),
        Kind.MEAN,
        "marks",
        20,
        None,  # no verified national figure (docs/monitor.md): shown without a reference
        "",
        True,
        1,
        10,
    ),
    Indicator(
        "mark_liveability",
        _("Rapportcijfer leefbaarheid buurt"),
        Kind.MEAN,
        "marks",
        21,
        7.6,
        "2021",
        True,
        1,
        10,
        reference_series=NEW_SERIES,
    ),
    Indicator("buurt_change_vooruit", _("Buurt is vooruitgegaan"), Kind.PROPORTION, "marks", 22, None, "", True),
    Indicator("buurt_change_gelijk", _("Buurt is gelijk gebleven"), Kind.PROPORTION, "marks", 23),
    Indicator("buurt_change_achteruit", _("Buurt is achteruitgegaan"), Kind.PROPORTION, "marks", 24, None, "", False),
    Indicator(
        "cohesion",
        _("Sociale samenhang, 4 stellingen van vóór 2021 (schaal 0-10)"),
        Kind.MEAN,
        "cohesion",
        30,
        6.4,
        "2021",
        True,
        0,
        10,
        reference_series=_("reeks vanaf 2021, schaal van 6 stellingen"),
        not_comparable=_(
            "deze vragenlijst meet sociale samenhang met de 4 stellingen van vóór 2021; het landelijke cijfer "
            "gebruikt de 6 stellingen van de Veiligheidsmonitor vanaf 2021"
        ),
    ),
    Indicator(
        "cohesion_vm2021",
        _("Sociale samenhang, 6 stellingen (schaal 0-10)"),
        Kind.MEAN,
        "cohesion",
        31,
        6.4,
        "2021",
        True,
        0,
        10,
        reference_series=_("reeks vanaf 2021, schaal van 6 stellingen"),
    ),
    Indicator("watch_aware", _("Weet dat er buurtpreventie is"), Kind.PROPORTION, "watch", 70, None, "", True),
    Indicator("watch_trust", _("Vertrouwen in buurtpreventie (1-5)"), Kind.MEAN, "watch", 71, None, "", True, 1, 5),
)

FAMILY_GROUP = {
    "unsafe_general": "unsafe",
    "unsafe_buurt": "unsafe",
    "mark_safety": "marks",
    "mark_liveability": "marks",
    "buurt_change": "marks",
    "cohesion": "cohesion",
    "cohesion_vm2021": "cohesion",
    "nuisance": "nuisance",
    "nuisance_priority": "priority",
    "victimisation": "victim",
    "reported": "victim",
}


def _slug(value: str) -> str:
    return KEY_RE.sub("_", value.lower()).strip("_")


def _family(q: engine.Question) -> str:
    indicator = q.meta.get("indicator")
    return _slug(indicator) if isinstance(indicator, str) else ""


def _item(q: engine.Question) -> str:
    item = q.meta.get("item")
    return _slug(item) if isinstance(item, str) and item else ""


def _kind(q: engine.Question) -> str:
    kind = q.meta.get("kind")
    if isinstance(kind, str) and kind in ("proportion", "mean", "scale", "distribution"):
        return kind
    if q.type in ("scale", "number"):
        return "mean"
    if q.type == "single" and "ja" in q.choice_values and len(set(q.choice_values) - DONT_KNOW) <= 2:
        return "proportion"
    return "distribution"


def _positive(q: engine.Question) -> str:
    value = q.meta.get("value")
    return value if isinstance(value, str) else "ja"


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _key(family: str, item: str) -> str:
    return f"{family}_{item}" if item else family


def _group(family: str) -> str:
    if family in FAMILY_GROUP:
        return FAMILY_GROUP[family]
    for prefix, group in (("unsafe", "unsafe"), ("mark", "marks"), ("watch", "watch"), ("victim", "victim")):
        if family.startswith(prefix):
            return group
    return "other"


def _stat_questions(schema: engine.Schema) -> list[engine.Question]:
    """Top-level questions with an indicator, in document order (repeat children never count)."""
    return [q for q in schema.iter_questions() if _family(q) and not schema.parents.get(q.id) and q.type != "note"]


def score(schema: engine.SchemaLike, answers: Mapping[str, Any]) -> dict[str, float]:
    """One respondent's indicator scores (see the module docstring)."""
    parsed = engine.as_schema(schema)
    scores: dict[str, float] = {}
    scales: dict[str, list[float | None]] = defaultdict(list)
    frequencies: list[engine.Question] = []
    for q in _stat_questions(parsed):
        family, kind, value = _family(q), _kind(q), answers.get(q.id)
        if kind == "scale":
            scales[family].append(_unit_item(q, value))
            continue
        if family.endswith("_frequency") and kind == "distribution":
            frequencies.append(q)
            continue
        if value is None or (isinstance(value, str) and value in DONT_KNOW):
            continue
        key = _key(family, _item(q))
        if kind == "proportion":
            if isinstance(value, str):
                scores[key] = 1.0 if value == _positive(q) else 0.0
        elif kind == "mean":
            number = _number(value)
            if number is not None:
                scores[key] = number
        elif "value" in q.meta and isinstance(value, str):
            scores[key] = 1.0 if value == _positive(q) else 0.0
        elif q.type == "multiple" and isinstance(value, list):
            for choice in q.choice_values:
                if choice not in DONT_KNOW:
                    scores[f"{key}_{_slug(choice)}"] = 1.0 if choice in value else 0.0
        elif isinstance(value, str):
            for choice in q.choice_values:
                if choice not in DONT_KNOW:
                    scores[f"{key}_{_slug(choice)}"] = 1.0 if choice == value else 0.0

    for q in frequencies:
        base = _family(q).removesuffix("_frequency")
        value = answers.get(q.id)
        if isinstance(value, str) and value in q.choice_values and value not in DONT_KNOW:
            scores[f"{base}_often"] = 1.0 if value == OFTEN else 0.0
        elif scores.get(base) == 0.0:
            scores[f"{base}_often"] = 0.0  # never feels unsafe, so not often either

    for family, items in scales.items():
        answered = [item for item in items if item is not None]
        if answered and len(answered) >= math.ceil(SCALE_MIN_SHARE * len(items)):
            scores[family] = round(10.0 * sum(answered) / len(answered), 6)
    return scores


def _unit_item(q: engine.Question, value: Any) -> float | None:
    """A scale item on 0-1 over its range, reversed for negatively worded statements."""
    number = _number(value)
    low = q.min if q.min is not None else 1.0
    high = q.max if q.max is not None else 5.0
    if number is None or high <= low:
        return None
    unit = (number - low) / (high - low)
    return 1.0 - unit if q.meta.get("reversed") else unit


def _in_english() -> bool:
    return (get_language() or "nl").startswith("en")


def _label(q: engine.Question) -> str:
    """The question's label in the reader's language: the schema's `en` text when reading English."""
    return (engine.translation(q.raw, "label", "en") if _in_english() else None) or q.label


def _choice_labels(q: engine.Question) -> dict[str, str]:
    """Choice value -> label in the reader's language."""
    return {**dict(q.choices), **(engine.choice_translations(q, "en") if _in_english() else {})}


def indicators_for(schema: engine.SchemaLike) -> list[Indicator]:
    """The indicators a questionnaire version measures, in report order, labelled in the reader's language."""
    parsed = engine.as_schema(schema)
    questions = _stat_questions(parsed)
    item_labels = {_item(q): _label(q) for q in questions if _family(q) == "victimisation" and _item(q)}
    found: dict[str, Indicator] = {}

    def add(indicator: Indicator) -> None:
        found.setdefault(indicator.key, KNOWN.get(indicator.key, indicator))

    for position, q in enumerate(questions):
        family, kind, item = _family(q), _kind(q), _item(q)
        group = _group(family)
        order = 100.0 + position
        key = _key(family, item)
        if kind == "scale":
            add(
                Indicator(
                    family, _("%(name)s (schaal 0-10)") % {"name": family}, Kind.MEAN, group, order, low=0, high=10
                )
            )
        elif family.endswith("_frequency") and kind == "distribution":
            base = family.removesuffix("_frequency")
            add(Indicator(f"{base}_often", _("%(label)s: vaak") % {"label": _label(q)}, Kind.PROPORTION, group, order))
        elif kind == "proportion":
            if family == "victimisation":
                label = _("Slachtoffer: %(what)s") % {"what": _label(q)}
                add(Indicator(key, label, Kind.PROPORTION, group, 50 + position / 1000, higher_is_better=False))
            elif family == "reported":
                what = item_labels.get(item, item)
                label = _("Gemeld bij de politie (van de slachtoffers): %(what)s") % {"what": what}
                add(Indicator(key, label, Kind.PROPORTION, group, 50 + position / 1000 + 0.0001))
            else:
                add(Indicator(key, _label(q), Kind.PROPORTION, group, order))
        elif kind == "mean":
            add(Indicator(key, _label(q), Kind.MEAN, group, order, low=q.min, high=q.max, higher_is_better=True))
        elif "value" in q.meta:
            value_label = _choice_labels(q).get(_positive(q), _positive(q))
            label = _("%(what)s: %(value)s") % {"what": _label(q), "value": value_label.lower()}
            better = False if family == "nuisance" else None
            add(Indicator(key, label, Kind.PROPORTION, group, 40 + position / 1000, higher_is_better=better))
        else:
            for index, (choice, choice_label) in enumerate(_choice_labels(q).items()):
                if choice in DONT_KNOW:
                    continue
                if family == "nuisance_priority":
                    label = _("Eerst aanpakken: %(what)s") % {"what": choice_label}
                else:
                    label = f"{_label(q)}: {choice_label}"
                add(Indicator(f"{key}_{_slug(choice)}", label, Kind.PROPORTION, group, order + index / 100))
    return sorted(found.values(), key=indicator_order)


def indicator_order(indicator: Indicator) -> tuple[int, float, str]:
    group = GROUP_ORDER.index(indicator.group) if indicator.group in GROUP_ORDER else len(GROUP_ORDER)
    return (group, indicator.order, indicator.key)
