"""The report API for police systems: the four standard tests per endpoint, then the happy paths."""

from __future__ import annotations

import jsonschema
import pytest
import yaml
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.document import json_schema
from buurtonderzoek.handoff.models import PoliceReport, ReportStatus
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, CanvassSetup
from buurtonderzoek.handoff.tests.test_reports import many_reports
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks) -> PoliceReport:
    with django_capture_on_commit_callbacks(execute=False):
        return actions.submit_report(canvass_setup.incident, by=world.alice)


def endpoints(report: PoliceReport) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("get", reverse("api-report-detail", args=[report.pk]), {}),
        ("get", reverse("api-report-pdf", args=[report.pk]), {}),
        ("post", reverse("api-report-transition", args=[report.pk]), {"status": "received"}),
        ("post", reverse("api-report-feedback", args=[report.pk]), {"text": "Dank"}),
        ("post", reverse("api-report-outcome", args=[report.pk]), {"outcome": "no_result"}),
    ]


def call(client: Client, method: str, url: str, data: dict[str, str]):
    if method == "post":
        return client.post(url, data, content_type="application/json")
    return client.get(url)


def test_the_api_refuses_anonymous_callers_with_a_problem_document(client: Client, report: PoliceReport) -> None:
    for method, url, data in [("get", reverse("api-report-list"), {}), *endpoints(report)]:
        response = call(client, method, url, data)
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/problem+json" and response.json()["title"] == "Geen toegang"


def test_the_api_hides_reports_from_outsiders(client: Client, world: World, report: PoliceReport) -> None:
    client.force_login(world.charlie)
    assert client.get(reverse("api-report-list")).json()["results"] == []
    for method, url, data in endpoints(report):
        assert call(client, method, url, data).status_code == 404, url


def test_the_api_refuses_the_wrong_role(client: Client, world: World, report: PoliceReport) -> None:
    client.force_login(world.bob)
    for method, url, data in endpoints(report):
        assert call(client, method, url, data).status_code == 403, url
    client.force_login(world.alice)
    for method, url, data in endpoints(report)[2:]:
        assert call(client, method, url, data).status_code == 403, url


def test_police_without_two_factor_get_a_problem_not_data(client: Client, world: World, report: PoliceReport) -> None:
    user = MembershipFactory.create(police=True, police_unit=world.unit).user
    client.force_login(user)
    response = client.get(reverse("api-report-list"))
    assert response.status_code == 403 and "tweestapsverificatie" in response.json()["detail"]


def test_the_inbox_lists_summaries_with_a_constant_number_of_queries(
    client: Client, world: World, report: PoliceReport, django_assert_num_queries
) -> None:
    client.force_login(world.petra)
    url = reverse("api-report-list")
    with django_assert_num_queries(QUERIES):
        first = client.get(url).json()
    many_reports(report, 60)
    with django_assert_num_queries(QUERIES):
        body = client.get(url, {"limit": 50}).json()
    assert first["count"] == 1 and body["count"] == 61 and len(body["results"]) == 50
    row = first["results"][0]
    assert row["number"] == report.number and row["status"] == "submitted" and row["hours_saved"] == 0.4
    assert row["links"]["pdf"] == reverse("api-report-pdf", args=[report.pk])
    assert client.get(url, {"status": "closed"}).json()["count"] == 0


# Session, user, the 2FA middleware (memberships, authenticator), police role, count, page.
QUERIES = 7


def test_the_police_read_the_document_with_consented_contacts_and_it_is_logged(
    client: Client, world: World, report: PoliceReport
) -> None:
    client.force_login(world.petra)
    document = client.get(reverse("api-report-detail", args=[report.pk])).json()
    jsonschema.validate(document, json_schema())
    assert document["witnesses"][0]["contact"]["name"] == WITNESS_NAME
    assert AuditEvent.objects.filter(
        action=AuditAction.READ_PERSONAL, actor=world.petra, object_id=str(report.pk)
    ).exists()


def test_the_coordinator_reads_the_document_without_contacts(
    client: Client, world: World, report: PoliceReport
) -> None:
    client.force_login(world.alice)
    document = client.get(reverse("api-report-detail", args=[report.pk])).json()
    assert all(w["contact"] is None for w in document["witnesses"])


def test_the_pdf_is_409_until_made_then_served(
    client: Client, world: World, report: PoliceReport, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.petra)
    pending = client.get(reverse("api-report-pdf", args=[report.pk]))
    assert pending.status_code == 409 and pending.json()["progress"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        actions.queue_report_pdf(report.pk)
    done = client.get(reverse("api-report-pdf", args=[report.pk]))
    assert done.status_code == 200 and b"".join(done.streaming_content)[:4] == b"%PDF"  # type: ignore[attr-defined]


def test_the_police_move_the_report_and_give_feedback_and_an_outcome(
    client: Client, world: World, report: PoliceReport
) -> None:
    client.force_login(world.petra)
    moved = client.post(
        reverse("api-report-transition", args=[report.pk]), {"status": "received"}, content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "received"
    wrong = client.post(
        reverse("api-report-transition", args=[report.pk]), {"status": "used"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "kan niet naar" in wrong.json()["detail"]
    invalid = client.post(
        reverse("api-report-transition", args=[report.pk]), {"status": "gone"}, content_type="application/json"
    )
    assert invalid.status_code == 400 and "status" in invalid.json()["errors"]
    feedback = client.post(
        reverse("api-report-feedback", args=[report.pk]), {"text": "Goed verslag."}, content_type="application/json"
    )
    assert feedback.status_code == 201
    outcome = client.post(
        reverse("api-report-outcome", args=[report.pk]), {"outcome": "goods_recovered"}, content_type="application/json"
    )
    assert outcome.status_code == 200 and outcome.json()["outcome"] == "goods_recovered"
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED and report.feedback.get().text == "Goed verslag."


def test_the_schema_is_public_and_validates_itself(client: Client) -> None:
    schema = client.get(reverse("api-report-schema")).json()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith("/1.1")


def test_the_openapi_document_describes_the_report_endpoints(client: Client, world: World) -> None:
    give_totp(world.admin)
    client.force_login(world.admin)
    spec = yaml.safe_load(client.get(reverse("api_schema")).content)
    paths = spec["paths"]
    for path in (
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/reports/{id}/pdf/",
        "/api/v1/reports/{id}/transition/",
        "/api/v1/report-schema/",
    ):
        assert path in paths, path
    assert "Inbox" in paths["/api/v1/reports/"]["get"]["summary"]
    # A police system with an API key learns from the schema what a refused key looks like.
    for path in ("/api/v1/reports/", "/api/v1/reports/{id}/", "/api/v1/reports/{id}/pdf/"):
        assert "401" in paths[path]["get"]["responses"], path
