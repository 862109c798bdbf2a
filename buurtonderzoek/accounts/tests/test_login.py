"""Login, logout, password reset and change: Dutch pages, English on request, audited."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.core.tests.html_checks import dangling_references
from conftest import PASSWORD, World

pytestmark = pytest.mark.django_db


def login(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


def test_the_login_page_is_dutch_with_labelled_fields(client: Client) -> None:
    page = client.get(reverse("account_login")).content.decode()
    assert 'lang="nl"' in page
    assert "<h1>Inloggen</h1>" in page
    assert '<label class="field-label" for="id_login">E-mailadres</label>' in page
    assert '<label class="field-label" for="id_password">Wachtwoord</label>' in page
    # The password field points at its help text (the reset link) for screen readers.
    assert 'aria-describedby="id_password_helptext"' in page
    assert 'id="id_password_helptext"' in page
    assert dangling_references(page) == []
    assert "Wachtwoord vergeten?" in page
    assert "placeholder" not in page


def test_the_login_page_is_english_after_switching_language(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("account_login")).content.decode()
    assert 'lang="en"' in page
    assert "<h1>Log in</h1>" in page
    assert ">Email</label>" in page
    assert ">Password</label>" in page


def test_it_logs_in_and_lands_on_the_start_page(client: Client, world: World) -> None:
    response = login(client, "bob@example.nl")
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    page = client.get(reverse("start_volunteer")).content.decode()
    assert "U bent ingelogd als" in page


def test_the_login_is_case_insensitive_for_the_email_address(client: Client, world: World) -> None:
    assert login(client, "Bob@Example.NL").status_code == 302


def test_a_wrong_password_gives_a_dutch_error_announced_to_screen_readers(client: Client, world: World) -> None:
    response = login(client, "bob@example.nl", "fout-wachtwoord")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert "Het e-mailadres of het wachtwoord klopt niet." in page


def test_a_missing_field_is_marked_invalid_and_described(client: Client, world: World) -> None:
    page = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()
    assert 'aria-invalid="true"' in page
    assert 'id="id_login_error"' in page
    assert re.search(r'aria-describedby="id_login_error"', page)
    assert dangling_references(page) == []
    assert '<a href="#id_login">E-mailadres: Vul dit in of kies een antwoord.' in page


def test_login_logout_and_failed_login_are_audited(client: Client, world: World) -> None:
    login(client, "bob@example.nl", "fout-wachtwoord")
    login(client, "bob@example.nl")
    client.post(reverse("account_logout"))
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_label"))
    assert events == [
        (AuditAction.LOGIN_FAILED, "bob@example.nl"),
        (AuditAction.LOGIN, "bob@example.nl"),
        (AuditAction.LOGOUT, "bob@example.nl"),
    ]
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.ip_address == "127.0.0.1"
    assert "fout-wachtwoord" not in str(failed.data)


def test_the_logout_page_asks_for_confirmation_in_dutch(client: Client, world: World) -> None:
    client.force_login(world.bob)
    page = client.get(reverse("account_logout")).content.decode()
    assert "Weet u zeker dat u wilt uitloggen?" in page
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("start")).status_code == 302  # back to the login page


def test_there_is_no_open_sign_up(client: Client) -> None:
    page = client.get(reverse("account_signup")).content.decode()
    assert "U kunt zich niet zelf aanmelden." in page
    response = client.post(
        reverse("account_signup"),
        {"email": "x@example.nl", "password1": "Heel-lang-1234", "password2": "Heel-lang-1234"},
    )
    assert "U kunt zich niet zelf aanmelden." in response.content.decode()
    from buurtonderzoek.accounts.models import User

    assert not User.objects.filter(email="x@example.nl").exists()


def test_password_reset_sends_a_dutch_link_that_sets_a_new_password(client: Client, world: World) -> None:
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "Wachtwoord vergeten" in page
    response = client.post(reverse("account_reset_password"), {"email": "bob@example.nl"})
    assert response.status_code == 302
    assert "Controleer uw e-mail" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Nieuw wachtwoord instellen voor Open Buurtonderzoek"
    assert "Via deze link stelt u een nieuw wachtwoord in:" in str(message.body)
    link = re.search(r"https?://\S+", str(message.body))
    assert link is not None
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    form_page = client.get(path, follow=True)
    assert "Nieuw wachtwoord instellen" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(action, {"password1": "Nieuw-wachtwoord-42", "password2": "Nieuw-wachtwoord-42"}, follow=True)
    assert "Uw nieuwe wachtwoord is opgeslagen." in done.content.decode()
    world.bob.refresh_from_db()
    assert world.bob.check_password("Nieuw-wachtwoord-42")
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, summary__contains="Wachtwoord opnieuw").exists()


def test_password_reset_for_an_unknown_address_reveals_nothing_and_explains_invitations(client: Client) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "niemand@example.nl"})
    assert response.status_code == 302  # the same answer as for a known address
    assert len(mail.outbox) == 1
    assert "Bij dit adres hoort geen account." in str(mail.outbox[0].body)


def test_a_used_reset_link_says_so_in_dutch(client: Client, world: World) -> None:
    page = client.get("/accounts/password/reset/key/zz-set-password/").content.decode()
    assert "Link werkt niet meer" in page


def test_a_user_changes_their_password(client: Client, world: World) -> None:
    login(client, "bob@example.nl")
    page = client.get(reverse("account_change_password")).content.decode()
    assert "Wachtwoord wijzigen" in page
    assert '<label class="field-label" for="id_oldpassword">' in page
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Nieuw-wachtwoord-42", "password2": "Nieuw-wachtwoord-42"},
    )
    assert response.status_code == 302
    world.bob.refresh_from_db()
    assert world.bob.check_password("Nieuw-wachtwoord-42")
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, summary="Wachtwoord gewijzigd").exists()


def test_a_weak_new_password_is_refused_in_dutch(client: Client, world: World) -> None:
    login(client, "bob@example.nl")
    page = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": "1234", "password2": "1234"}
    ).content.decode()
    assert "Dit wachtwoord is te kort." in page


def test_the_email_page_explains_the_beheerder_changes_the_address(client: Client, world: World) -> None:
    client.force_login(world.bob)
    page = client.get(reverse("account_email")).content.decode()
    assert "bob@example.nl" in page
    assert "Vraag het de beheerder" in page
    assert client.post(reverse("account_email"), {"email": "evil@example.nl", "action_add": "1"}).status_code == 200
    from allauth.account.models import EmailAddress

    assert not EmailAddress.objects.filter(email="evil@example.nl").exists()
