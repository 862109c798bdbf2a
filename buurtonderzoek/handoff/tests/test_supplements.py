"""Nagekomen bezoeken: doors walked after the report reach the police as a supplement, after the same review."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from buurtonderzoek.canvass.actions import assign_route_members
from buurtonderzoek.canvass.api import my_routes, route_payload
from buurtonderzoek.canvass.models import DoorVisit, ReviewStatus
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.document import json_schema
from buurtonderzoek.handoff.models import Notification, PdfStatus, PoliceReport, ReportSupplement
from buurtonderzoek.handoff.review import can_correct
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, CanvassSetup, answers, approve, person
from conftest import World

pytestmark = pytest.mark.django_db

LATE_WITNESS = "Anouk de Vries"


@pytest.fixture
def report(world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks) -> PoliceReport:
    with django_capture_on_commit_callbacks(execute=False):
        return actions.submit_report(canvass_setup.incident, by=world.alice)


def late_visit(world: World, setup: CanvassSetup, *, approved: bool = True) -> DoorVisit:
    visit = setup.visit(
        world.bob,
        data=answers(
            persons=[person(behaviour="Rende weg met een tas onder de arm")],
            contact=True,
            contact_name=LATE_WITNESS,
            contact_phone="0611112222",
        ),
        index=4,
        minutes=30,
    )
    if approved:
        approve([visit], by=world.alice)
    return visit


def test_the_route_can_still_be_walked_after_the_report(world: World, canvass_setup: CanvassSetup) -> None:
    route = canvass_setup.canvass.routes.get()
    assign_route_members(route, by=world.alice, members=[world.bob, world.alice])
    actions.submit_report(canvass_setup.incident, by=world.alice)
    assert route in my_routes(world.bob)
    assert route_payload(route, world.bob)["open"] is True


def test_a_supplement_sends_only_the_late_approved_statements(
    world: World, canvass_setup: CanvassSetup, report: PoliceReport, django_capture_on_commit_callbacks
) -> None:
    late_visit(world, canvass_setup, approved=False)
    with pytest.raises(ValidationError):
        actions.submit_supplement(report, by=world.alice)  # not reviewed yet: nothing to send
    visit = canvass_setup.visits[-1]
    assert can_correct(visit, world.bob)  # a late visit can still be corrected until it is sent
    approve([visit], by=world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        supplement = actions.submit_supplement(report, by=world.alice)
    supplement.refresh_from_db()
    assert supplement.number == 1 and supplement.label == f"{report.number}-A1"
    assert supplement.witness_sources == {"G1": {"visit": visit.pk}}
    doc = supplement.document
    jsonschema.validate(doc, json_schema())
    assert doc["supplement"]["report_number"] == report.number and doc["supplement"]["number"] == 1
    assert doc["report"]["number"] == supplement.label and doc["schema_version"] == "1.1"
    assert [w["ref"] for w in doc["witnesses"]] == ["G1"]
    assert LATE_WITNESS not in str(doc)  # contact details are never stored in a document
    assert supplement.pdf_status == PdfStatus.DONE and supplement.pdf.read(4) == b"%PDF"
    assert not can_correct(visit, world.bob)
    # Police told, volunteers told, audited.
    assert Notification.objects.filter(user=world.petra, title__contains="Aanvulling").exists()
    assert Notification.objects.filter(user=world.bob, title__contains="Aanvulling").exists()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="handoff.ReportSupplement").exists()
    # Nothing left: a second supplement needs new statements.
    with pytest.raises(ValidationError):
        actions.submit_supplement(report, by=world.alice)


def test_a_closed_case_takes_no_supplement(world: World, canvass_setup: CanvassSetup, report: PoliceReport) -> None:
    late_visit(world, canvass_setup)
    for status in ("received", "closed"):
        actions.transition_report(report, to=status, by=world.petra)
    with pytest.raises(ValidationError):
        actions.submit_supplement(report, by=world.alice)


# --- pages: the four access tests and the journey on the pages ------------------------------------


def supplement_urls(report: PoliceReport) -> list[tuple[str, str]]:
    return [
        ("get", reverse("supplement_submit", args=[report.pk])),
        ("post", reverse("supplement_submit", args=[report.pk])),
        ("get", reverse("supplement_detail", args=[report.pk, 1])),
        ("post", reverse("supplement_detail", args=[report.pk, 1])),
        ("get", reverse("supplement_pdf", args=[report.pk, 1])),
        ("get", reverse("supplement_json", args=[report.pk, 1])),
    ]


@pytest.fixture
def sent(
    world: World, canvass_setup: CanvassSetup, report: PoliceReport, django_capture_on_commit_callbacks: Any
) -> ReportSupplement:
    late_visit(world, canvass_setup)
    with django_capture_on_commit_callbacks(execute=True):
        return actions.submit_supplement(report, by=world.alice)


def test_supplement_pages_send_anonymous_visitors_to_the_login(client: Client, sent: ReportSupplement) -> None:
    for method, url in supplement_urls(sent.report):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], url


def test_supplement_pages_are_invisible_to_outsiders(client: Client, world: World, sent: ReportSupplement) -> None:
    client.force_login(world.charlie)
    for method, url in supplement_urls(sent.report):
        assert getattr(client, method)(url).status_code == 404, url


def test_supplement_pages_refuse_the_wrong_role(client: Client, world: World, sent: ReportSupplement) -> None:
    client.force_login(world.bob)  # a volunteer sees the supplement listed, not its witnesses
    for method, url in supplement_urls(sent.report):
        assert getattr(client, method)(url).status_code == 403, url
    page = client.get(reverse("report_detail", args=[sent.report.pk])).content.decode()
    assert "Nagekomen bezoeken" in page and "Aanvulling 1" in page
    client.force_login(world.petra)
    assert client.get(reverse("supplement_submit", args=[sent.report.pk])).status_code == 403
    client.force_login(world.alice)  # only the police mark it received
    assert client.post(reverse("supplement_detail", args=[sent.report.pk, 1])).status_code == 403


def test_the_coordinator_sends_and_the_police_receive_a_supplement_on_the_pages(
    client: Client,
    world: World,
    canvass_setup: CanvassSetup,
    report: PoliceReport,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
) -> None:
    late_visit(world, canvass_setup)
    client.force_login(world.alice)
    detail = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "1 goedgekeurd bezoek of tip is nog niet naar de politie gestuurd" in detail
    form = client.get(reverse("supplement_submit", args=[report.pk])).content.decode()
    assert "1 nagekomen verklaring" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("supplement_submit", args=[report.pk]))
    assert response["Location"] == reverse("supplement_detail", args=[report.pk, 1])
    coordinator_page = client.get(response["Location"]).content.decode()
    assert LATE_WITNESS not in coordinator_page  # contact details: police only
    assert client.post(reverse("supplement_submit", args=[report.pk])).status_code == 400  # nothing left

    client.force_login(world.petra)
    with django_assert_max_num_queries(12):
        inbox = client.get(reverse("report_list")).content.decode()
    assert "1 nieuwe aanvulling" in inbox
    page = client.get(reverse("supplement_detail", args=[report.pk, 1])).content.decode()
    assert LATE_WITNESS in page and "Markeer als ontvangen" in page
    document = client.get(reverse("supplement_json", args=[report.pk, 1])).json()
    assert document["witnesses"][0]["contact"]["name"] == LATE_WITNESS
    assert WITNESS_NAME not in str(document)  # the original report's witnesses are not repeated
    pdf = client.get(reverse("supplement_pdf", args=[report.pk, 1]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:4] == b"%PDF"  # type: ignore[attr-defined]
    client.post(reverse("supplement_detail", args=[report.pk, 1]))
    assert ReportSupplement.objects.get().received_at is not None
    assert "nieuwe aanvulling" not in client.get(reverse("report_list")).content.decode()
    reads = AuditEvent.objects.filter(
        action=AuditAction.READ_PERSONAL, actor=world.petra, object_type="handoff.ReportSupplement"
    )
    assert reads.count() == 3


def test_review_still_works_after_the_report(world: World, canvass_setup: CanvassSetup, report: PoliceReport) -> None:
    visit = late_visit(world, canvass_setup, approved=False)
    assert visit.review_status == ReviewStatus.RECEIVED


# --- API for police systems -----------------------------------------------------------------------


def test_the_api_gives_the_police_the_supplement_and_counts_it_as_new(
    client: Client, world: World, sent: ReportSupplement
) -> None:
    url = reverse("api-report-supplement", args=[sent.report.pk, 1])
    assert client.get(url).status_code == 403  # anonymous: problem document, no data
    client.force_login(world.charlie)
    assert client.get(url).status_code == 404
    client.force_login(world.bob)
    assert client.get(url).status_code == 403
    client.force_login(world.petra)
    listed = client.get(reverse("api-report-list")).json()["results"]
    assert [r["new_supplements"] for r in listed] == [1]
    document = client.get(url).json()
    assert document["supplement"]["report_number"] == sent.report.number
    assert document["witnesses"][0]["contact"]["name"] == LATE_WITNESS
    assert client.get(reverse("api-report-supplement", args=[sent.report.pk, 2])).status_code == 404
    actions.receive_supplement(sent, by=world.petra)
    assert client.get(reverse("api-report-list")).json()["results"][0]["new_supplements"] == 0
