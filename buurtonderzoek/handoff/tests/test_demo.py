from __future__ import annotations

import pytest

from buurtonderzoek.handoff.demo import seed_demo_handoff
from buurtonderzoek.handoff.models import PdfStatus, PoliceReport, ReportStatus
from buurtonderzoek.places.models import Address
from buurtonderzoek.signalements.models import Alert, AlertStatus
from conftest import World

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_a_worked_report_and_a_published_alert_once(world: World, streets: list[Address]) -> None:
    report = seed_demo_handoff(world.team, by=world.alice)
    assert report is not None
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.outcome == "suspect_identified"
    assert report.pdf_status == PdfStatus.DONE and report.feedback.exists() and report.thanks.count() == 2
    assert report.signalement_count >= 2 and report.camera_lead_count == 2
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.PUBLISHED and "Wat de persoon deed" in alert.text
    assert seed_demo_handoff(world.team, by=world.alice) == report
    assert PoliceReport.objects.count() == 1


def test_the_demo_needs_a_police_unit(world: World, streets: list[Address]) -> None:
    assert seed_demo_handoff(world.other_team, by=world.charlie) is None
