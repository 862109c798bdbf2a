"""The Communitymonitor around team activity: groups of buurten, the honest verdict, pulse answers, access."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buurtonderzoek.accounts.models import Membership, Role, User
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.dashboards.demo import build_demo
from buurtonderzoek.dashboards.monitor_effect import GroupComparison, monitor_effect
from buurtonderzoek.monitor.indicators import Indicator
from buurtonderzoek.monitor.results import Comparison, Figure
from buurtonderzoek.monitor.statistics import Estimate, Kind, difference
from conftest import World

pytestmark = pytest.mark.django_db

MARK = Indicator(key="mark", label="Rapportcijfer veiligheid", kind=Kind.MEAN, group="marks", higher_is_better=True)


def figure(value: float, low: float, high: float) -> Figure:
    return Figure(MARK, 200, Estimate(Kind.MEAN, 200, value, low, high, 0.1, 199), False, True)


def group(a: Figure, b: Figure) -> GroupComparison:
    assert a.estimate is not None and b.estimate is not None
    return GroupComparison(MARK, a, b, Comparison(MARK, a, b, difference(a.estimate, b.estimate)))


def test_overlapping_intervals_give_the_honest_verdict() -> None:
    row = group(figure(7.2, 6.9, 7.5), figure(7.0, 6.8, 7.2))
    assert row.intervals_overlap
    assert row.verdict.startswith("De betrouwbaarheidsintervallen overlappen")


def test_separate_intervals_name_the_difference_but_not_an_effect() -> None:
    row = group(figure(7.8, 7.6, 8.0), figure(6.9, 6.7, 7.1))
    assert not row.intervals_overlap
    assert "geen bewezen effect" in row.verdict and "significant hoger" in row.verdict


def test_a_group_with_too_few_answers_is_not_compared() -> None:
    few = Figure(MARK, 4, None, True, True)
    row = GroupComparison(MARK, few, figure(7.0, 6.8, 7.2), None)
    assert row.verdict == "Te weinig antwoorden in een van beide groepen om te vergelijken."


@pytest.fixture
def demo_officer(client: Client) -> tuple[Client, int]:
    gemeente = build_demo(progress=False)
    officer = User.objects.get(email="gemeente@demo.buurtonderzoek.nl")
    client.force_login(officer)
    return client, gemeente.pk


def test_the_demo_gemeente_sees_groups_events_and_pulse_answers(demo_officer: tuple[Client, int]) -> None:
    client, gemeente_id = demo_officer
    url = reverse("grip_monitor", args=[gemeente_id])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Buurten met en zonder actief team" in html
    assert "Wat we kunnen zeggen" in html
    assert "Buurtpreventie Lindenhoven-Centrum" in html  # a team's first canvass as an event
    assert "Geen aselecte steekproef" in html
    assert "<svg" in html
    effect = monitor_effect(Membership.objects.get(user__email="gemeente@demo.buurtonderzoek.nl").gemeente)  # type: ignore[arg-type]
    assert effect.wave is not None and effect.comparisons
    assert effect.active_buurten
    assert len(queries) < 40


def test_the_page_is_for_the_gemeente_only(client: Client, world: World) -> None:
    url = reverse("grip_monitor", args=[world.gemeente.pk])
    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(world.alice)
    assert client.get(url).status_code == 403
    outsider = MembershipFactory.create(role=Role.MUNICIPAL, team=None, gemeente=world.other_gemeente).user
    give_totp(outsider)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    give_totp(world.gert)
    client.force_login(world.gert)
    page = client.get(url)
    assert page.status_code == 200
    assert "Er is nog geen afgesloten meetronde met vrijgegeven cijfers." in page.content.decode()


def test_the_grip_map_can_be_shaded_by_a_monitor_indicator(demo_officer: tuple[Client, int]) -> None:
    client, gemeente_id = demo_officer
    url = reverse("grip", args=[gemeente_id])
    page = client.get(url).content.decode()
    assert 'value="monitor:' in page  # every indicator of the latest closed wave is a choice
    key = page.split('value="monitor:', 1)[1].split('"', 1)[0]
    shaded = client.get(url, {"figuur": f"monitor:{key}"})
    assert shaded.status_code == 200
    html = shaded.content.decode()
    assert "95%-BI" in html or "te weinig antwoorden" in html  # the figure with its interval, or suppressed
    assert "De Communitymonitor meet per meetronde" in html
