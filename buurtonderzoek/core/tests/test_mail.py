"""Mail is not lost: transient failures are tried again later, the rest is shown to the admin, and no mail
problem becomes an error page."""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from buurtonderzoek.accounts.models import Invitation
from buurtonderzoek.core.mail import MAX_ATTEMPTS, is_transient, retrying_mail
from buurtonderzoek.core.models import MailFailure
from conftest import World

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
FAILURE: list[BaseException] = []


class BrokenBackend(BaseEmailBackend):
    """A mail server that fails with whatever the test put in FAILURE."""

    def send_messages(self, email_messages: Any) -> int:
        raise FAILURE[0]


@task()
@retrying_mail("testbericht")
def send_test_mail(to: str) -> int:
    return send_mail("Test", "Hallo", None, [to])


@pytest.fixture
def broken(settings: Any) -> list[BaseException]:
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    FAILURE[:] = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]
    return FAILURE


@pytest.fixture
def db_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPResponseException(421, b"Service not available"), True),
        (smtplib.SMTPResponseException(554, b"Transaction failed"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.nl": (450, b"Mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.nl": (550, b"No such user")}), False),
        (ValueError("bad header"), False),
    ],
)
def test_it_tells_transient_from_permanent_failures(exc: BaseException, transient: bool) -> None:
    assert is_transient(exc) is transient


def test_a_transient_failure_is_tried_again_later_with_a_growing_pause(broken: list[Any], db_tasks: None) -> None:
    before = timezone.now()
    assert send_test_mail.call("a@example.nl") is None
    retry = DBTaskResult.objects.get()
    assert retry.task_path.endswith("send_test_mail")
    assert retry.args_kwargs == {"args": ["a@example.nl"], "kwargs": {"attempt": 2}}
    assert before + timedelta(seconds=55) < retry.run_after < before + timedelta(minutes=2)
    send_test_mail.call("a@example.nl", attempt=2)
    later = DBTaskResult.objects.latest("enqueued_at")
    assert later.args_kwargs["kwargs"] == {"attempt": 3}
    assert later.run_after > before + timedelta(minutes=4)
    assert not MailFailure.objects.exists()


def test_the_last_attempt_is_kept_for_the_admin(broken: list[Any], db_tasks: None) -> None:
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_test_mail.call("a@example.nl", attempt=MAX_ATTEMPTS)
    failure = MailFailure.objects.get()
    assert failure.what == "testbericht" and failure.attempts == MAX_ATTEMPTS
    assert failure.arguments == {"args": ["a@example.nl"], "kwargs": {}}
    assert "SMTPServerDisconnected" in failure.error
    assert not DBTaskResult.objects.exists()


def test_a_permanent_failure_is_not_tried_again(broken: list[Any], db_tasks: None) -> None:
    broken[0] = smtplib.SMTPRecipientsRefused({"a@example.nl": (550, b"No such user")})
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send_test_mail.call("a@example.nl")
    assert MailFailure.objects.get().attempts == 1
    assert not DBTaskResult.objects.exists()


def test_the_admin_lists_failures_and_sends_them_again(
    client: Client, world: World, broken: list[Any], db_tasks: None
) -> None:
    admin_client = client
    admin_client.force_login(world.admin)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_test_mail.call("a@example.nl", attempt=MAX_ATTEMPTS)
    failure = MailFailure.objects.get()
    page = admin_client.get(reverse("admin:core_mailfailure_changelist"))
    assert page.status_code == 200 and "testbericht" in page.content.decode()
    response = admin_client.post(
        reverse("admin:core_mailfailure_changelist"),
        {"action": "send_again", "_selected_action": [failure.pk]},
        follow=True,
    )
    assert "opnieuw in de wachtrij gezet" in response.content.decode()
    assert DBTaskResult.objects.get().args_kwargs == {"args": ["a@example.nl"], "kwargs": {}}
    failure.refresh_from_db()
    assert failure.resent_at is not None


@pytest.mark.django_db(transaction=True)  # the e-mail goes out on a real commit, as in production
def test_a_mail_failure_during_an_invitation_is_a_message_not_an_error_page(
    client: Client, world: World, broken: list[Any]
) -> None:
    client.force_login(world.alice)
    response = client.post(
        reverse("team_invite", args=[world.team.pk]), {"email": "nieuw@example.nl", "role": "volunteer"}
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="nieuw@example.nl").exists()
    page = client.get(response["Location"]).content.decode()
    assert "is opgeslagen, maar de e-mail kon niet worden verstuurd" in page
    assert MailFailure.objects.get().what.startswith("uitnodiging voor team")


def test_a_mail_failure_during_a_password_reset_is_not_an_error_page(
    client: Client, world: World, broken: list[Any]
) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "bob@example.nl"})
    assert response.status_code == 302
    assert MailFailure.objects.get().what.startswith("accountmail")


def test_the_file_backend_writes_to_email_file_path(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SECRET_KEY": "x",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    code = (
        "import django; django.setup(); from django.core.mail import send_mail; "
        "send_mail('Hoi', 'Tekst', None, ['a@example.nl'])"
    )
    subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, check=True
    )
    [written] = list((tmp_path / "mail").iterdir())
    assert "Subject: Hoi" in written.read_text()
    assert not mail.outbox
