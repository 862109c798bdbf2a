"""The team page and the coordinator's member management: the four standard tests per view."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts import actions
from buurtonderzoek.accounts.models import Invitation, InvitationStatus, Membership, Role
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.core.models import AuditAction, AuditEvent
from conftest import World

pytestmark = pytest.mark.django_db


def bob_membership(world: World) -> Membership:
    return Membership.objects.get(user=world.bob, team=world.team)


def urls(world: World) -> dict[str, tuple[str, str]]:
    """name -> (method, url) for every team view."""
    invitation = actions.invite_member(world.team, by=world.alice, email="nieuw@example.nl", role=Role.VOLUNTEER)
    team = world.team.pk
    member = bob_membership(world).pk
    return {
        "detail": ("get", reverse("team_detail", args=[team])),
        "invite": ("post", reverse("team_invite", args=[team])),
        "revoke": ("post", reverse("team_invitation_revoke", args=[team, invitation.pk])),
        "remove": ("post", reverse("team_member_remove", args=[team, member])),
        "role": ("post", reverse("team_member_role", args=[team, member])),
    }


VIEWS = ["detail", "invite", "revoke", "remove", "role"]


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_users_are_sent_to_the_login_page(client: Client, world: World, view: str) -> None:
    method, url = urls(world)[view]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("view", VIEWS)
def test_outsiders_get_404(client: Client, world: World, view: str) -> None:
    method, url = urls(world)[view]
    client.force_login(world.charlie)
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize("view", ["invite", "revoke", "remove", "role"])
def test_volunteers_get_403_on_management(client: Client, world: World, view: str) -> None:
    method, url = urls(world)[view]
    client.force_login(world.bob)
    assert getattr(client, method)(url, {"email": "x@example.nl", "role": Role.COORDINATOR}).status_code == 403
    assert Membership.objects.get(user=world.bob, team=world.team).role == Role.VOLUNTEER
    assert Invitation.objects.get().is_open


@pytest.mark.parametrize("persona", ["petra", "gert"])
def test_police_and_gemeente_see_the_team_but_not_its_member_page(client: Client, world: World, persona: str) -> None:
    _method, url = urls(world)["detail"]
    user = getattr(world, persona)
    give_totp(user)
    client.force_login(user)
    assert client.get(url).status_code == 403


def test_a_volunteer_sees_the_members_without_addresses_or_invitations(client: Client, world: World) -> None:
    _, url = urls(world)["detail"]
    client.force_login(world.bob)
    page = client.get(url).content.decode()
    assert "Buurtpreventie Noord" in page
    assert world.alice.full_name in page
    assert "alice@example.nl" not in page
    assert "nieuw@example.nl" not in page
    assert "Iemand uitnodigen" not in page
    assert not AuditEvent.objects.filter(action=AuditAction.READ_PERSONAL).exists()


def test_the_coordinator_sees_members_invitations_and_the_invite_form(client: Client, world: World) -> None:
    _, url = urls(world)["detail"]
    client.force_login(world.alice)
    page = client.get(url).content.decode()
    assert "bob@example.nl" in page
    assert "nieuw@example.nl" in page
    assert "Iemand uitnodigen" in page
    assert '<legend class="field-label">Rol in het team</legend>' in page
    event = AuditEvent.objects.get(action=AuditAction.READ_PERSONAL)
    assert event.actor == world.alice
    assert event.object_id == str(world.team.pk)


def test_the_team_page_uses_a_fixed_number_of_queries(client: Client, world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from buurtonderzoek.accounts.tests.factories import MembershipFactory

    _, url = urls(world)["detail"]
    client.force_login(world.alice)
    client.get(url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        MembershipFactory.create(team=world.team)
        actions.invite_member(world.team, by=world.alice, email=f"x{_}@example.nl", role=Role.VOLUNTEER)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few) <= 12


def test_the_coordinator_invites_from_the_team_page(
    client: Client, world: World, django_capture_on_commit_callbacks
) -> None:
    url = reverse("team_invite", args=[world.team.pk])
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Nieuw@Example.nl", "role": Role.COORDINATOR})
    assert response.status_code == 302
    assert response["Location"] == reverse("team_detail", args=[world.team.pk])
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("nieuw@example.nl", Role.COORDINATOR)
    assert len(mail.outbox) == 1
    page = client.get(response["Location"]).content.decode()
    assert "Uitnodiging verstuurd naar nieuw@example.nl." in page


def test_an_invalid_invitation_shows_dutch_errors(client: Client, world: World) -> None:
    url = reverse("team_invite", args=[world.team.pk])
    client.force_login(world.alice)
    page = client.post(url, {"email": "geen-adres", "role": Role.VOLUNTEER}).content.decode()
    assert "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl." in page
    assert 'aria-invalid="true"' in page
    page = client.post(url, {"email": "bob@example.nl", "role": Role.VOLUNTEER}).content.decode()
    assert "bob@example.nl is al lid van dit team." in page
    assert not Invitation.objects.exists()


def test_the_invite_page_works_without_javascript(client: Client, world: World) -> None:
    client.force_login(world.alice)
    page = client.get(reverse("team_invite", args=[world.team.pk])).content.decode()
    assert '<label class="field-label" for="id_email">E-mailadres</label>' in page


def test_the_coordinator_revokes_an_invitation(client: Client, world: World) -> None:
    _, url = urls(world)["revoke"]
    client.force_login(world.alice)
    response = client.post(url)
    assert response.status_code == 302
    assert Invitation.objects.get().status == InvitationStatus.REVOKED
    assert "is ingetrokken" in client.get(response["Location"]).content.decode()


def test_revoking_twice_explains_it_is_already_done(client: Client, world: World) -> None:
    _, url = urls(world)["revoke"]
    client.force_login(world.alice)
    client.post(url)
    page = client.post(url, follow=True).content.decode()
    assert "ingetrokken door de coördinator" in page


def test_the_coordinator_removes_a_member_after_confirming(client: Client, world: World) -> None:
    _, url = urls(world)["remove"]
    client.force_login(world.alice)
    page = client.get(url).content.decode()
    assert "Weet u zeker dat u" in page
    response = client.post(url)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=world.bob, team=world.team).exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_type="accounts.Membership")
    assert event.actor == world.alice
    assert event.data["user"] == world.bob.pk


def test_the_coordinator_changes_a_role(client: Client, world: World) -> None:
    _, url = urls(world)["role"]
    client.force_login(world.alice)
    response = client.post(url, {"role": Role.COORDINATOR})
    assert response.status_code == 302
    assert bob_membership(world).role == Role.COORDINATOR
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="accounts.Membership")
    assert event.data == {"team": world.team.pk, "from": Role.VOLUNTEER, "to": Role.COORDINATOR}


def test_a_role_outside_the_team_is_refused(client: Client, world: World) -> None:
    _, url = urls(world)["role"]
    client.force_login(world.alice)
    page = client.post(url, {"role": Role.POLICE}, follow=True).content.decode()
    assert "Kies een geldige rol." in page
    assert bob_membership(world).role == Role.VOLUNTEER


def test_the_last_coordinator_cannot_step_down_or_be_removed(client: Client, world: World) -> None:
    alice = Membership.objects.get(user=world.alice, team=world.team)
    client.force_login(world.alice)
    page = client.post(
        reverse("team_member_role", args=[world.team.pk, alice.pk]), {"role": Role.VOLUNTEER}, follow=True
    ).content.decode()
    assert "Een team heeft altijd minstens één coördinator." in page
    client.post(reverse("team_member_remove", args=[world.team.pk, alice.pk]))
    alice.refresh_from_db()
    assert alice.role == Role.COORDINATOR


def test_a_coordinator_can_step_down_once_there_is_another(client: Client, world: World) -> None:
    actions.change_member_role(bob_membership(world), by=world.alice, role=Role.COORDINATOR)
    alice = Membership.objects.get(user=world.alice, team=world.team)
    client.force_login(world.alice)
    response = client.post(reverse("team_member_remove", args=[world.team.pk, alice.pk]))
    assert response["Location"] == reverse("start")
    assert not Membership.objects.filter(pk=alice.pk).exists()


def test_a_membership_of_another_team_is_not_found_through_this_team(client: Client, world: World) -> None:
    charlie = Membership.objects.get(user=world.charlie)
    client.force_login(world.alice)
    assert client.post(reverse("team_member_remove", args=[world.team.pk, charlie.pk])).status_code == 404
    assert (
        client.post(reverse("team_member_role", args=[world.team.pk, charlie.pk]), {"role": "volunteer"}).status_code
        == 404
    )


def test_the_admin_manages_any_team(client: Client, world: World) -> None:
    _, url = urls(world)["role"]
    client.force_login(world.admin)
    assert client.get(reverse("team_detail", args=[world.other_team.pk])).status_code == 200
    client.post(url, {"role": Role.COORDINATOR})
    assert bob_membership(world).role == Role.COORDINATOR


def test_start_pages_link_to_the_team_page(client: Client, world: World) -> None:
    client.force_login(world.bob)
    page = client.get(reverse("start_volunteer")).content.decode()
    assert reverse("team_detail", args=[world.team.pk]) in page
