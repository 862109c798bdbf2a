"""Every way into an account asks for the second factor when the account has one (or must have one).

The ways in: allauth's login form, Django's admin login, the password-reset link, the invitation link, and
making a personal API key (a key is a year-long way in of its own).
"""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts import actions
from buurtonderzoek.accounts.models import ApiToken, Membership, Role
from buurtonderzoek.accounts.tests.conftest import give_totp, totp_code
from conftest import PASSWORD, World

pytestmark = pytest.mark.django_db


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_form_asks_an_account_with_an_app_for_a_code(client: Client, world: World) -> None:
    give_totp(world.bob)
    response = client.post(reverse("account_login"), {"login": "bob@example.nl", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in(client)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert logged_in(client)


def test_the_admin_login_does_not_take_the_password_alone(client: Client, world: World) -> None:
    # The admin persona has an authenticator app; Django's own admin form would log it in without a code.
    response = client.post("/admin/login/?next=/admin/", {"username": "admin@example.nl", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not logged_in(client)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    # The admin's login page is allauth's, which asks for the code before the admin opens.
    page = client.get("/admin/login/?next=/admin/")
    assert page["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    response = client.post(page["Location"], {"login": "admin@example.nl", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in(client)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_page_refuses_a_logged_in_non_staff_user(client: Client, world: World) -> None:
    client.force_login(world.bob)
    assert client.get("/admin/login/").status_code == 403


def test_an_admin_without_an_app_must_set_one_up_before_the_admin_opens(client: Client, world: World) -> None:
    Authenticator.objects.filter(user=world.admin).delete()
    client.post(reverse("account_login"), {"login": "admin@example.nl", "password": PASSWORD})
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")
    assert client.get("/admin/accounts/user/")["Location"] == reverse("mfa_activate_totp")


def test_a_password_reset_does_not_log_in_and_the_next_login_asks_for_the_code(
    client: Client, world: World, django_capture_on_commit_callbacks
) -> None:
    give_totp(world.petra)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "petra@example.nl"})
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    form_url = client.get(match.group(1))["Location"]
    new_password = "Een-heel-nieuw-wachtwoord-7"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert not logged_in(client)
    assert client.get(reverse("start_police"))["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("account_login"), {"login": "petra@example.nl", "password": new_password})
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in(client)


def test_an_invitation_for_an_account_with_an_app_asks_for_the_code_before_joining(
    client: Client, world: World, django_capture_on_commit_callbacks
) -> None:
    give_totp(world.charlie)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = actions.invite_member(world.team, by=world.alice, email="charlie@example.nl", role=Role.VOLUNTEER)
    url = f"/accounts/uitnodiging/{invitation.token}/"
    # Posting to the link without logging in does not join, nor log in.
    client.post(url)
    assert not logged_in(client)
    assert not Membership.objects.filter(user=world.charlie, team=world.team).exists()
    login_url = f"{reverse('account_login')}?next={url}"
    response = client.post(login_url, {"login": "charlie@example.nl", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in(client)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response["Location"] == url
    client.post(url)
    assert Membership.objects.filter(user=world.charlie, team=world.team).exists()


def test_making_an_api_key_needs_a_code_typed_in_this_session(client: Client, world: World) -> None:
    give_totp(world.petra)
    # A session without a code (as Django's admin login used to give) cannot make a key.
    client.force_login(world.petra)
    response = client.get(reverse("api_token_create"))
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Faccounts%2Fapi-sleutels%2Fnieuw%2F"
    client.post(reverse("api_token_create"), {"name": "Sleutel", "valid_days": "30"})
    assert not ApiToken.objects.exists()
    # Typing the code opens the page.
    response = client.post(response["Location"], {"code": totp_code()})
    assert response["Location"] == reverse("api_token_create")
    assert client.post(reverse("api_token_create"), {"name": "Sleutel", "valid_days": "30"}).status_code == 201
    assert ApiToken.objects.get().owner == world.petra


@pytest.mark.django_db(transaction=True)
def test_setting_up_the_app_counts_as_the_code_for_making_a_key(client: Client, world: World) -> None:
    # A real commit: allauth announces the new authenticator after the commit, as it does in production.
    client.post(reverse("account_login"), {"login": "petra@example.nl", "password": PASSWORD})
    assert client.get(reverse("api_token_create"))["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="authenticator_secret" class="code" value="([A-Z2-7]+)"', page)
    assert secret
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret.group(1))})
    assert client.get(reverse("api_token_create")).status_code == 200
