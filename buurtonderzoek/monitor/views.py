"""Monitor pages for municipal officers (waves, invitations, results, exports) and the buurt summary.

Officer pages: login required; 404 for a gemeente or wave the user has no tie to; 403 for people
who can see the gemeente but are not its officers (police, teams). The buurt summary is public and
shows only finished waves, suppressed like everything else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from buurtonderzoek.accounts.access import get_team_for_user
from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.dbrouter import reads_from_replica
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.jobs.access import recent_jobs
from buurtonderzoek.monitor import actions, exports, presenters, pulse
from buurtonderzoek.monitor.access import get_gemeente_for_officer, get_wave_for_officer
from buurtonderzoek.monitor.cache import cached_results, remember
from buurtonderzoek.monitor.forms import PrintRunForm, ResultsFilterForm, WaveEditForm, WaveForm
from buurtonderzoek.monitor.models import (
    PrintRun,
    PrintRunStatus,
    Response,
    ResponseStatus,
    Source,
    Wave,
    WaveBuurt,
)
from buurtonderzoek.monitor.results import AreaKey, GemeenteResults, WaveResult, load_results
from buurtonderzoek.monitor.statistics import MIN_CELL
from buurtonderzoek.places.models import Buurt, Gemeente

MONITOR_JOBS = ("monitor.csv", "monitor.xlsx", "monitor.report")


def _officer_gemeenten(user: Any) -> list[Gemeente]:
    if user.is_superuser:
        return list(Gemeente.objects.filter(waves__isnull=False).distinct().order_by("name"))
    return [
        m.gemeente
        for m in Membership.objects.filter(user=user, role=Role.MUNICIPAL).select_related("gemeente")
        if m.gemeente is not None
    ]


@login_required
@require_GET
def index(request: AuthedHttpRequest) -> HttpResponse:
    gemeenten = _officer_gemeenten(request.user)
    if not gemeenten and not request.user.is_superuser:
        raise PermissionDenied(_("De Communitymonitor is voor medewerkers van de gemeente."))
    if len(gemeenten) == 1:
        return redirect("monitor:results", code=gemeenten[0].code)
    return render(request, "monitor/index.html", {"gemeenten": gemeenten})


@login_required
@require_GET
@reads_from_replica
def results(request: AuthedHttpRequest, code: str) -> HttpResponse:
    gemeente = get_gemeente_for_officer(request.user, code)
    data = cached_results(gemeente, with_boundaries=True)
    filters = ResultsFilterForm(request.GET)
    params = filters.cleaned_data if filters.is_valid() else {}
    context: dict[str, Any] = {
        "gemeente": gemeente,
        "results": data,
        "waves": data.waves,
        "jobs": recent_jobs(request.user, MONITOR_JOBS, gemeente=gemeente.code),
    }
    # By default the latest wave with figures; a running wave has progress only (results.py).
    wave = data.wave_by_pk(params.get("wave")) or data.latest_released or data.latest
    indicator = presenters.pick_indicator(data, params.get("indicator"))
    if wave is None or indicator is None:
        return _render_results(request, context, data)
    wave_result = data.invited[wave.pk]
    context["released"] = wave_result.released
    if not wave_result.released:
        context.update({"wave": wave, "indicator": indicator, "wave_result": wave_result})
        context["wave_totals"] = [(w, data.invited[w.pk].respondents_display(data.root)) for w in data.waves]
        context["indicator_groups"] = presenters.indicator_groups(data)
        return _render_results(request, context, data)
    buurten = wave_result.areas_of("buurt")
    buurt_keys = {a.pk: a for a in buurten}
    first = buurt_keys.get(params.get("a") or 0) or (buurten[0] if buurten else None)
    second = buurt_keys.get(params.get("b") or 0) or (buurten[1] if len(buurten) > 1 else first)
    context.update(
        {
            "wave": wave,
            "previous": data.previous(wave),
            "indicator": indicator,
            "wave_result": wave_result,
            "overview": presenters.overview_rows(data, wave),
            "areas": presenters.area_rows(data, wave, indicator),
            "charts": presenters.chart_data(data, wave, indicator),
            "map": presenters.map_data(data, wave, indicator),
            "buurten": buurten,
            "first": first,
            "second": second,
            "compare": presenters.compare_rows(data, wave, first.key, second.key) if first and second else [],
            "public_rows": presenters.nonrandom_rows(data.public.get(wave.pk), data.root),
            "public_total": _total(data.public.get(wave.pk), data.root),
            "pulse_rows": presenters.nonrandom_rows(data.pulse.get(wave.pk), data.root),
            "pulse_total": _total(data.pulse.get(wave.pk), data.root),
            "explanation": exports.explanation_lines(),
            "wave_totals": [(w, data.invited[w.pk].respondents_display(data.root)) for w in data.waves],
            "indicator_groups": presenters.indicator_groups(data),
            "released_waves": [w for w in data.waves if data.is_released(w)],
        }
    )
    return _render_results(request, context, data)


def _render_results(request: AuthedHttpRequest, context: dict[str, Any], data: GemeenteResults) -> HttpResponse:
    response = render(request, "monitor/results.html", context)
    remember(data)  # with the figures this page computed, for the next view (monitor/cache.py)
    return response


@login_required
@require_GET
def pulse_canvasses(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """The safety-pulse answers per canvass in the gemeente: not a sample, released per 10 answers."""
    gemeente = get_gemeente_for_officer(request.user, code)
    found = pulse.gemeente_pulse(gemeente)
    return render(
        request,
        "monitor/pulse_canvasses.html",
        {"gemeente": gemeente, "canvasses": found.canvasses, "buurten": found.buurten},
    )


def small_count(count: int) -> str:
    """A count of people for display: 1 to 9 become "minder dan 10" (DOMAIN.md section 8)."""
    return _("minder dan %(min)s") % {"min": MIN_CELL} if 0 < count < MIN_CELL else str(count)


def _total(wave_result: WaveResult | None, root: AreaKey) -> str:
    return wave_result.respondents_display(root) if wave_result is not None else "0"


@login_required
@require_POST
def export(request: AuthedHttpRequest, code: str, fmt: str) -> HttpResponse:
    """Queue the CSV or Excel download (the worker makes it) and open its progress page."""
    gemeente = get_gemeente_for_officer(request.user, code)
    try:
        job = actions.request_export(gemeente, fmt, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("monitor:results", code=gemeente.code)
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def export_pdf(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """Queue the report (the worker makes it) and open its progress page."""
    gemeente = get_gemeente_for_officer(request.user, code)
    data = load_results(gemeente)
    if not data.waves:
        raise Http404(_("Er zijn nog geen meetrondes om te rapporteren."))
    filters = ResultsFilterForm(request.POST)
    wave = data.wave_by_pk(filters.cleaned_data.get("wave") if filters.is_valid() else None) or data.latest
    assert wave is not None
    if not data.is_released(wave):
        messages.error(
            request,
            _("Het rapport van %(name)s komt beschikbaar als de meetronde is afgesloten (na %(date)s).")
            % {"name": wave.name, "date": date_format(wave.ends_on, "j F Y")},
        )
        return redirect(f"{reverse('monitor:results', args=[gemeente.code])}?wave={wave.pk}")
    # Only the waves the officer ticked (always the report's own wave), and only closed ones.
    ticked = {int(pk) for pk in request.POST.getlist("waves") if pk.isdigit()} | {wave.pk}
    chosen = [w for w in data.waves if w.pk in ticked and data.is_released(w)]
    job = actions.request_report(wave, by=request.user, waves=chosen)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def wave_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    gemeente = get_gemeente_for_officer(request.user, code)
    form = WaveForm(request.POST if request.method == "POST" else None, gemeente=gemeente)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wave = actions.create_wave(
                gemeente,
                by=request.user,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                version=data["version"],
                buurten=data["buurten"],
                target_per_buurt=data["target_per_buurt"],
                public_link_enabled=data["public_link_enabled"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Meetronde %(name)s is aangemaakt.") % {"name": wave.name})
            return redirect("monitor:wave_detail", pk=wave.pk)
    return render(request, "monitor/wave_form.html", {"gemeente": gemeente, "form": form})


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_GET
def wave_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    wave = get_wave_for_officer(request.user, pk)
    data = load_results(wave.gemeente, waves=[wave])
    wave_result = data.invited[wave.pk]
    in_progress = dict(
        Response.objects.filter(wave=wave, status=ResponseStatus.IN_PROGRESS)
        .values_list("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    runs = list(wave.print_runs.select_related("created_by"))
    public_count = Response.objects.filter(wave=wave, source=Source.PUBLIC, status=ResponseStatus.COMPLETED).count()
    rows = [
        {
            "area": area,
            "households": wave_result.households_of(area.key),
            "codes": wave_result.codes_of(area.key),
            "respondents": wave_result.respondents_display(area.key),
            "rate": wave_result.response_rate_display(area.key),
            "shown": wave_result.respondents_shown(area.key),
        }
        for area in wave_result.areas
    ]
    return render(
        request,
        "monitor/wave_detail.html",
        {
            "wave": wave,
            "gemeente": wave.gemeente,
            "rows": rows,
            "runs": runs,
            "public_url": request.build_absolute_uri(reverse("monitor:survey_public", args=[wave.public_token])),
            "public_count": small_count(public_count),
            "in_progress": small_count(sum(in_progress.values())),
            "total": wave_result.respondents_display(data.root),
        },
    )


@login_required
def wave_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    wave = get_wave_for_officer(request.user, pk)
    form = WaveEditForm(request.POST if request.method == "POST" else None, instance=Wave.objects.get(pk=wave.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_wave(
                wave,
                by=request.user,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                target_per_buurt=data["target_per_buurt"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("De meetronde is bijgewerkt."))
            return redirect("monitor:wave_detail", pk=wave.pk)
    return render(request, "monitor/wave_edit.html", {"wave": wave, "gemeente": wave.gemeente, "form": form})


@login_required
@require_POST
def wave_public_link(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    wave = get_wave_for_officer(request.user, pk)
    enabled = request.POST.get("enabled") == "1"
    actions.set_public_link(wave, by=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("De openbare link staat aan. Antwoorden via deze link worden apart gehouden."))
    else:
        messages.success(request, _("De openbare link staat uit."))
    return redirect("monitor:wave_detail", pk=wave.pk)


@login_required
def print_run_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    wave = get_wave_for_officer(request.user, pk)
    form = PrintRunForm(request.POST if request.method == "POST" else None, wave=wave)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = actions.request_print_run(
            wave,
            by=request.user,
            buurten=list(data["buurten"]),
            mode=data["mode"],
            sample_size=data.get("sample_size"),
            include_pdf=data["include_pdf"],
        )
        return redirect("monitor:print_run_detail", pk=run.pk)
    households = dict(WaveBuurt.objects.filter(wave=wave).values_list("buurt_id", "households"))
    return render(
        request,
        "monitor/print_run_form.html",
        {"wave": wave, "gemeente": wave.gemeente, "form": form, "households": households},
    )


def _officer_run(request: AuthedHttpRequest, pk: int) -> PrintRun:
    run = get_object_or_404(PrintRun.objects.select_related("wave__gemeente"), pk=pk)
    get_wave_for_officer(request.user, run.wave_id)
    return run


@login_required
@require_GET
def print_run_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The run's progress (the page polls this view for the partial) and, when done, the download."""
    run = _officer_run(request, pk)
    template = "monitor/_print_run_status.html" if request.headers.get("HX-Request") else "monitor/print_run.html"
    return render(request, template, {"run": run, "wave": run.wave, "gemeente": run.wave.gemeente})


@login_required
@require_GET
def print_run_download(request: AuthedHttpRequest, pk: int) -> FileResponse:
    run = _officer_run(request, pk)
    if run.status != PrintRunStatus.DONE or not run.file:
        raise Http404(_("Deze download bestaat niet (meer)."))
    record(request.user, AuditAction.EXPORT, run, summary="Uitnodigingen (adressen en codes) gedownload")
    response = FileResponse(run.file.open("rb"), as_attachment=True, filename=run.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def print_run_delete_file(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    run = _officer_run(request, pk)
    actions.delete_print_run_file(run, by=request.user)
    messages.success(request, _("De download is verwijderd. De codes blijven werken."))
    return redirect("monitor:print_run_detail", pk=run.pk)


@login_required
@require_POST
def print_run_retry(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    run = _officer_run(request, pk)
    try:
        actions.retry_print_run(run, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("monitor:print_run_detail", pk=run.pk)


@login_required
def print_run_void(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Withdraw a run, after the officer confirmed it on a page that says what it does."""
    run = _officer_run(request, pk)
    if request.method != "POST":
        unused = run.codes.filter(response__isnull=True).count()
        return render(
            request,
            "monitor/print_run_void.html",
            {"run": run, "wave": run.wave, "gemeente": run.wave.gemeente, "unused": unused},
        )
    withdrawn = actions.void_print_run(run, by=request.user)
    messages.success(request, _("Drukrun ingetrokken: %(n)s ongebruikte codes werken niet meer.") % {"n": withdrawn})
    return redirect("monitor:wave_detail", pk=run.wave_id)


# --- Summaries for residents and teams -------------------------------------------------------


# Residents and teams get the headline groups; the full set is on the officers' page and in the exports.
SUMMARY_GROUPS = ("unsafe", "marks", "cohesion", "nuisance", "victim", "watch")


def buurt_summary_context(buurt: Buurt, data: GemeenteResults) -> dict[str, Any]:
    """The latest finished wave that covered this buurt, its indicators, and how they compare."""
    key = ("buurt", buurt.pk)
    waves = [w for w in data.waves if key in data.invited[w.pk].respondents]
    if not waves:
        return {"buurt": buurt, "wave": None}
    wave = waves[-1]
    wave_result = data.invited[wave.pk]
    rows = [
        {"row": row, "gemeente": wave_result.figure(data.root, row.indicator)}
        for row in presenters.overview_rows(data, wave, key, groups=SUMMARY_GROUPS)
        if not row.indicator.key.startswith("reported_")
    ]
    return {
        "buurt": buurt,
        "wave": wave,
        "previous": data.previous(wave),
        "rows": rows,
        "respondents": wave_result.respondents_display(key),
        "response_rate": wave_result.response_rate_display(key),
        "gemeente": data.gemeente,
        "weighting": wave_result.weighting,
    }


@require_GET
@reads_from_replica
def buurt_summary(request: HttpRequest, code: str) -> HttpResponse:
    buurt = get_object_or_404(Buurt.objects.select_related("gemeente", "wijk"), code=code)
    data = cached_results(buurt.gemeente, finished_only=True)
    response = render(request, "monitor/buurt_summary.html", buurt_summary_context(buurt, data))
    remember(data)
    return response


@login_required
@require_GET
def team_summary(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk)
    buurten = list(team.buurten.select_related("gemeente", "wijk").order_by("code"))
    summaries = []
    if buurten:
        data = cached_results(team.gemeente, finished_only=True)
        summaries = [buurt_summary_context(b, data) for b in buurten]
        remember(data)
    return render(request, "monitor/team_summary.html", {"team": team, "summaries": summaries})
