"""Invitations: who may invite, the e-mail, the token, and accepting, revoking and expiry."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.accounts import actions
from buurtonderzoek.accounts.models import Invitation, InvitationStatus, Membership, Role, User, hash_token
from buurtonderzoek.core.models import AuditAction, AuditEvent
from conftest import PASSWORD, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(world: World, django_capture_on_commit_callbacks):
    def _invite(email: str = "nieuw@example.nl", role: str = Role.VOLUNTEER, by: User | None = None) -> Invitation:
        with django_capture_on_commit_callbacks(execute=True):
            return actions.invite_member(world.team, by=by or world.alice, email=email, role=role)

    return _invite


def link_path(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/uitnodiging/[\w-]+/)", body)
    assert match, body
    return match.group(1)


def test_a_coordinator_invites_by_dutch_email_with_a_personal_link(world: World, invite) -> None:
    invitation = invite("Nieuw@Example.nl")
    assert invitation.email == "nieuw@example.nl"
    assert invitation.status == InvitationStatus.OPEN
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nieuw@example.nl"]
    assert message.subject == "Uitnodiging voor Buurtpreventie Noord"
    assert "nodigt u uit als buurtpreventielid van Buurtpreventie Noord" in str(message.body)
    assert "De link is 14 dagen geldig en werkt één keer." in str(message.body)
    assert link_path(str(message.body)) == f"/accounts/uitnodiging/{invitation.token}/"


def test_the_email_is_dutch_even_when_the_coordinator_works_in_english(world: World, invite) -> None:
    from django.utils import translation

    with translation.override("en"):
        invite()
    assert "Beste buurtbewoner," in str(mail.outbox[0].body)


def test_only_a_hash_of_the_token_is_stored(world: World, invite) -> None:
    invitation = invite()
    stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.token == ""
    assert stored.token_hash == hash_token(invitation.token)
    assert invitation.token not in stored.token_hash
    assert len(invitation.token) >= 40  # 32 random bytes, URL-safe


def test_no_email_is_sent_when_the_transaction_rolls_back(world: World, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.invite_member(world.team, by=world.alice, email="x@example.nl", role=Role.VOLUNTEER)
    assert len(callbacks) == 1
    assert mail.outbox == []


@pytest.mark.parametrize("name", ["bob", "petra", "gert", "charlie"])
def test_only_the_teams_coordinator_or_an_admin_may_invite(world: World, name: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.invite_member(world.team, by=getattr(world, name), email="x@example.nl", role=Role.VOLUNTEER)
    assert not Invitation.objects.exists()


def test_an_admin_may_invite(world: World, invite) -> None:
    assert invite(by=world.admin).invited_by == world.admin


def test_inviting_a_member_again_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="is al lid van dit team"):
        actions.invite_member(world.team, by=world.alice, email="BOB@example.nl", role=Role.VOLUNTEER)


def test_a_non_team_role_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        actions.invite_member(world.team, by=world.alice, email="x@example.nl", role=Role.POLICE)


def test_a_new_invitation_replaces_the_open_one(world: World, invite) -> None:
    first = invite()
    second = invite()
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    assert second.status == InvitationStatus.OPEN


def test_inviting_is_audited(world: World, invite) -> None:
    invitation = invite()
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.Invitation")
    assert event.actor == world.alice
    assert event.object_id == str(invitation.pk)
    assert invitation.token not in str(event.data)


def test_accepting_makes_a_membership_with_the_invited_role(world: World, invite) -> None:
    invitation = invite("nieuw@example.nl", Role.COORDINATOR)
    user = User.objects.create_user("nieuw@example.nl", PASSWORD)
    membership = actions.accept_invitation(invitation, user=user)
    assert membership.team == world.team
    assert membership.role == Role.COORDINATOR
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by == user
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="accounts.Membership").exists()


def test_an_invitation_works_once(world: World, invite) -> None:
    invitation = invite()
    user = User.objects.create_user("nieuw@example.nl", PASSWORD)
    actions.accept_invitation(invitation, user=user)
    with pytest.raises(ValidationError, match="al gebruikt"):
        actions.accept_invitation(invitation, user=user)


def test_only_the_invited_address_can_accept(world: World, invite) -> None:
    invitation = invite()
    with pytest.raises(PermissionDenied):
        actions.accept_invitation(invitation, user=world.charlie)
    assert not Membership.objects.filter(user=world.charlie, team=world.team).exists()


def test_an_expired_invitation_cannot_be_accepted(world: World, invite) -> None:
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    user = User.objects.create_user("nieuw@example.nl", PASSWORD)
    with pytest.raises(ValidationError, match="verlopen"):
        actions.accept_invitation(invitation, user=user)


def test_a_revoked_invitation_cannot_be_accepted(world: World, invite) -> None:
    invitation = invite()
    actions.revoke_invitation(invitation, by=world.alice)
    user = User.objects.create_user("nieuw@example.nl", PASSWORD)
    with pytest.raises(ValidationError, match="ingetrokken"):
        actions.accept_invitation(invitation, user=user)


def test_only_the_coordinator_may_revoke(world: World, invite) -> None:
    invitation = invite()
    with pytest.raises(PermissionDenied):
        actions.revoke_invitation(invitation, by=world.bob)
    invitation.refresh_from_db()
    assert invitation.is_open


def test_a_new_user_gets_a_verified_address_and_the_membership(world: World, invite) -> None:
    invitation = invite()
    user = actions.accept_invitation_as_new_user(invitation, full_name="Nina Nieuw", password="Een-lang-wachtwoord-9")
    assert user.email == "nieuw@example.nl"
    assert user.check_password("Een-lang-wachtwoord-9")
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user).team == world.team


# --- the accept page -------------------------------------------------------------------------------------


def test_an_unknown_link_gives_a_clear_dutch_page(client: Client, world: World) -> None:
    response = client.get(reverse("accept_invitation", args=["onzin"]))
    assert response.status_code == 404
    assert "Deze link is onbekend." in response.content.decode()


@pytest.mark.parametrize(
    ("make_unavailable", "message"),
    [
        (lambda inv, world: actions.revoke_invitation(inv, by=world.alice), "ingetrokken door de coördinator"),
        (
            lambda inv, world: Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now()),
            "Deze uitnodiging is verlopen.",
        ),
        (
            lambda inv, world: actions.accept_invitation_as_new_user(
                inv, full_name="N", password="Een-lang-wachtwoord-9"
            ),
            "Deze uitnodiging is al gebruikt.",
        ),
    ],
)
def test_a_used_revoked_or_expired_link_says_why(
    client: Client, world: World, invite, make_unavailable, message
) -> None:
    invitation = invite()
    make_unavailable(invitation, world)
    response = client.get(reverse("accept_invitation", args=[invitation.token]))
    assert response.status_code == 410
    assert message in response.content.decode()


def test_a_newcomer_creates_an_account_and_joins(client: Client, world: World, invite) -> None:
    invitation = invite()
    url = link_path(str(mail.outbox[0].body))
    page = client.get(url).content.decode()
    assert "Maak uw account aan" in page
    assert 'value="nieuw@example.nl" readonly' in page
    # Nothing changes on GET (mail scanners follow links).
    assert not User.objects.filter(email="nieuw@example.nl").exists()
    response = client.post(
        url, {"full_name": "Nina Nieuw", "password1": "Een-lang-wachtwoord-9", "password2": "Een-lang-wachtwoord-9"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("team_detail", args=[world.team.pk])
    user = User.objects.get(email="nieuw@example.nl")
    assert user.full_name == "Nina Nieuw"
    assert Membership.objects.filter(user=user, team=world.team, role=Role.VOLUNTEER).exists()
    # ...and is logged in.
    assert client.get(response["Location"]).status_code == 200
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_the_email_address_cannot_be_changed_on_the_form(client: Client, world: World, invite) -> None:
    invite()
    url = link_path(str(mail.outbox[0].body))
    client.post(
        url,
        {
            "email": "ander@example.nl",
            "full_name": "Nina",
            "password1": "Een-lang-wachtwoord-9",
            "password2": "Een-lang-wachtwoord-9",
        },
    )
    assert User.objects.filter(email="nieuw@example.nl").exists()
    assert not User.objects.filter(email="ander@example.nl").exists()


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("Een-lang-wachtwoord-9", "Iets-anders-wachtwoord-9", "De twee wachtwoorden zijn niet gelijk."),
        ("kort", "kort", "Dit wachtwoord is te kort."),
        ("12345678901", "12345678901", "Dit wachtwoord bevat alleen cijfers."),
        ("nieuw@example.nl", "nieuw@example.nl", "lijkt te veel op"),
    ],
)
def test_the_new_password_is_checked(client: Client, world: World, invite, password1, password2, message) -> None:
    invite()
    url = link_path(str(mail.outbox[0].body))
    response = client.post(url, {"full_name": "Nina", "password1": password1, "password2": password2})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'role="alert"' in page
    assert not User.objects.filter(email="nieuw@example.nl").exists()


def test_someone_with_an_account_is_asked_to_log_in_and_then_joins(client: Client, world: World, invite) -> None:
    invite("charlie@example.nl")
    url = link_path(str(mail.outbox[0].body))
    page = client.get(url).content.decode()
    assert "Er is al een account voor charlie@example.nl." in page
    assert "Maak uw account aan" not in page
    login_url = f"{reverse('account_login')}?next={url.replace('/', '%2F')}"
    assert login_url in page
    response = client.post(login_url, {"login": "charlie@example.nl", "password": PASSWORD})
    assert response["Location"] == url
    assert "Lid worden" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("team_detail", args=[world.team.pk])
    assert Membership.objects.filter(user=world.charlie, team=world.team).exists()


def test_someone_logged_in_with_another_address_is_told_so(client: Client, world: World, invite) -> None:
    invite()
    url = link_path(str(mail.outbox[0].body))
    client.force_login(world.bob)
    response = client.get(url)
    assert response.status_code == 403
    assert "maar u bent ingelogd als bob@example.nl" in response.content.decode()
    assert client.post(url).status_code == 403
    assert Invitation.objects.get().is_open


def test_the_accept_page_is_english_on_request(client: Client, world: World, invite) -> None:
    invite()
    url = link_path(str(mail.outbox[0].body))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(url).content.decode()
    assert "Create your account" in page
    assert "Invitation to Buurtpreventie Noord" in page
