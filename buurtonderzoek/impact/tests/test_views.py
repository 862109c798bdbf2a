"""Pages: anonymous -> login, outsider -> 404, wrong role -> 403, the happy path with its side effects.

Personas: gert (gemeente), petra (politie) and alice (coordinator) sit at the table; bob volunteers
(wrong role: the overleg is for coordinators, police and gemeente); charlie coordinates elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.impact.models import Action, ActionStatus, PartnerTable, TriangleCheck
from buurtonderzoek.impact.tests.conftest import ImpactWorld, agree_all, propose

pytestmark = pytest.mark.django_db

Page = Callable[[ImpactWorld, Action], str]
GET_PAGES: list[Page] = [
    lambda iw, a: reverse("impact:table_detail", args=[iw.table.pk]),
    lambda iw, a: reverse("impact:action_create", args=[iw.table.pk]),
    lambda iw, a: reverse("impact:action_detail", args=[a.pk]),
    lambda iw, a: reverse("impact:buurtbeeld", args=[iw.table.pk]),
    lambda iw, a: reverse("impact:action_report", args=[a.pk]),
]
POST_PAGES: list[Page] = [
    lambda iw, a: reverse("impact:table_sharing", args=[iw.table.pk]),
    lambda iw, a: reverse("impact:action_check", args=[a.pk]),
    lambda iw, a: reverse("impact:action_transition", args=[a.pk]),
    lambda iw, a: reverse("impact:action_update", args=[a.pk]),
    lambda iw, a: reverse("impact:commitment_add", args=[a.pk]),
]
LISTS = [reverse("impact:index"), reverse("impact:library")]


def _fetch(client: Client, page: Page, iw: ImpactWorld, action: Action) -> int:
    url = page(iw, action)
    return (client.post(url) if page in POST_PAGES else client.get(url)).status_code


@pytest.mark.parametrize("page", GET_PAGES + POST_PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(client: Client, iw: ImpactWorld, page: Page) -> None:
    response = client.post(page(iw, propose(iw))) if page in POST_PAGES else client.get(page(iw, propose(iw)))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.parametrize("page", GET_PAGES + POST_PAGES)
def test_it_hides_the_table_from_outsiders(client: Client, iw: ImpactWorld, page: Page) -> None:
    client.force_login(iw.world.charlie)
    assert _fetch(client, page, iw, propose(iw)) == 404


@pytest.mark.parametrize("page", GET_PAGES + POST_PAGES)
def test_it_refuses_volunteers(client: Client, iw: ImpactWorld, page: Page) -> None:
    client.force_login(iw.world.bob)
    assert _fetch(client, page, iw, propose(iw)) == 403


@pytest.mark.parametrize("url", LISTS)
def test_lists_send_anonymous_to_login_refuse_volunteers_and_show_outsiders_nothing(
    client: Client, iw: ImpactWorld, url: str
) -> None:
    action = propose(iw)
    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(iw.world.bob)
    assert client.get(url).status_code == 403
    client.force_login(iw.world.charlie)
    response = client.get(url)
    assert response.status_code == 200 and action.title not in response.content.decode()
    assert iw.table.name not in response.content.decode()


def test_a_partner_who_is_not_seated_may_look_but_not_write(client: Client, iw: ImpactWorld) -> None:
    from buurtonderzoek.accounts.models import Role
    from buurtonderzoek.accounts.tests.factories import MembershipFactory

    action = propose(iw)
    other_coordinator = MembershipFactory.create(role=Role.COORDINATOR, team=iw.world.team).user
    client.force_login(other_coordinator)
    assert client.get(reverse("impact:action_detail", args=[action.pk])).status_code == 200
    assert client.post(reverse("impact:action_check", args=[action.pk])).status_code == 403
    assert client.get(reverse("impact:action_create", args=[iw.table.pk])).status_code == 403


def test_the_index_lists_tables_and_recent_actions_in_a_fixed_number_of_queries(
    client: Client, iw: ImpactWorld
) -> None:
    client.force_login(iw.world.gert)
    propose(iw)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("impact:index"))
    for n in range(5):
        propose(iw, title=f"Actie {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("impact:index"))
    assert len(many) == len(few)
    assert "Actie 4" in response.content.decode() and "Driehoek Noord" in response.content.decode()


def test_the_library_lists_evaluated_actions_in_a_fixed_number_of_queries(client: Client, iw: ImpactWorld) -> None:
    client.force_login(iw.world.petra)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("impact:library"), {"q": "onveilig"})
    for n in range(3):
        Action.objects.filter(pk=propose(iw, title=f"Ronde {n}").pk).update(status=ActionStatus.EVALUATED)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("impact:library"), {"q": "onveilig"})
    assert len(many) == len(few)
    assert "Ronde 2" in response.content.decode()


def test_a_municipal_officer_starts_a_table(client: Client, iw: ImpactWorld) -> None:
    url = reverse("impact:table_create", args=[iw.world.gemeente.code])
    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(iw.world.alice)
    assert client.get(url).status_code == 403
    client.force_login(iw.world.gert)
    response = client.post(url, {"name": "Driehoek Zuid", "share_library": "on"})
    table = PartnerTable.objects.get(name="Driehoek Zuid")
    assert response["Location"] == reverse("impact:table_detail", args=[table.pk])
    assert table.share_library and table.members.get().user == iw.world.gert
    # A municipal officer of another gemeente does not see Demodorp.
    from buurtonderzoek.accounts.tests.factories import MembershipFactory
    from buurtonderzoek.monitor.tests.conftest import give_totp

    stranger = MembershipFactory.create(municipal=True, gemeente=iw.world.other_gemeente).user
    give_totp(stranger)
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_the_proposal_form_stores_what_was_typed_and_explains_mistakes(client: Client, iw: ImpactWorld) -> None:
    client.force_login(iw.world.petra)
    url = reverse("impact:action_create", args=[iw.table.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    data = {
        "title": "Buurtonderzoek na elke inbraak",
        "action_type": "buurtonderzoek",
        "buurten": [iw.buurten[0].pk],
        "problem": "Inbraken in de Vogelbuurt",
        "plan": "Aanbellen binnen 48 uur",
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat(),
        "comparison": "gemeente",
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "De einddatum ligt vóór de start" in body and "minstens één monitorindicator" in body
    data.update(
        ends_on=(today + timedelta(days=120)).isoformat(),
        effect_1_key="unsafe_buurt",
        effect_1_direction="down",
        effect_1_size="4",
        process_doors_visited_size="300",
        process_doors_visited_direction="up",
        commitment_1_partner="politie",
        commitment_1_what="Verslagen binnen een week lezen",
        commitment_1_due_on=(today + timedelta(days=14)).isoformat(),
    )
    response = client.post(url, data)
    action = Action.objects.get(title="Buurtonderzoek na elke inbraak")
    assert response["Location"] == reverse("impact:action_detail", args=[action.pk])
    assert action.proposed_partner == "politie" and list(action.buurten.all()) == [iw.buurten[0]]
    assert sorted(action.expected_effects.values_list("key", "direction", "size")) == [
        ("doors_visited", "up", 300.0),
        ("unsafe_buurt", "down", 4.0),
    ]
    assert action.commitments.get().what == "Verslagen binnen een week lezen"


def test_partners_check_agree_and_see_the_triangle(client: Client, iw: ImpactWorld) -> None:
    action = propose(iw)
    check = {
        "worth": "Uren bespaard",
        "shows_how": "Minder buurtonderzoek door agenten",
        "value_score": "4",
        "quality_score": "3",
        "binding_score": "4",
        "agrees": "1",
    }
    for user in (iw.world.gert, iw.world.petra):
        client.force_login(user)
        assert client.post(reverse("impact:action_check", args=[action.pk]), check).status_code == 302
    client.force_login(iw.world.alice)
    response = client.post(reverse("impact:action_check", args=[action.pk]), {**check, "agrees": "0"})
    assert response.status_code == 400 and "Leg uit waarom" in response.content.decode()
    client.post(reverse("impact:action_check", args=[action.pk]), check)
    assert TriangleCheck.objects.filter(action=action).count() == 3
    client.post(reverse("impact:action_transition", args=[action.pk]), {"to": "in_overleg"})
    client.post(reverse("impact:action_transition", args=[action.pk]), {"to": "afgesproken"})
    action.refresh_from_db()
    assert action.status == ActionStatus.AGREED
    body = client.get(reverse("impact:action_detail", args=[action.pk])).content.decode()
    assert "Alle drie de partners zijn akkoord." in body and "<svg" in body and 'id="triangle-table"' in body
    assert "vastgelegd" in body


def test_agreeing_too_early_says_who_is_missing(client: Client, iw: ImpactWorld) -> None:
    action = propose(iw)
    client.force_login(iw.world.gert)
    client.post(reverse("impact:action_transition", args=[action.pk]), {"to": "in_overleg"})
    response = client.post(reverse("impact:action_transition", args=[action.pk]), {"to": "afgesproken"}, follow=True)
    assert "Nog niet akkoord: gemeente, politie, buurtpreventie" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DISCUSSION


def test_progress_updates_and_commitments_land_on_the_page(client: Client, iw: ImpactWorld) -> None:
    action = propose(iw)
    agree_all(iw, action)
    client.force_login(iw.world.alice)
    client.post(reverse("impact:action_update", args=[action.pk]), {"text": "Eerste avondronde gelopen"})
    client.post(
        reverse("impact:commitment_add", args=[action.pk]),
        {"partner": "buurtpreventie", "what": "Twee rondes per week", "due_on": timezone.localdate().isoformat()},
    )
    body = client.get(reverse("impact:action_detail", args=[action.pk])).content.decode()
    assert "Eerste avondronde gelopen" in body and "Twee rondes per week" in body


def test_the_public_summary_shows_only_evaluated_actions_and_no_free_text(client: Client, iw: ImpactWorld) -> None:
    action = propose(iw, problem="Familie Jansen op nummer 4 voelt zich onveilig")
    url = reverse("impact_public:summary", args=[action.public_token])
    assert client.get(url).status_code == 404
    Action.objects.filter(pk=action.pk).update(
        status=ActionStatus.EVALUATED,
        evaluation={
            "indicators": [{"label": "Voelt zich onveilig", "words": "Geen aantoonbaar effect", "power_warning": ""}]
        },
    )
    body = client.get(url).content.decode()
    assert "Geen aantoonbaar effect" in body and "Jansen" not in body


def test_looking_at_the_members_of_a_table_is_logged(client: Client, iw: ImpactWorld) -> None:
    from buurtonderzoek.core.models import AuditAction, AuditEvent

    client.force_login(iw.world.petra)
    body = client.get(reverse("impact:table_detail", args=[iw.table.pk])).content.decode()
    assert "alice@example.nl" in body or iw.world.alice.full_name in body
    event = AuditEvent.objects.get(action=AuditAction.READ_PERSONAL, object_id=str(iw.table.pk))
    assert event.actor == iw.world.petra


def test_the_library_shows_other_gemeenten_only_what_they_chose_to_share(client: Client, iw: ImpactWorld) -> None:
    from buurtonderzoek.core.models import AuditEvent

    action = propose(iw, title="Avondrondes Noord")
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.EVALUATED)
    client.force_login(iw.world.charlie)  # a coordinator in another gemeente
    assert "Avondrondes Noord" not in client.get(reverse("impact:library")).content.decode()
    client.force_login(iw.world.petra)  # police may not decide for the gemeente
    assert client.post(reverse("impact:table_sharing", args=[iw.table.pk]), {"share": "1"}).status_code == 403
    client.force_login(iw.world.gert)
    client.post(reverse("impact:table_sharing", args=[iw.table.pk]), {"share": "1"})
    iw.table.refresh_from_db()
    assert iw.table.share_library
    assert AuditEvent.objects.filter(summary="Delen in bibliotheek: aan").exists()
    client.force_login(iw.world.charlie)
    body = client.get(reverse("impact:library"), {"q": "onveilig"}).content.decode()
    assert "Avondrondes Noord" in body
    # Only the public summary opens for them, not the overleg's own page.
    assert client.get(reverse("impact:action_detail", args=[action.pk])).status_code == 404


def test_the_reminder_command_reminds_once(iw: ImpactWorld, capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    from buurtonderzoek.impact.tests.conftest import agree_all

    action = propose(iw, commitments=[{"partner": "gemeente", "what": "Lampen", "due_on": timezone.localdate()}])
    agree_all(iw, action)
    call_command("send_commitment_reminders")
    call_command("send_commitment_reminders")
    assert capsys.readouterr().out.splitlines() == ["1 herinnering(en) verstuurd", "0 herinnering(en) verstuurd"]
