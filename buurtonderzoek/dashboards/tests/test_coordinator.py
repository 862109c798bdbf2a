"""The coordinator's start page as a to-do list with links (issue 9)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from buurtonderzoek.accounts import actions as account_actions
from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.canvass.actions import record_visit
from buurtonderzoek.canvass.models import Outcome
from buurtonderzoek.handoff.tests.fixtures import CanvassSetup, answers, person, setup_canvass
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.signalements import actions as alert_actions
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(world: World, incident: Incident) -> CanvassSetup:
    """Two spoken visits waiting for review, and one door recorded by bob and by alice ten minutes apart."""
    setup = setup_canvass(incident, by=world.alice)
    setup.visit(world.bob, data=answers())
    setup.visit(world.bob, data=answers(), minutes=3)
    record_visit(
        setup.canvass,
        by=world.alice,
        client_uuid=uuid.uuid4(),
        address_id=setup.stops[0].address_id,
        outcome=Outcome.NIET_THUIS,
        visited_at=setup.visits[0].visited_at + timedelta(minutes=10),
        answers=None,
    )
    return setup


def test_the_to_do_list_links_visits_to_review_and_double_visits(
    client: Client, world: World, busy: CanvassSetup
) -> None:
    client.force_login(world.alice)
    page = client.get(reverse("start_coordinator")).content.decode()
    assert "2 bezoeken te beoordelen" in page
    assert reverse("review_list", args=[busy.incident.pk]) in page
    assert "1 deur dubbel bezocht" in page
    assert reverse("canvass_overview", args=[busy.incident.pk]) + "#conflicts" in page
    assert 'id="review-count">2<' in page


def test_the_to_do_list_shows_an_alert_the_police_sent_back(
    client: Client, world: World, canvass_setup: CanvassSetup
) -> None:
    alert = alert_actions.compose_alert(canvass_setup.incident, by=world.alice, signalement_ref="P1")
    alert_actions.submit_alert(alert, by=world.alice)
    alert_actions.return_alert(alert, by=world.petra, reason="Noem de kleur van de jas.")
    client.force_login(world.alice)
    page = client.get(reverse("start_coordinator")).content.decode()
    assert "Oproep teruggestuurd door de politie" in page
    assert reverse("alert_manage", args=[alert.pk]) in page and "Noem de kleur van de jas." in page


def test_the_to_do_list_names_quiet_members_and_welcomes_new_ones(client: Client, world: World) -> None:
    quiet = MembershipFactory.create(team=world.team, role=Role.VOLUNTEER, user__full_name="Stille Sjaak")
    Membership.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - timedelta(days=200))
    Membership.objects.filter(user=world.bob).update(created_at=timezone.now() - timedelta(days=200))
    world.bob.last_login = timezone.now() - timedelta(days=2)  # signed in lately: not quiet
    world.bob.save(update_fields=["last_login"])
    invitation = account_actions.invite_member(
        world.team, by=world.alice, email="nieuw@example.nl", role=Role.VOLUNTEER
    )
    account_actions.accept_invitation_as_new_user(invitation, full_name="Nieuwe Nina", password="een-lang-wachtwoord-1")
    client.force_login(world.alice)
    page = client.get(reverse("start_coordinator")).content.decode()
    assert "1 lid al 60 dagen niet actief" in page and "Stille Sjaak" in page
    todo = page[page.index('id="todo"') : page.index("</section>", page.index('id="todo"'))]
    assert str(world.bob) not in todo and "Nieuwe Nina" not in todo
    assert "Nieuw in Buurtpreventie Noord: Nieuwe Nina" in page


def test_member_activity_counts_each_members_visits(client: Client, world: World, busy: CanvassSetup) -> None:
    client.force_login(world.alice)
    page = client.get(reverse("start_coordinator")).content.decode()
    table = page[page.index('id="members"') :]
    row = table[table.index(str(world.bob)) :]
    assert '<td class="num">2</td>' in row[: row.index("</tr>")]


def test_an_outsider_coordinator_sees_none_of_it(client: Client, world: World, busy: CanvassSetup) -> None:
    client.force_login(world.charlie)
    page = client.get(reverse("start_coordinator")).content.decode()
    assert "te beoordelen" not in page.split('id="todo"')[1].split("</section>")[0]
    assert str(world.bob) not in page and "Er wacht niets op u." in page


def test_the_coordinator_start_page_access(client: Client, world: World) -> None:
    url = reverse("start_coordinator")
    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(world.bob)
    assert client.get(url).status_code == 403


def test_the_coordinator_start_page_needs_a_constant_number_of_queries(
    client: Client, world: World, incident: Incident, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    setup = setup_canvass(incident, by=world.alice)
    setup.visit(world.bob, data=answers(persons=[person()]))
    client.force_login(world.alice)
    client.get(reverse("start_coordinator"))
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("start_coordinator"))
    for _ in range(5):
        MembershipFactory.create(team=world.team, role=Role.VOLUNTEER)
    for n in range(1, 6):
        setup.visit(world.bob, data=answers(), minutes=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("start_coordinator"))
