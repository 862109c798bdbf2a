"""The police's side of issue 9: usefulness with the outcome, the start page's waiting lists, the totals
(page and API) and the quarterly value report."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.dashboards.police import Period, parse_period, police_totals, quarter_of
from buurtonderzoek.dashboards.tests.fixtures import bulk_reports
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome
from buurtonderzoek.handoff.tests.fixtures import CanvassSetup
from buurtonderzoek.jobs.models import Job, JobStatus
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks: Any) -> PoliceReport:
    with django_capture_on_commit_callbacks(execute=False):
        return actions.submit_report(canvass_setup.incident, by=world.alice)


def police_client(client: Client, world: World) -> Client:
    give_totp(world.petra)
    client.force_login(world.petra)
    return client


# --- usefulness next to the outcome -------------------------------------------------------------


def test_a_report_remembers_its_first_door(report: PoliceReport, canvass_setup: CanvassSetup) -> None:
    assert report.first_door_at == min(v.visited_at for v in canvass_setup.visits)


def test_the_police_rate_usefulness_and_what_helped_with_the_outcome(
    client: Client, world: World, report: PoliceReport
) -> None:
    police_client(client, world)
    response = client.post(
        reverse("report_action", args=[report.pk]),
        {
            "action": "outcome",
            "outcome-outcome": ReportOutcome.SUSPECT_IDENTIFIED,
            "outcome-usefulness": "4",
            "outcome-helpful_parts": ["camera_leads", "signalement"],
            "outcome-note": "Beelden van de oprit gaven de doorslag.",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.usefulness == 4
    assert report.helpful_parts == ["signalement", "camera_leads"]  # stored in the list's order
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(report.pk)).latest("id")
    assert event.data["usefulness"] == 4
    # The team sees the rating next to the outcome.
    client.force_login(world.bob)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "4 - bruikbaar" in page and "camerasporen" in page and "signalement" in page


def test_an_outcome_without_a_rating_is_refused_in_dutch(client: Client, world: World, report: PoliceReport) -> None:
    police_client(client, world)
    response = client.post(
        reverse("report_action", args=[report.pk]),
        {"action": "outcome", "outcome-outcome": ReportOutcome.NO_RESULT},
        follow=True,
    )
    assert "Geef een cijfer voor de bruikbaarheid van 1 tot en met 5." in response.content.decode()
    report.refresh_from_db()
    assert report.outcome == "" and report.usefulness is None


def test_the_action_refuses_a_rating_outside_one_to_five_and_unknown_parts(world: World, report: PoliceReport) -> None:
    with pytest.raises(ValidationError):
        actions.set_outcome(report, by=world.petra, outcome=ReportOutcome.NO_RESULT, usefulness=6)
    with pytest.raises(ValidationError):
        actions.set_outcome(report, by=world.petra, outcome=ReportOutcome.NO_RESULT, usefulness=3, helpful_parts=["x"])


def test_the_api_takes_and_returns_the_rating(client: Client, world: World, report: PoliceReport) -> None:
    police_client(client, world)
    response = client.post(
        reverse("api-report-outcome", args=[report.pk]),
        {"outcome": "information_used", "usefulness": 5, "helpful_parts": ["timeline"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["usefulness"] == 5 and response.json()["helpful_parts"] == ["timeline"]
    bad = client.post(
        reverse("api-report-outcome", args=[report.pk]),
        {"outcome": "information_used", "usefulness": 9},
        content_type="application/json",
    )
    assert bad.status_code == 400


# --- the start page ---------------------------------------------------------------------------


def test_the_police_start_page_links_reports_waiting_for_feedback(
    client: Client, world: World, report: PoliceReport
) -> None:
    police_client(client, world)
    page = client.get(reverse("start_police")).content.decode()
    assert "1 verslag wacht op uw terugkoppeling" in page
    assert reverse("report_detail", args=[report.pk]) in page
    assert "Er wacht geen oproep op u." in page
    actions.set_outcome(report, by=world.petra, outcome=ReportOutcome.NO_RESULT, usefulness=2)
    page = client.get(reverse("start_police")).content.decode()
    assert "0 verslagen wachten op uw terugkoppeling" in page


def test_the_police_start_page_needs_a_constant_number_of_queries(
    client: Client, world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    police_client(client, world)
    bulk_reports(world.team, world.unit, count=3, start=timezone.now() - timedelta(days=3))
    client.get(reverse("start_police"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("start_police"))
    bulk_reports(world.other_team, world.unit, count=30, start=timezone.now() - timedelta(days=2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("start_police")).content.decode()
    assert "33 verslagen wachten op uw terugkoppeling" in page


# --- totals -----------------------------------------------------------------------------------


def test_quarters_and_periods() -> None:
    assert quarter_of(date(2026, 11, 5)) == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 2, 28)) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert parse_period({"van": "2026-01-01", "tot": "2026-01-31"}, date(2026, 5, 1)) == (
        Period(date(2026, 1, 1), date(2026, 1, 31)),
        "",
    )
    assert "draai ze om" in parse_period({"van": "2026-02-01", "tot": "2026-01-01"}, date(2026, 5, 1))[1]
    assert "Vul twee datums" in parse_period({"van": "gisteren", "tot": ""}, date(2026, 5, 1))[1]


def test_totals_add_up_per_unit_and_per_team(world: World) -> None:
    start = timezone.make_aware(datetime(2026, 7, 1, 12))

    def spec(i: int) -> dict[str, object]:
        rated = {0: (5, ["signalement", "camera_leads"]), 1: (3, ["tips"]), 2: (None, [])}[i % 3]
        return {
            "doors_visited": 10 * (i + 1),
            "camera_lead_count": i,
            "usefulness": rated[0],
            "helpful_parts": rated[1],
            "outcome": ReportOutcome.SUSPECT_ARRESTED if i == 0 else "",
            "first_door_at": start + i * timedelta(hours=6) - timedelta(hours=2) + timedelta(hours=i + 1),
        }

    bulk_reports(world.team, world.unit, count=3, start=start, spec=spec)
    other_unit = MembershipFactory.create(police=True).police_unit
    assert other_unit is not None
    other_unit.gemeenten.add(world.other_gemeente)
    bulk_reports(world.other_team, other_unit, count=2, start=start)  # someone else's unit: not counted
    bulk_reports(world.team, world.unit, count=1, start=start - timedelta(days=40))  # previous quarter

    t = police_totals(world.petra, Period(date(2026, 7, 1), date(2026, 9, 30)))
    assert t.overall.reports == 3
    assert t.overall.doors == 60 and t.overall.hours_saved == Decimal("6.0")  # 60 doors x 6 min
    assert t.overall.camera_leads == 3
    assert t.overall.usefulness == Decimal("4.0") and t.overall.rated == 2
    assert t.overall.median_hours_to_first_door == Decimal("2.0")  # 1, 2, 3 hours after the window
    assert t.overall.median_hours_to_report == Decimal("2.0")
    assert t.overall.outcomes[ReportOutcome.SUSPECT_ARRESTED] == 1 and t.overall.without_outcome == 2
    assert t.overall.helpful["signalement"] == 1 and t.overall.helpful["tips"] == 1
    assert [u.label for u in t.units] == ["Basisteam Demodorp"]
    assert [team.label for team in t.teams] == ["Buurtpreventie Noord (Demodorp)"]
    data = t.as_dict()
    assert data["totals"]["hours_saved"] == 6.0 and data["minutes_per_door"] == 6


def test_the_totals_page_access(client: Client, world: World) -> None:
    url = reverse("police_totals")
    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(world.bob)
    assert client.get(url).status_code == 403
    outsider = MembershipFactory.create(police=True).user
    give_totp(outsider)
    client.force_login(outsider)
    bulk_reports(world.team, world.unit, count=2, start=timezone.now() - timedelta(hours=20))
    page = client.get(url).content.decode()
    # A police user of another unit sees the page, but none of Demodorp's reports.
    assert 'id="total-reports">0<' in page and "Buurtpreventie Noord" not in page
    police_client(client, world)
    page = client.get(url).content.decode()
    assert 'id="total-reports">2<' in page and "Buurtpreventie Noord" in page


def test_the_totals_page_explains_a_bad_period(client: Client, world: World) -> None:
    police_client(client, world)
    response = client.get(reverse("police_totals"), {"van": "2026-03-01", "tot": "2026-01-01"})
    assert response.status_code == 400
    assert "De einddatum ligt voor de begindatum" in response.content.decode()


def test_the_totals_page_needs_a_constant_number_of_queries(
    client: Client, world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    police_client(client, world)
    now = timezone.now()
    bulk_reports(world.team, world.unit, count=2, start=now - timedelta(hours=30))
    client.get(reverse("police_totals"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("police_totals"))
    bulk_reports(world.other_team, world.unit, count=40, start=now - timedelta(hours=29), step=timedelta(minutes=30))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("police_totals")).content.decode()
    assert 'id="total-reports">42<' in page


def test_the_totals_api(client: Client, world: World) -> None:
    url = reverse("api-police-totals")
    assert client.get(url).status_code in (401, 403)
    client.force_login(world.alice)
    assert client.get(url).status_code == 403
    bulk_reports(world.team, world.unit, count=2, start=timezone.now() - timedelta(hours=20))
    police_client(client, world)
    data = client.get(url).json()
    assert data["totals"]["reports"] == 2 and data["teams"][0]["name"] == "Buurtpreventie Noord (Demodorp)"
    bad = client.get(url, {"van": "nu", "tot": "straks"})
    assert bad.status_code == 400 and "Vul twee datums" in bad.json()["detail"]
    assert "/api/v1/police/totals/" in client.get(reverse("api_schema")).content.decode()


# --- the quarterly value report ---------------------------------------------------------------


def test_the_value_report_is_made_in_the_background_and_only_its_owner_gets_it(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    police_client(client, world)
    bulk_reports(world.team, world.unit, count=3, start=timezone.now() - timedelta(hours=20))
    q = quarter_of(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("police_value_report"), {"van": q.start.isoformat(), "tot": q.end.isoformat()})
    assert response.status_code == 302
    job = Job.objects.get(requested_by=world.petra, kind="dashboards.value_report")
    assert job.status == JobStatus.DONE and job.progress == 100
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(job.pk)).exists()
    # The page lists it with a download link; someone else gets a 404.
    assert reverse("jobs:download", args=[job.pk]) in client.get(reverse("police_totals")).content.decode()
    client.force_login(world.alice)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("police_value_report")).status_code == 403


def test_the_police_start_page_links_alerts_waiting_for_approval(
    client: Client, world: World, canvass_setup: CanvassSetup
) -> None:
    from buurtonderzoek.signalements import actions as alert_actions

    alert = alert_actions.compose_alert(canvass_setup.incident, by=world.alice, signalement_ref="P1")
    alert_actions.submit_alert(alert, by=world.alice)
    police_client(client, world)
    page = client.get(reverse("start_police")).content.decode()
    assert "1 oproep wacht op uw goedkeuring" in page
    assert reverse("alert_manage", args=[alert.pk]) in page
    alert_actions.approve_alert(alert, by=world.petra)
    page = client.get(reverse("start_police")).content.decode()
    assert "Er wacht geen oproep op u." in page
