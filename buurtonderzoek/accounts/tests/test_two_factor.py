"""Two-factor authentication: optional for everyone, enforced for police and gemeente accounts."""

from __future__ import annotations

import base64
import re
import time
from unittest import mock

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts.tests.conftest import SECRET, give_totp, totp_code
from buurtonderzoek.core.models import AuditAction, AuditEvent
from conftest import PASSWORD, World

pytestmark = pytest.mark.django_db


def login(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def secret_on_page(page: str) -> str:
    match = re.search(r'id="authenticator_secret" class="code" value="([A-Z2-7]+)"', page)
    assert match, "the secret is shown as text"
    return match.group(1)


def test_police_must_set_up_2fa_and_can_then_reach_their_start_page(
    client: Client, world: World, django_capture_on_commit_callbacks
) -> None:
    response = login(client, "petra@example.nl")
    assert response.status_code == 302
    # Any page outside /accounts/ sends petra to the set-up page until 2FA is on.
    for url in (reverse("start"), reverse("start_police"), reverse("home")):
        assert client.get(url)["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "Voor politie- en gemeenteaccounts is tweestapsverificatie verplicht." in page
    # The QR code is inline (no request to a third party) and the secret is there as text.
    match = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert match
    assert base64.b64decode(match.group(1)).decode().lstrip().startswith("<svg") or b"<svg" in base64.b64decode(
        match.group(1)
    )
    secret = secret_on_page(page)

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert "Deze code klopt niet." in wrong.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes_page = client.get(response["Location"]).content.decode()
    assert "Herstelcodes" in codes_page
    assert len(re.findall(r"<li><code>\w+</code></li>", codes_page)) == 10

    assert client.get(reverse("start"))["Location"] == reverse("start_police")
    police_page = client.get(reverse("start_police"))
    assert police_page.status_code == 200
    assert "Basisteam Demodorp" in police_page.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, summary__contains="authenticator-app").exists()


def test_a_gemeente_account_is_held_to_the_same_rule(client: Client, world: World) -> None:
    login(client, "gert@example.nl")
    assert client.get(reverse("start_municipal"))["Location"] == reverse("mfa_activate_totp")


def test_a_volunteer_is_not_forced_to_set_up_2fa(client: Client, world: World) -> None:
    login(client, "bob@example.nl")
    assert client.get(reverse("start_volunteer")).status_code == 200


def test_the_api_answers_403_problem_details_until_police_set_up_2fa(client: Client, world: World) -> None:
    login(client, "petra@example.nl")
    response = client.get("/api/v1/teams/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "tweestapsverificatie" in response.json()["detail"]


def test_a_user_with_totp_must_give_a_code_at_login(client: Client, world: World) -> None:
    give_totp(world.petra)
    response = login(client, "petra@example.nl")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone does not log in.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("start_police"))["Location"].startswith(reverse("account_login"))

    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Open de authenticator-app op uw telefoon" in page
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert "Deze code klopt niet." in wrong.content.decode()
    assert 'aria-invalid="true"' in wrong.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, summary__contains="tweestapsverificatie").exists()

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get(reverse("start_police")).status_code == 200


def test_a_code_works_only_once(client: Client, world: World) -> None:
    give_totp(world.bob)
    code = totp_code()
    login(client, "bob@example.nl")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("account_logout"))
    login(client, "bob@example.nl")
    assert "Deze code klopt niet." in client.post(reverse("mfa_authenticate"), {"code": code}).content.decode()


def test_a_recovery_code_logs_in_once(client: Client, world: World) -> None:
    give_totp(world.petra)
    codes = RecoveryCodes.activate(world.petra)
    code = codes.get_unused_codes()[0]
    login(client, "petra@example.nl")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("start_police")).status_code == 200
    client.post(reverse("account_logout"))
    login(client, "petra@example.nl")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200  # spent


def test_the_police_flow_end_to_end_asks_for_a_code_at_the_next_login(client: Client, world: World) -> None:
    login(client, "petra@example.nl")
    secret = secret_on_page(client.get(reverse("mfa_activate_totp")).content.decode())
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    client.post(reverse("account_logout"))
    login(client, "petra@example.nl")
    assert client.get(reverse("start_police"))["Location"].startswith(reverse("account_login"))
    later = time.time() + 30  # the next code, half a minute on
    with mock.patch("allauth.mfa.totp.internal.auth.time.time", return_value=later):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, at=later)})
    assert response.status_code == 302
    assert client.get(reverse("start_police")).status_code == 200


def test_the_2fa_overview_is_dutch_and_offers_activation(client: Client, world: World) -> None:
    login(client, "bob@example.nl")
    page = client.get(reverse("mfa_index")).content.decode()
    assert "<h1>Tweestapsverificatie</h1>" in page
    assert "Instellen" in page
    assert 'aria-current="page"' in page


def test_recovery_codes_can_be_viewed_downloaded_and_regenerated(
    client: Client, world: World, django_capture_on_commit_callbacks
) -> None:
    give_totp(world.bob)
    first = RecoveryCodes.activate(world.bob).get_unused_codes()
    login(client, "bob@example.nl")
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    index = client.get(reverse("mfa_index")).content.decode()
    assert "Er zijn nog 10 van de 10 herstelcodes ongebruikt." in index
    view = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert all(f"<code>{code}</code>" in view for code in first)
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download["Content-Disposition"].startswith("attachment")
    body = download.content.decode()
    assert "Herstelcodes voor Open Buurtonderzoek" in body
    assert all(code in body for code in first)
    assert (
        "Uw huidige codes werken daarna niet meer."
        in client.get(reverse("mfa_generate_recovery_codes")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_generate_recovery_codes")).status_code == 302
    second = RecoveryCodes(Authenticator.objects.get(user=world.bob, type=Authenticator.Type.RECOVERY_CODES))
    assert set(second.get_unused_codes()).isdisjoint(first)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, summary__contains="herstelcodes").exists()


def test_sensitive_2fa_pages_ask_for_the_password_again_after_a_while(client: Client, world: World) -> None:
    give_totp(world.bob)
    login(client, "bob@example.nl")
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.get(reverse("mfa_generate_recovery_codes")).status_code == 200  # just logged in
    with mock.patch("time.time", return_value=time.time() + 301):
        response = client.get(reverse("mfa_generate_recovery_codes"), follow=True)
    assert "Bevestig dat u het bent" in response.content.decode()


def test_a_volunteer_can_switch_2fa_off_again(client: Client, world: World, django_capture_on_commit_callbacks) -> None:
    give_totp(world.bob)
    login(client, "bob@example.nl")
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    page = client.get(reverse("mfa_deactivate_totp")).content.decode()
    assert "Weet u het zeker?" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    assert not Authenticator.objects.filter(user=world.bob, type=Authenticator.Type.TOTP).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, summary__contains="authenticator-app").exists()


def test_police_cannot_switch_2fa_off(client: Client, world: World) -> None:
    give_totp(world.petra)
    login(client, "petra@example.nl")
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    page = client.get(reverse("mfa_deactivate_totp")).content.decode()
    assert "tweestapsverificatie verplicht" in page
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=world.petra, type=Authenticator.Type.TOTP).exists()


def test_the_secret_is_the_one_the_qr_code_encodes(client: Client, world: World) -> None:
    login(client, "bob@example.nl")
    response = client.get(reverse("mfa_activate_totp"))
    secret = secret_on_page(response.content.decode())
    assert f"secret={secret}" in response.context["totp_url"]
    assert secret != SECRET  # a fresh secret per user, not a fixed one


def test_an_admin_without_two_factor_is_sent_to_set_it_up(client: Client, world: World) -> None:
    Authenticator.objects.filter(user=world.admin).delete()
    client.force_login(world.admin)
    for path in ("/beheer/", "/beheer/privacy/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp")
