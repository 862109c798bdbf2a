"""django-axes locks an account (per address and IP) after five failed logins or 2FA codes; allauth limits per
account and, generously, per address, so colleagues behind one NAT address keep working."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from buurtonderzoek.core.models import AuditAction, AuditEvent
from conftest import PASSWORD, World

pytestmark = pytest.mark.django_db


def login(client: Client, email: str, password: str, **extra: Any):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def fail(client: Client, times: int, email: str = "bob@example.nl", **extra: Any):
    response = None
    for _ in range(times):
        response = login(client, email, "fout-wachtwoord", **extra)
    return response


def test_four_failures_still_allow_a_login(client: Client, world: World) -> None:
    response = fail(client, 4)
    assert response is not None and response.status_code == 200
    assert login(client, "bob@example.nl", PASSWORD).status_code == 302


def test_the_fifth_failure_locks_the_account_with_a_dutch_page(client: Client, world: World) -> None:
    response = fail(client, 5)
    assert response is not None
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tijdelijk geblokkeerd" in page
    assert "Er is 5 keer achter elkaar een verkeerd wachtwoord ingevuld." in page
    assert "over 15 minuten opnieuw" in page
    assert 'role="alert"' in page


def test_a_locked_account_refuses_even_the_right_password(client: Client, world: World) -> None:
    fail(client, 5)
    response = login(client, "bob@example.nl", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_are_counted_per_address_as_typed_in_the_login_field(client: Client, world: World) -> None:
    fail(client, 3, "Bob@Example.nl")
    fail(client, 1, "bob@example.nl")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "bob@example.nl"
    assert attempt.failures_since_start == 4


def test_a_lock_on_one_account_does_not_lock_another(client: Client, world: World) -> None:
    fail(client, 5)
    assert login(client, "alice@example.nl", PASSWORD).status_code == 302


def test_a_lock_from_one_address_does_not_lock_the_owner_elsewhere(client: Client, world: World) -> None:
    fail(client, 5, REMOTE_ADDR="203.0.113.9")
    assert login(client, "bob@example.nl", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_failure_count(client: Client, world: World) -> None:
    fail(client, 4)
    assert login(client, "bob@example.nl", PASSWORD).status_code == 302
    client.post(reverse("account_logout"))
    response = fail(client, 4)
    assert response is not None and response.status_code == 200
    assert login(client, "bob@example.nl", PASSWORD).status_code == 302


def test_every_failure_is_in_the_audit_log(client: Client, world: World) -> None:
    fail(client, 5)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_label="bob@example.nl").count() == 5


def test_resetting_the_password_by_email_lifts_the_lock(client: Client, world: World) -> None:
    fail(client, 5)
    client.post(reverse("account_reset_password"), {"email": "bob@example.nl"})
    link = re.search(r"https?://\S+", str(mail.outbox[0].body))
    assert link is not None
    page = client.get(re.sub(r"^https?://[^/]+", "", link.group(0)), follow=True)
    action = page.redirect_chain[-1][0]
    client.post(action, {"password1": "Nieuw-wachtwoord-42", "password2": "Nieuw-wachtwoord-42"})
    assert not AccessAttempt.objects.exists()
    assert login(client, "bob@example.nl", "Nieuw-wachtwoord-42").status_code == 302


def test_wrong_codes_on_one_account_do_not_lock_out_others_behind_the_same_address(
    client: Client, world: World
) -> None:
    from buurtonderzoek.accounts.tests.conftest import give_totp

    give_totp(world.bob)
    office = "192.0.2.10"
    login(client, "bob@example.nl", PASSWORD, REMOTE_ADDR=office)
    for _ in range(12):
        client.post(reverse("mfa_authenticate"), {"code": "000000"}, REMOTE_ADDR=office)
    colleague = Client()
    response = login(colleague, "alice@example.nl", PASSWORD, REMOTE_ADDR=office)
    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session


def test_wrong_codes_count_against_the_account_itself(client: Client, world: World) -> None:
    from buurtonderzoek.accounts.tests.conftest import give_totp

    give_totp(world.bob)
    login(client, "bob@example.nl", PASSWORD)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert AccessAttempt.objects.get(username="bob@example.nl").failures_since_start == 5
    # Locked now: the password does not even lead to the code step again.
    again = Client()
    assert login(again, "bob@example.nl", PASSWORD).status_code == 429
    assert "_auth_user_id" not in again.session
