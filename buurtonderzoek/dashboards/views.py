"""The public front page and each role's start page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from buurtonderzoek.accounts.access import get_team_for_user, is_team_coordinator, roles_of
from buurtonderzoek.accounts.models import Membership, Role, Team
from buurtonderzoek.core.dbrouter import reads_from_replica
from buurtonderzoek.core.decorators import role_required
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.dashboards import (
    actions,
    certificates,
    coordinator,
    figures,
    operator,
    police,
    residents,
    volunteer,
)
from buurtonderzoek.dashboards.forms import PostcodeForm
from buurtonderzoek.handoff.models import PoliceReport, ReportStatus
from buurtonderzoek.jobs.access import recent_jobs
from buurtonderzoek.monitor.forms import CodeForm
from buurtonderzoek.signalements.models import Alert

# The order decides where a user with several roles lands first.
START_PAGES = [
    ("admin", "start_admin"),
    (Role.COORDINATOR, "start_coordinator"),
    (Role.POLICE, "start_police"),
    (Role.MUNICIPAL, "start_municipal"),
    (Role.VOLUNTEER, "start_volunteer"),
]


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"postcode_form": PostcodeForm(), "code_form": CodeForm()})


@require_GET
def find_buurt(request: HttpRequest) -> HttpResponse:
    """A resident's postcode -> their buurt: alerts, the monitor summary, the alert subscription."""
    form = PostcodeForm(request.GET or None)
    found: list[residents.BuurtLink] | None = None
    if form.is_valid():
        found = residents.buurten_for(form.cleaned_data["postcode"], form.cleaned_data["huisnummer"])
    return render(
        request, "dashboards/find_buurt.html", {"form": form, "found": found}, status=400 if form.errors else 200
    )


@login_required
def start(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    for role, url_name in START_PAGES:
        if role in roles:
            return redirect(url_name)
    return render(request, "dashboards/no_role.html")


def _memberships(request: AuthedHttpRequest, *roles: str) -> list[Membership]:
    return list(
        Membership.objects.filter(user=request.user, role__in=roles).select_related(
            "team__gemeente", "police_unit", "gemeente"
        )
    )


@role_required(Role.VOLUNTEER, Role.COORDINATOR)
def start_volunteer(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboards/start_volunteer.html",
        {
            "memberships": _memberships(request, Role.VOLUNTEER, Role.COORDINATOR),
            "figures": figures.volunteer_figures(request.user),
            "new_member": volunteer.is_new_member(request.user),
        },
    )


@role_required(Role.VOLUNTEER, Role.COORDINATOR)
@require_GET
def my_effort(request: AuthedHttpRequest) -> HttpResponse:
    """ "Mijn inzet": what I walked and what the police did with it."""
    return render(
        request,
        "dashboards/my_effort.html",
        {
            "effort": volunteer.my_effort(request.user),
            "years": volunteer.active_years(request.user),
            "memberships": _memberships(request, Role.VOLUNTEER, Role.COORDINATOR),
        },
    )


def _team_of_member(request: AuthedHttpRequest, pk: int) -> Team:
    return get_team_for_user(request.user, pk, member=True)


@role_required(Role.VOLUNTEER, Role.COORDINATOR)
@require_GET
def my_certificate(request: AuthedHttpRequest, pk: int, year: int) -> HttpResponse:
    """My own certificate for one team and year: one page, small enough to make in the request."""
    team = _team_of_member(request, pk)
    found = certificates.certificates_for(team, year, user=request.user)
    if not found:
        raise Http404(_("U liep dat jaar geen buurtonderzoek met dit team."))
    response = HttpResponse(certificates.render_certificates(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bewijs-van-inzet-{year}.pdf"'
    return response


@role_required(Role.VOLUNTEER, Role.COORDINATOR)
@require_GET
def team_effort(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The team's totals and its outcomes as short stories without personal data."""
    team = _team_of_member(request, pk)
    is_coordinator = is_team_coordinator(request.user, team)
    jobs = recent_jobs(request.user, "dashboards.certificates", team=team.pk) if is_coordinator else []
    this_year = timezone.localdate().year
    return render(
        request,
        "dashboards/team_effort.html",
        {
            "t": volunteer.team_effort(team),
            "is_coordinator": is_coordinator,
            "jobs": jobs,
            "years": list(range(this_year, this_year - 5, -1)),
        },
    )


@role_required(Role.COORDINATOR)
@require_POST
def team_certificates(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk, write=True)
    try:
        year = int(request.POST.get("jaar", ""))
        actions.request_certificates(team, year, by=request.user)
        messages.success(request, _("De bewijzen van inzet worden gemaakt; u kunt ze zo hieronder downloaden."))
    except ValueError:
        messages.error(request, _("Kies een jaar."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(f"{reverse('team_effort', args=[team.pk])}#certificates")


@role_required(Role.COORDINATOR)
@reads_from_replica
def start_coordinator(request: AuthedHttpRequest) -> HttpResponse:
    """A to-do list with links: what to review, conflicts, returned alerts, quiet members, newcomers."""
    memberships = _memberships(request, Role.COORDINATOR)
    teams = [m.team for m in memberships if m.team is not None]
    return render(
        request,
        "dashboards/start_coordinator.html",
        {
            "memberships": memberships,
            "todo": coordinator.coordinator_todo(request.user, teams),
            "figures": figures.coordinator_figures(request.user),
        },
    )


WAITING_LIMIT = 10  # the start page lists the oldest few; the inbox has them all


@role_required(Role.POLICE)
@reads_from_replica
def start_police(request: AuthedHttpRequest) -> HttpResponse:
    memberships = _memberships(request, Role.POLICE)
    units = [m.police_unit for m in memberships if m.police_unit is not None]
    alerts = Alert.objects.awaiting_police(request.user).select_related("gemeente").order_by("submitted_at", "id")
    to_answer = (
        PoliceReport.objects.inbox(request.user)
        .filter(outcome="")
        .exclude(status=ReportStatus.CLOSED)
        .select_related("incident__team")
        .only("id", "number", "status", "submitted_at", "incident__incident_type", "incident__team__name")
        .order_by("submitted_at", "id")
    )
    return render(
        request,
        "dashboards/start_police.html",
        {
            "memberships": memberships,
            "units": units,
            "figures": figures.police_figures(request.user),
            "alerts": alerts[:WAITING_LIMIT],
            "alerts_count": alerts.count(),
            "to_answer": to_answer[:WAITING_LIMIT],
            "to_answer_count": to_answer.count(),
        },
    )


@role_required(Role.POLICE)
@reads_from_replica
def police_totals(request: AuthedHttpRequest) -> HttpResponse:
    """Totals per period, per unit and per team; the quarterly value report is made from the same figures."""
    today = timezone.localdate()
    period, error = police.parse_period(request.GET, today)
    totals = police.police_totals(request.user, period)
    jobs = recent_jobs(request.user, "dashboards.value_report")
    return render(
        request,
        "dashboards/police_totals.html",
        {
            "t": totals,
            "error": error,
            "quarters": police.recent_quarters(today),
            "jobs": jobs,
        },
        status=400 if error else 200,
    )


@role_required(Role.MUNICIPAL)
@reads_from_replica
def start_municipal(request: AuthedHttpRequest) -> HttpResponse:
    memberships = _memberships(request, Role.MUNICIPAL)
    gemeenten = [m.gemeente for m in memberships if m.gemeente is not None]
    return render(
        request,
        "dashboards/start_municipal.html",
        {"memberships": memberships, "gemeenten": gemeenten, "figures": figures.municipal_figures(request.user)},
    )


@role_required("admin")
def start_admin(request: AuthedHttpRequest) -> HttpResponse:
    from buurtonderzoek.accounts.models import PoliceUnit, Team, User
    from buurtonderzoek.places.models import Address, Gemeente

    counts = {
        "gemeenten": Gemeente.objects.count(),
        "police_units": PoliceUnit.objects.count(),
        "teams": Team.objects.count(),
        "users": User.objects.count(),
        "addresses": Address.objects.count(),
    }
    return render(request, "dashboards/start_admin.html", {"counts": counts, "waiting": operator.admin_waiting()})


@role_required("admin")
@require_POST
def run_retention(request: AuthedHttpRequest) -> HttpResponse:
    actions.request_retention_run(by=request.user)
    messages.success(request, _("De bewaartermijnen worden nu toegepast. Ververs de pagina over een minuut."))
    return redirect("start_admin")


@role_required(Role.POLICE)
@require_POST
def police_value_report(request: AuthedHttpRequest) -> HttpResponse:
    period, error = police.parse_period(request.POST, timezone.localdate())
    if error:
        messages.error(request, error)
    else:
        actions.request_value_report(period, by=request.user)
        messages.success(request, _("Het waarderapport wordt gemaakt; u kunt het zo hieronder downloaden."))
    return redirect(f"{reverse('police_totals')}?van={period.start:%Y-%m-%d}&tot={period.end:%Y-%m-%d}")
