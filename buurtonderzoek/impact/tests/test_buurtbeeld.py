"""The buurtbeeld on screen and as PDF (task with progress), and the evaluation report PDF."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.impact.tests.conftest import ImpactWorld, StoreWave, propose
from buurtonderzoek.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _two_waves(iw: ImpactWorld, store_wave: StoreWave, n: int = 30) -> None:
    today = timezone.localdate()
    for name, days, share in (("Voorjaar", 300, 0.5), ("Najaar", 60, 0.2)):
        values = {
            b.pk: {
                "unsafe_buurt": [1.0] * int(n * share) + [0.0] * (n - int(n * share)),
                "mark_safety": [7.0, 8.0] * (n // 2),
            }
            for b in iw.buurten
        }
        store_wave(iw.world.gemeente.pk, name, today - timedelta(days=days), today - timedelta(days=days - 20), values)


def test_the_buurtbeeld_shows_monitor_figures_activity_and_team_health(
    client: Client, iw: ImpactWorld, store_wave: StoreWave
) -> None:
    _two_waves(iw, store_wave)
    iw.world.team.buurten.add(iw.buurten[0])
    client.force_login(iw.world.petra)
    body = client.get(reverse("impact:buurtbeeld", args=[iw.table.pk])).content.decode()
    assert "Najaar" in body and "Voorjaar" in body
    assert "Noordbuurt 1" in body and "Noordbuurt 6" in body
    assert "Voelt zich wel eens onveilig in de eigen buurt" in body
    assert "significant lager" in body  # 50% -> 20% with 30 answers per buurt
    assert "Buurtpreventie Noord" in body and "bezochte deuren" in body


def test_the_buurtbeeld_pdf_is_made_by_a_job_and_downloaded_only_by_who_asked(
    client: Client, iw: ImpactWorld, store_wave: StoreWave, django_capture_on_commit_callbacks: Any
) -> None:
    _two_waves(iw, store_wave)
    client.force_login(iw.world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("impact:buurtbeeld", args=[iw.table.pk]))
    job = Job.objects.get(kind="impact.buurtbeeld")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params == {"table": iw.table.pk} and job.requested_by == iw.world.alice
    # The tests run tasks immediately (pyproject's TASKS_BACKEND); in production a worker does.
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100
    page = client.get(response["Location"]).content.decode()
    assert reverse("impact:buurtbeeld", args=[iw.table.pk]) in page  # back to the buurtbeeld
    pdf = client.get(reverse("jobs:download", args=[job.pk]))
    content = b"".join(pdf.streaming_content)  # type: ignore[attr-defined]
    assert content[:5] == b"%PDF-" and pdf["Content-Type"] == "application/pdf"
    assert "Noordbuurt 1" in _pdf_text(content)
    # Another partner of the same table sees the buurtbeeld, but not this person's file.
    client.force_login(iw.world.gert)
    assert client.get(reverse("impact:buurtbeeld", args=[iw.table.pk])).status_code == 200
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_the_buurtbeeld_job_is_refused_when_the_table_is_no_longer_visible(
    iw: ImpactWorld, store_wave: StoreWave, django_capture_on_commit_callbacks: Any
) -> None:
    from buurtonderzoek.accounts.models import Membership
    from buurtonderzoek.impact.actions import request_buurtbeeld

    _two_waves(iw, store_wave)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = request_buurtbeeld(iw.table, by=iw.world.alice)
    Membership.objects.filter(user=iw.world.alice).delete()  # she left the team before the worker ran
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
    assert (
        job.error
        == "U kunt dit driehoeksoverleg niet meer bekijken. Hebt u het buurtbeeld nodig? Vraag het aan een deelnemer."
    )


def _pdf_text(content: bytes) -> str:
    command = ["/usr/bin/pdftotext", "-", "-"]
    return subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()  # noqa: S603


def test_the_evaluation_report_pdf(client: Client, iw: ImpactWorld, django_capture_on_commit_callbacks: Any) -> None:
    action = propose(iw)
    client.force_login(iw.world.gert)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("impact:action_report", args=[action.pk]))
    assert response["Location"] == reverse("impact:action_report", args=[action.pk])
    assert "report-link" in client.get(response["Location"]).content.decode()
    pdf = client.get(response["Location"], {"download": "1"})
    assert pdf.content[:5] == b"%PDF-" and pdf["Content-Type"] == "application/pdf"


def test_the_buurtbeeld_says_what_the_police_did_with_the_areas_reports(client: Client, iw: ImpactWorld) -> None:
    from buurtonderzoek.dashboards.tests.fixtures import bulk_reports
    from buurtonderzoek.handoff.models import ReportOutcome
    from buurtonderzoek.incidents.models import Incident
    from buurtonderzoek.places.models import Address

    outcomes = [ReportOutcome.SUSPECT_ARRESTED, ReportOutcome.NO_RESULT, ReportOutcome.NO_RESULT, ""]
    reports = bulk_reports(
        iw.world.team,
        iw.world.unit,
        count=4,
        start=timezone.now() - timedelta(days=30),
        spec=lambda i: {"outcome": outcomes[i], "usefulness": 4 if outcomes[i] else None},
    )
    address = Address.objects.create(
        nummeraanduiding_id="0000000000000001",
        street="Dorpsstraat",
        huisnummer=1,
        postcode="9999AA",
        woonplaats="Demodorp",
        gemeente_code=iw.world.gemeente.code,
        buurt_code=iw.buurten[0].code,
        x=121000,
        y=487000,
        lat=52.0,
        lon=5.0,
        grid_x=1210,
    )
    Incident.objects.filter(pk__in=[r.incident_id for r in reports]).update(address=address)
    client.force_login(iw.world.gert)
    body = client.get(reverse("impact:buurtbeeld", args=[iw.table.pk])).content.decode()
    assert "De laatste 12 maanden 4 verslagen uit dit gebied." in body
    assert "Gemiddelde bruikbaarheid volgens de politie: 4,0 (1-5)." in body
    section = body[body.index('id="police-outcomes"') :]
    assert "verdachte aangehouden</th><td>1" in section and "geen resultaat</th><td>2" in section
    assert "nog geen uitkomst</th><td>1" in section
