"""`{% health_level level %}`: a team-health level as a coloured label (in orde / let op / risico).

The public buurt summary's chart: the released monitor figures as bars with their 95% interval.

Only figures the table beside it already shows are drawn (a suppressed cell, under 10 answers, is left
out, not drawn as empty), so the chart can never say more than the table. Percentages and 0-10 marks
get a chart each, because one axis for both would mislead.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from buurtonderzoek.monitor.charts_svg import Point, bar_chart
from buurtonderzoek.monitor.statistics import Kind

register = template.Library()

LEVEL_LABELS = {"in_orde": gettext_lazy("in orde"), "let_op": gettext_lazy("let op"), "risico": gettext_lazy("risico")}


@register.simple_tag
def health_level(level: str) -> SafeString:
    """A tag, not an included template: the team-health page shows some 1,800 of these for 201 teams, so
    each label is translated and escaped once per language, not once per use."""
    return _level_label(get_language(), level)


@lru_cache(maxsize=32)
def _level_label(language: str | None, level: str) -> SafeString:
    return format_html('<span class="health health-{}">{}</span>', level, LEVEL_LABELS.get(level, level))


TEN_POINT_GROUPS = ("marks", "cohesion")  # rapportcijfers 1-10 and the 0-10 cohesion score


def _point(figure: Any) -> Point:
    return Point(
        label=str(figure.indicator.label),
        value=figure.value,
        low=figure.low,
        high=figure.high,
        text=figure.value_display,
    )


def summary_charts(rows: Sequence[Any]) -> list[tuple[str, str]]:
    """(title, svg) for each chart with at least one released figure."""
    shown = [item["row"].current for item in rows if item["row"].current.visible]
    percentages = [_point(f) for f in shown if f.indicator.kind == Kind.PROPORTION]
    marks = [_point(f) for f in shown if f.indicator.kind != Kind.PROPORTION and f.indicator.group in TEN_POINT_GROUPS]
    charts = []
    if percentages:
        title = _("Percentage bewoners, met 95%-betrouwbaarheidsinterval")
        charts.append((title, bar_chart(percentages, title=title, bounds=(0.0, 100.0), width=440)))
    if marks:
        title = _("Rapportcijfers en schaalscores (0-10), met 95%-betrouwbaarheidsinterval")
        charts.append((title, bar_chart(marks, title=title, bounds=(0.0, 10.0), width=440)))
    return charts


@register.inclusion_tag("dashboards/_buurt_charts.html")
def buurt_charts(rows: Sequence[Any], buurt: Any) -> dict[str, Any]:
    # The SVG is built from numbers and escaped labels (charts_svg escapes every text it writes).
    charts: list[tuple[str, SafeString]] = [(t, mark_safe(svg)) for t, svg in summary_charts(rows)]
    return {"charts": charts, "buurt": buurt}
