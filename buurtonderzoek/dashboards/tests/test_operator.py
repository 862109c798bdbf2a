"""The beheerder's start page says what waits: locked accounts, failed mail and tasks, retention due."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoAssertNumQueries

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.dashboards.operator import admin_waiting
from buurtonderzoek.incidents.actions import transition_incident
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from conftest import World

pytestmark = pytest.mark.django_db


def failed_task(path: str) -> None:
    DBTaskResult.objects.create(
        status="FAILED",
        task_path=path,
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        finished_at=timezone.now(),
        exception_class_path="smtplib.SMTPException",
        traceback="",
    )


def test_the_admin_page_says_what_waits_with_links(
    client: Client, world: World, incident: Incident, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.RETENTION_CONTACT_DAYS = settings.RETENTION_FREE_TEXT_DAYS = 0  # due as soon as it closes
    AccessAttempt.objects.create(
        username="bob@example.nl",
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=9,
        get_data="",
        post_data="",
    )
    failed_task("buurtonderzoek.handoff.tasks.send_notification_emails")
    failed_task("buurtonderzoek.handoff.tasks.generate_report_pdf")
    transition_incident(incident, to=IncidentStatus.CANCELLED, by=world.alice, note="test")
    client.force_login(world.admin)
    page = client.get(reverse("start_admin")).content.decode()
    assert "1 account geblokkeerd" in page and reverse("admin:axes_accessattempt_changelist") in page
    assert "1 keer mislukte e-mail" in page and "1 mislukte achtergrondtaak" in page
    assert "2 bewaartermijnen verstreken" in page
    assert reverse("privacy_requests") in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("run_retention"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(summary="Bewaartermijnen handmatig gestart").exists()
    assert admin_waiting().retention_due == 0  # the task ran (immediate backend in tests)


def test_a_quiet_platform_says_nothing_waits(client: Client, world: World) -> None:
    client.force_login(world.admin)
    assert "Niets: geen geblokkeerde accounts" in client.get(reverse("start_admin")).content.decode()


def test_the_admin_page_access_and_queries(
    client: Client, world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    url = reverse("start_admin")
    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(world.alice)
    assert client.get(url).status_code == 403
    assert client.post(reverse("run_retention")).status_code == 403
    give_totp(world.gert)
    client.force_login(world.gert)
    assert client.get(url).status_code == 403
    client.force_login(world.admin)
    with django_assert_max_num_queries(20):
        client.get(url)


def _unused(_: Any) -> None: ...


def test_a_data_subject_request_looked_up_but_not_finished_is_open(client: Client, world: World) -> None:
    from buurtonderzoek.privacy.actions import export_subject_data, search_subject
    from buurtonderzoek.privacy.matching import Subject

    subject = Subject.from_input(email="johanna@example.nl")
    search_subject(subject, by=world.admin, reference="AVG-2026-7")
    search_subject(subject, by=world.admin, reference="AVG-2026-8")
    export_subject_data(subject, by=world.admin, reference="AVG-2026-8")
    client.force_login(world.admin)
    page = client.get(reverse("start_admin")).content.decode()
    assert "1 verzoek van een betrokkene niet afgerond" in page
    assert admin_waiting().open_requests == 1
