"""Table cells for figures and comparisons: one simple tag each (an {% include %} per cell is slow)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from buurtonderzoek.monitor.results import SUPPRESSED, Area, Comparison, Figure, WaveResult, fmt_number

register = template.Library()


@register.simple_tag
def figure_cell(figure: Figure) -> SafeString:
    """The value with its interval below it; the suppression mark (and its reason for screen readers)."""
    if figure.suppressed:
        return format_html(
            '<span class="suppressed" title="{}">{}<span class="visually-hidden"> {}</span></span>',
            figure.text,
            SUPPRESSED,
            figure.text,
        )
    if figure.pending:
        return format_html('<span class="muted">{}</span>', figure.text)
    if figure.value is None:
        return format_html("{}", "\u2013")
    value = format_html('<span data-value="{}">{}</span>', f"{figure.value:.2f}", figure.value_display)
    if not figure.ci_display:
        return value
    return format_html(
        '{}<span class="ci"><span class="visually-hidden">{} </span>{}</span>', value, _("95%-BI"), figure.ci_display
    )


@register.simple_tag
def change_cell(change: Comparison | None) -> SafeString:
    if change is None:
        return format_html('<span class="muted">{}</span>', "\u2013")
    return format_html(
        '<span class="verdict {}"><span aria-hidden="true">{}</span> {}</span><span class="ci">{}</span>',
        change.css,
        change.symbol,
        change.verdict,
        change.text,
    )


@register.filter
def codes_of(wave_result: WaveResult, area: Area) -> str:
    return fmt_number(wave_result.codes_of(area.key), 0)


@register.filter
def respondents_of(wave_result: WaveResult, area: Area) -> str:
    return wave_result.respondents_display(area.key)


@register.filter
def rate_of(wave_result: WaveResult, area: Area) -> str:
    return wave_result.response_rate_display(area.key)
