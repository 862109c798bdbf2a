"""Recognition for volunteers: "Mijn inzet", the team page with stories, certificates, the new member's guide."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from buurtonderzoek.accounts.models import Role
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.dashboards.certificates import certificates_for
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, CanvassSetup
from buurtonderzoek.jobs.models import Job, JobStatus
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks: Any) -> PoliceReport:
    """A report the police answered: outcome, rating, feedback and thanks to bob."""
    with django_capture_on_commit_callbacks(execute=False):
        report = actions.submit_report(canvass_setup.incident, by=world.alice)
        actions.set_outcome(
            report,
            by=world.petra,
            outcome=ReportOutcome.SUSPECT_ARRESTED,
            usefulness=5,
            helpful_parts=["signalement", "witnesses"],
        )
        actions.add_feedback(report, by=world.petra, text="Dankzij het kenteken hebben we hem.")
        actions.thank(report, by=world.petra, message="Top gedaan, Bob.", to_user=world.bob)
    return report


def test_my_effort_shows_what_the_police_did_with_my_work(client: Client, world: World, answered: PoliceReport) -> None:
    client.force_login(world.bob)
    page = client.get(reverse("my_effort")).content.decode()
    assert 'id="my-doors">4<' in page and 'id="my-spoken">3<' in page and 'id="my-thanks">1<' in page
    assert "verdachte aangehouden" in page and "5 - zeer bruikbaar" in page and "signalement, getuigen" in page
    assert "Dankzij het kenteken hebben we hem." in page and "Top gedaan, Bob." in page
    assert reverse("report_detail", args=[answered.pk]) in page
    year = timezone.localdate().year
    assert reverse("my_certificate", args=[world.team.pk, year]) in page


def test_my_effort_access_and_queries(
    client: Client, world: World, answered: PoliceReport, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    url = reverse("my_effort")
    assert reverse("account_login") in client.get(url)["Location"]
    give_totp(world.petra)
    client.force_login(world.petra)
    assert client.get(url).status_code == 403
    client.force_login(world.charlie)  # another team: sees nothing of Noord's work
    page = client.get(url).content.decode()
    assert "U heeft nog geen deuren bezocht" in page and "Dankzij het kenteken" not in page
    client.force_login(world.bob)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_the_team_page_tells_outcomes_as_stories_without_personal_data(
    client: Client, world: World, answered: PoliceReport
) -> None:
    client.force_login(world.bob)
    page = client.get(reverse("team_effort", args=[world.team.pk])).content.decode()
    assert 'id="team-doors">4<' in page
    assert "belde het team aan bij 4 deuren en sprak 3 buren" in page
    assert "De politie: verdachte aangehouden." in page and "Bruikbaarheid 5 van 5." in page
    incident = answered.incident
    # No address, no witness, no words of the police or the witnesses.
    assert incident.location_label not in page and WITNESS_NAME not in page
    assert "Dankzij het kenteken" not in page and incident.description not in page
    assert "Alle bewijzen maken" not in page  # only the coordinator prints certificates


def test_the_team_page_access(client: Client, world: World) -> None:
    url = reverse("team_effort", args=[world.team.pk])
    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(world.charlie)
    assert client.get(url).status_code == 404
    give_totp(world.petra)
    client.force_login(world.petra)
    assert client.get(url).status_code == 403


def test_the_team_page_needs_a_constant_number_of_queries(
    client: Client, world: World, answered: PoliceReport, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(world.alice)
    with django_assert_max_num_queries(15):
        client.get(reverse("team_effort", args=[world.team.pk]))


def test_a_volunteer_downloads_their_own_certificate(client: Client, world: World, answered: PoliceReport) -> None:
    year = timezone.localdate().year
    client.force_login(world.bob)
    response = client.get(reverse("my_certificate", args=[world.team.pk, year]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(reverse("my_certificate", args=[world.team.pk, year - 3])).status_code == 404
    client.force_login(world.charlie)
    assert client.get(reverse("my_certificate", args=[world.team.pk, year])).status_code == 404


def test_certificate_figures_per_volunteer(world: World, answered: PoliceReport) -> None:
    year = timezone.localdate().year
    [bob] = certificates_for(world.team, year)
    assert (bob.name, bob.canvasses, bob.doors, bob.spoken, bob.reports) == (str(world.bob), 1, 4, 3, 1)
    assert bob.gemeente == "Demodorp" and bob.police == "Basisteam Demodorp"
    assert certificates_for(world.team, year - 1) == []


def test_the_coordinator_prints_all_certificates_in_the_background(
    client: Client, world: World, answered: PoliceReport, django_capture_on_commit_callbacks: Any
) -> None:
    year = timezone.localdate().year
    client.force_login(world.alice)
    url = reverse("team_certificates", args=[world.team.pk])
    page = client.post(url, {"jaar": str(year - 2)}, follow=True).content.decode()
    assert f"In {year - 2} liep niemand van het team een buurtonderzoek" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"jaar": str(year)})
    job = Job.objects.get(requested_by=world.alice, kind="dashboards.certificates")
    assert job.status == JobStatus.DONE
    download = client.get(reverse("jobs:download", args=[job.pk]))
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")
    assert (
        reverse("jobs:download", args=[job.pk])
        in client.get(reverse("team_effort", args=[world.team.pk])).content.decode()
    )
    client.force_login(world.bob)
    assert client.post(url, {"jaar": str(year)}).status_code == 403
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_new_member_gets_a_guide_instead_of_zeros(client: Client, world: World, answered: PoliceReport) -> None:
    newcomer = MembershipFactory.create(team=world.team, role=Role.VOLUNTEER).user
    client.force_login(newcomer)
    page = client.get(reverse("start_volunteer")).content.decode()
    assert 'id="guide"' in page and "Beschrijf wat iemand deed, niet wie iemand is" in page
    assert "Privacy" in page and "Wat kunt u nu doen?" in page
    assert not re.search(r"<dd>0</dd>", page)
    client.force_login(world.bob)
    page = client.get(reverse("start_volunteer")).content.decode()
    assert 'id="guide"' not in page and reverse("my_effort") in page


def test_old_certificate_jobs_and_their_files_are_deleted(
    world: World, answered: PoliceReport, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.core.files.storage import default_storage

    from buurtonderzoek.dashboards import actions as dashboard_actions

    year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        old = dashboard_actions.request_certificates(world.team, year, by=world.alice)
    old.refresh_from_db()
    name = old.file.name
    assert default_storage.exists(name)
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        dashboard_actions.request_certificates(world.team, year, by=world.alice)
    assert not Job.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(name)


def test_certificates_and_print_jobs_send_anonymous_visitors_to_the_login_and_refuse_other_roles(
    client: Client, world: World
) -> None:
    year = timezone.localdate().year
    urls = [
        reverse("my_certificate", args=[world.team.pk, year]),
        reverse("team_effort", args=[world.team.pk]),
        reverse("jobs:detail", args=[1]),
        reverse("jobs:download", args=[1]),
    ]
    for url in urls:
        assert reverse("account_login") in client.get(url)["Location"], url
    assert reverse("account_login") in client.post(reverse("team_certificates", args=[world.team.pk]))["Location"]
    give_totp(world.gert)
    client.force_login(world.gert)
    assert client.get(urls[0]).status_code == 403
    assert client.post(reverse("team_certificates", args=[world.team.pk]), {"jaar": year}).status_code == 403
    client.force_login(world.charlie)  # coordinator of another team
    assert client.post(reverse("team_certificates", args=[world.team.pk]), {"jaar": year}).status_code == 404
