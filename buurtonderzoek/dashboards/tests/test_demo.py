from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Team, User
from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.dashboards.demo import DEMO_PASSWORD, DEMO_USERS, build_demo
from buurtonderzoek.places.models import Address, Buurt, Wijk

pytestmark = pytest.mark.django_db


def test_demo_builds_a_town_with_organisations_and_a_user_per_role_and_can_run_twice() -> None:
    gemeente = build_demo(progress=False)
    assert Wijk.objects.filter(gemeente=gemeente).count() == 2
    assert Buurt.objects.filter(gemeente=gemeente).count() == 6
    assert Address.objects.filter(gemeente_code=gemeente.code).count() > 2000
    assert Team.objects.filter(gemeente=gemeente).count() == 3  # Noord, Zuid and Centrum (team health)
    assert PoliceUnit.objects.get().gemeenten.get() == gemeente
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"volunteer", "coordinator", "police", "municipal"}
    assert User.objects.filter(is_superuser=True).count() == 1
    bram = User.objects.get(email="vrijwilliger@demo.buurtonderzoek.nl")
    assert bram.canvass_routes.filter(canvass__incident__status="canvass_running").exists()

    counts = (Address.objects.count(), User.objects.count(), Membership.objects.count(), Team.objects.count())
    build_demo(progress=False)
    assert (Address.objects.count(), User.objects.count(), Membership.objects.count(), Team.objects.count()) == counts


def test_demo_command_prints_logins_that_work(client: Client, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    out = capsys.readouterr().out
    assert "coordinator@demo.buurtonderzoek.nl" in out
    assert DEMO_PASSWORD in out
    for demo in DEMO_USERS:
        if demo.role in ("police", "municipal"):
            continue  # they pass through 2FA; the browser tests cover that path
        client.logout()
        response = client.post(reverse("account_login"), {"login": demo.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, demo.email
        assert client.get(reverse("start")).status_code == 302


def test_demo_start_pages_show_real_figures(client: Client, django_assert_max_num_queries) -> None:
    build_demo(progress=False)
    volunteer = User.objects.filter(door_visits__isnull=False).distinct().first()
    assert volunteer is not None
    coordinator = User.objects.get(email="coordinator@demo.buurtonderzoek.nl")

    client.force_login(volunteer)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("start_volunteer")).content.decode()
    assert "Mijn routes" in page
    visited = DoorVisit.objects.filter(volunteer=volunteer).count()
    assert f"<dt>Deuren bezocht</dt><dd>{visited}</dd>" in page

    client.force_login(coordinator)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("start_coordinator")).content.decode()
    assert "Incident registreren" in page
    assert "Buurtpreventie Lindenhoven-Noord" in page


def test_demo_police_start_page_shows_the_reported_case_and_hours_saved(client: Client) -> None:
    from buurtonderzoek.handoff.models import PoliceReport

    build_demo(progress=False)
    report = PoliceReport.objects.get()
    client.force_login(User.objects.get(email="politie@demo.buurtonderzoek.nl"))
    page = client.get(reverse("start_police")).content.decode()
    assert "Uren bespaard (geschat)" in page
    assert f"<dd>{report.hours_saved}</dd>".replace(".", ",") in page or f"<dd>{report.hours_saved}</dd>" in page
    assert report.hours_saved > 0


def test_demo_gemeente_start_page_counts_incidents_per_team_without_details(
    client: Client, django_assert_max_num_queries
) -> None:
    from buurtonderzoek.incidents.models import Incident

    build_demo(progress=False)
    client.force_login(User.objects.get(email="gemeente@demo.buurtonderzoek.nl"))
    # At most: session, user, 2FA, role, memberships, menu, the two counts, the gemeente and its refresh
    # state, and team health as the background job stored it (one query; counted live it took nine).
    with django_assert_max_num_queries(12):
        page = client.get(reverse("start_municipal")).content.decode()
    noord = Incident.objects.filter(team__name="Buurtpreventie Lindenhoven-Noord").count()
    assert noord > 0
    noord_card = page[page.index("<h3>Buurtpreventie Lindenhoven-Noord</h3>") :]
    assert "<dt>Leden</dt><dd>5</dd>" in noord_card
    assert f"<dt>Incidenten</dt><dd>{noord}</dd>" in noord_card
    assert all(i.description not in page for i in Incident.objects.all())


def test_demo_team_health_shows_every_level_and_the_grip_figures_are_counted() -> None:
    from buurtonderzoek.dashboards.health import team_health
    from buurtonderzoek.dashboards.models import AreaMonth

    gemeente = build_demo(progress=False)
    health = {h.team.name: h for h in team_health(list(Team.objects.filter(gemeente=gemeente)))}
    levels = {name: h.level for name, h in health.items()}
    assert levels == {
        "Buurtpreventie Lindenhoven-Noord": "in_orde",
        "Buurtpreventie Lindenhoven-Zuid": "risico",
        "Buurtpreventie Lindenhoven-Centrum": "let_op",
    }, {name: h.warnings for name, h in health.items()}
    assert AreaMonth.objects.filter(buurt__gemeente=gemeente, doors_visited__gt=0).exists()
