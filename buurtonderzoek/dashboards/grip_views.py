"""The gemeente's grip pages: figures per wijk and buurt on a map, in a table and as CSV, with a
monthly trend against the year before; the team-health page; and the weekly digest opt-in.

Aggregates only (counts per buurt and month from `grip.py`): no incident descriptions, no addresses.
Flow: the page checks the user works for the gemeente (404 otherwise), starts a background recount
when the monthly roll-up is stale, and reads the roll-up with a fixed number of queries.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Role, Team
from buurtonderzoek.core.dbrouter import reads_from_replica
from buurtonderzoek.core.decorators import role_required
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.dashboards import actions, charts
from buurtonderzoek.dashboards.access import get_grip_gemeente_for_user, grip_gemeenten
from buurtonderzoek.dashboards.forms import GripForm
from buurtonderzoek.dashboards.grip import (
    FIGURES,
    AreaFigures,
    figure_value,
    monthly_figures,
    request_refresh,
    rolled_up_figures,
)
from buurtonderzoek.dashboards.health import counted_team_health
from buurtonderzoek.dashboards.models import DigestSubscription
from buurtonderzoek.dashboards.monitor_effect import latest_monitor, monitor_effect
from buurtonderzoek.places.models import Buurt, Gemeente

# Five classes of a sequential blue scale, light to dark; text on the map is never drawn on them.
SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#d9d9d9"


@dataclass(frozen=True)
class Row:
    name: str
    code: str
    url: str | None
    figures: AreaFigures
    level: str = "buurt"  # the monitor's area key: ("buurt" | "wijk", pk)
    pk: int = 0


@role_required(Role.MUNICIPAL, "admin")
def grip_index(request: AuthedHttpRequest) -> HttpResponse:
    gemeente = grip_gemeenten(request.user).order_by("name").first()
    if gemeente is None:
        raise Http404
    return redirect("grip", gemeente.pk)


def _fmt(value: Decimal | int | None) -> str:
    if value is None:
        return "-"
    return str(formats.localize(value, use_l10n=True))


def _classes(values: list[Decimal | int]) -> list[Decimal | int]:
    """Upper bounds of five classes by rank (quantiles), so every shade is used when values differ."""
    ordered = sorted(set(values))
    if not ordered:
        return []
    return sorted({ordered[min(len(ordered) - 1, (len(ordered) * k) // 5)] for k in range(1, 6)})


def _shade(value: Decimal | int | None, bounds: list[Decimal | int]) -> str:
    if value is None:
        return NO_DATA
    for i, bound in enumerate(bounds):
        if value <= bound:
            return SHADES[min(i, len(SHADES) - 1)]
    return SHADES[-1]


def _link(gemeente: Gemeente, params: dict[str, Any], **scope: Any) -> str:
    query = {k: v for k, v in params.items() if k not in ("wijk", "buurt") and v}
    query.update({k: v for k, v in scope.items() if v})
    return reverse("grip", args=[gemeente.pk]) + "?" + "&".join(f"{k}={v}" for k, v in query.items())


@role_required(Role.MUNICIPAL, "admin")
@reads_from_replica
def grip(request: AuthedHttpRequest, gemeente_id: int) -> HttpResponse:
    gemeente = get_grip_gemeente_for_user(request.user, gemeente_id)
    monitor = latest_monitor(gemeente)
    choices = monitor.choices if monitor else []
    form = GripForm(request.GET, gemeente=gemeente, monitor=choices)  # all optional: no choice, the defaults
    valid = form.is_valid()
    data = form.cleaned_data if valid else _defaults(gemeente)
    figure, first, last = data["figuur"], data["van"], data["tot"]
    wijk, buurt = data.get("wijk"), data.get("buurt")
    if valid:  # show the months and figure in effect, also when they were left empty
        shown = request.GET.copy()
        for name, value in {"figuur": figure, "van": f"{first:%Y-%m}", "tot": f"{last:%Y-%m}"}.items():
            shown[name] = value
        form.data = shown
    if buurt is not None:
        wijk = buurt.wijk
    refresh = request_refresh(gemeente)

    buurten = list(
        Buurt.objects.filter(gemeente=gemeente, **({"wijk": wijk} if wijk else {}))
        .select_related("wijk")
        .order_by("code")
    )
    per_buurt = rolled_up_figures([b.pk for b in buurten], first=first, last=last)
    params = {"figuur": figure, "van": f"{first:%Y-%m}", "tot": f"{last:%Y-%m}"}
    if buurt is not None:
        rows = [Row(buurt.name, buurt.code, None, per_buurt[buurt.pk], "buurt", buurt.pk)]
    elif wijk is not None:
        rows = [
            Row(b.name, b.code, _link(gemeente, params, buurt=b.pk), per_buurt[b.pk], "buurt", b.pk) for b in buurten
        ]
    else:
        by_wijk: dict[int, list[Buurt]] = {}
        for b in buurten:
            by_wijk.setdefault(b.wijk_id, []).append(b)
        rows = [
            Row(
                bs[0].wijk.name,
                bs[0].wijk.code,
                _link(gemeente, params, wijk=wijk_id),
                sum((per_buurt[b.pk] for b in bs), AreaFigures()),
                "wijk",
                wijk_id,
            )
            for wijk_id, bs in by_wijk.items()
        ]
    total = sum((r.figures for r in rows), AreaFigures())
    scope_ids = [buurt.pk] if buurt is not None else [b.pk for b in buurten]
    months = monthly_figures(scope_ids, first=first, last=last, addresses=total.addresses)

    if request.GET.get("formaat") == "csv":
        return _csv(gemeente, rows, total, first=first, last=last)

    indicator = monitor.indicator(figure) if monitor else None
    if monitor is not None and indicator is not None:
        shown_figures = {b.pk: monitor.result.figure(("buurt", b.pk), indicator) for b in buurten}
        values: dict[int, Decimal | int | None] = {
            pk: None if f.value is None else Decimal(f"{f.value:.1f}") for pk, f in shown_figures.items()
        }
        label = f"{indicator.label} ({monitor.wave.name})"
        extra = (label, [monitor.result.figure(_area_key(r), indicator).text for r in rows])
    else:
        values = {b.pk: figure_value(per_buurt[b.pk], figure) for b in buurten}
        label = str(FIGURES[figure])
        extra = None
    bounds = _classes([v for v in values.values() if v is not None])
    features = [
        {
            "type": "Feature",
            "geometry": b.boundary,
            "properties": {
                "name": b.name,
                "text": _fmt(values[b.pk]),
                "colour": _shade(values[b.pk], bounds),
                "url": _link(gemeente, params, buurt=b.pk),
                "selected": buurt is not None and b.pk == buurt.pk,
            },
        }
        for b in buurten
        if b.boundary
    ]
    legend = [(SHADES[i], _fmt(bound)) for i, bound in enumerate(bounds)]
    trend_figure = figure if figure in FIGURES else "incidents"
    trend_label = str(FIGURES[trend_figure])
    trend = [(m.month, figure_value(m.current, trend_figure), figure_value(m.previous, trend_figure)) for m in months]
    return render(
        request,
        "dashboards/grip.html",
        {
            "gemeente": gemeente,
            "form": form,
            "figure": figure,
            "figure_label": label,
            "trend_label": trend_label,
            "monitor_column": extra,
            "first": first,
            "last": last,
            "wijk": wijk,
            "buurt": buurt,
            "headers": list(FIGURES.values()),
            "rows": [
                (r, [(name, _fmt(figure_value(r.figures, k))) for k, name in FIGURES.items()], monitor_text)
                for r, monitor_text in zip(rows, extra[1] if extra else [""] * len(rows), strict=True)
            ],
            "total": [(name, _fmt(figure_value(total, k))) for k, name in FIGURES.items()],
            "total_addresses": total.addresses,
            "row_level": _("Buurt") if wijk is not None else _("Wijk"),
            "features": {"type": "FeatureCollection", "features": features},
            "legend": legend,
            "trend": [(month, _fmt(now), _fmt(before)) for month, now, before in trend],
            "trend_svg": charts.two_year_chart(
                [(f"{month:%m-%Y}", now, before) for month, now, before in trend],
                title=_("%(figure)s per maand, dit jaar en het jaar ervoor") % {"figure": trend_label},
                now_label=_("deze periode"),
                before_label=_("een jaar eerder"),
            ),
            "csv_url": _link(gemeente, params, wijk=wijk.pk if wijk else None, buurt=buurt.pk if buurt else None)
            + "&formaat=csv",
            "gemeente_url": _link(gemeente, params),
            "wijk_url": _link(gemeente, params, wijk=wijk.pk) if wijk else None,
            "refresh": refresh,
        },
        status=200 if valid else 400,
    )


def _area_key(row: Row) -> tuple[str, int]:
    return (row.level, row.pk)


def _defaults(gemeente: Gemeente) -> dict[str, Any]:
    form = GripForm({}, gemeente=gemeente)
    form.is_valid()
    return form.cleaned_data


def _csv(gemeente: Gemeente, rows: list[Row], total: AreaFigures, *, first: date, last: date) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("gebied"),
            _("CBS-code"),
            _("adressen"),
            *[str(label) for label in FIGURES.values()],
        ]
    )
    for name, code, figures in [*[(r.name, r.code, r.figures) for r in rows], (_("Totaal"), gemeente.code, total)]:
        writer.writerow([name, code, figures.addresses, *[_fmt(figure_value(figures, key)) for key in FIGURES]])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="grip-{gemeente.code}-{first:%Y-%m}-{last:%Y-%m}.csv"'
    return response


@role_required(Role.MUNICIPAL, "admin")
@reads_from_replica
def team_health_page(request: AuthedHttpRequest, gemeente_id: int) -> HttpResponse:
    gemeente = get_grip_gemeente_for_user(request.user, gemeente_id)
    request_refresh(gemeente)  # keeps the stored health and the door-visit roll-up close to now
    teams = list(Team.objects.filter(gemeente=gemeente).order_by("name"))
    health = counted_team_health(teams)
    order = {"risico": 0, "let_op": 1, "in_orde": 2}
    health.sort(key=lambda h: (order[h.level], h.team.name))
    counted = min((h.counted_at for h in health if h.counted_at), default=None)
    return render(request, "dashboards/team_health.html", {"gemeente": gemeente, "health": health, "counted": counted})


@role_required(Role.MUNICIPAL, Role.COORDINATOR)
def digest_settings(request: AuthedHttpRequest) -> HttpResponse:
    """Opt in or out of the weekly digest e-mail (for oneself only)."""
    if request.method == "POST":
        if request.POST.get("weekly") == "on":
            actions.subscribe_digest(request.user, by=request.user)
            messages.success(request, _("U krijgt voortaan elke week een samenvatting per e-mail."))
        else:
            actions.unsubscribe_digest(request.user, by=request.user)
            messages.success(request, _("U krijgt geen wekelijkse samenvatting meer."))
        return redirect("digest_settings")
    subscribed = DigestSubscription.objects.filter(user=request.user).exists()
    return render(request, "dashboards/digest_settings.html", {"subscribed": subscribed})


@role_required(Role.MUNICIPAL, "admin")
@reads_from_replica
def monitor_effect_page(request: AuthedHttpRequest, gemeente_id: int) -> HttpResponse:
    """The Communitymonitor before and after team activity, and the canvass pulse answers (monitor_effect.py)."""
    gemeente = get_grip_gemeente_for_user(request.user, gemeente_id)
    effect = monitor_effect(gemeente)
    results = effect.results
    indicator = results.indicator_by_key.get(request.GET.get("indicator", "")) or (
        results.indicators[0] if results.indicators else None
    )
    trend, chart, pulse = [], "", []
    if indicator is not None:
        trend = results.trend(results.root, indicator)
        chart = charts.timeline_chart(
            [(w.ends_on, f.value, f.low, f.high, f.value_display) for w, f in trend],
            [(s.first_canvass, s.team) for s in effect.starts],
            effect.canvasses_per_month,
            title=_("%(indicator)s per meetronde, met de start van de teams en de buurtonderzoeken per maand")
            % {"indicator": indicator.label},
        )
        for wave_id, result in sorted(results.pulse.items(), key=lambda kv: (kv[0] is not None, kv[0] or 0)):
            label = result.wave.name if wave_id is not None else _("buiten een meetronde")
            rows = [
                (area, result.respondents_display(area.key), result.figure(area.key, indicator))
                for area in result.areas_of("buurt")
            ]
            pulse.append((label, [r for r in rows if result.respondents.get(r[0].key)]))
    return render(
        request,
        "dashboards/monitor_effect.html",
        {
            "gemeente": gemeente,
            "effect": effect,
            "indicator": indicator,
            "indicators": results.indicators,
            "trend": trend,
            "chart": chart,
            "pulse": pulse,
        },
    )
