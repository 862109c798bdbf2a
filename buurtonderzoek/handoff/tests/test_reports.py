"""Sending the report, the police's workflow, the recognition loop, the documents and the inbox."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import cast

import jsonschema
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import Image

from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.core.models import AppendOnlyError, AuditAction, AuditEvent
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.document import json_schema
from buurtonderzoek.handoff.models import (
    Notification,
    PdfStatus,
    PoliceReport,
    ReportStatus,
    ReportTransition,
    Thanks,
)
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, WITNESS_PHONE, CanvassSetup
from buurtonderzoek.incidents.models import IncidentStatus
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks) -> PoliceReport:
    """A sent report whose after-commit work (PDFs, e-mails) has not run: most tests need neither."""
    with django_capture_on_commit_callbacks(execute=False):
        sent = actions.submit_report(canvass_setup.incident, by=world.alice)
    return sent


@pytest.fixture
def report_with_pdf(world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks) -> PoliceReport:
    with django_capture_on_commit_callbacks(execute=True):
        sent = actions.submit_report(canvass_setup.incident, by=world.alice)
    sent.refresh_from_db()
    return sent


def test_submitting_freezes_the_document_and_moves_the_incident(world: World, report: PoliceReport) -> None:
    incident = report.incident
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REPORTED
    assert list(incident.transitions.values_list("to_status", flat=True))[-2:] == ["canvass_done", "reported"]
    assert report.unit == world.unit and report.status == ReportStatus.SUBMITTED
    assert report.number and report.number.startswith("BO-")
    assert report.doors_visited == 4 and report.doors_spoken == 3
    assert report.signalement_count == 2 and report.camera_lead_count == 2
    doc = report.document
    jsonschema.validate(doc, json_schema())
    assert doc["report"]["number"] == report.number and doc["schema_version"] == "1.1"
    # Never stored: contact details are looked up live for the police.
    assert WITNESS_NAME not in json.dumps(doc) and WITNESS_PHONE not in json.dumps(doc)
    assert all(w["contact"] is None for w in doc["witnesses"])
    assert report.witness_sources["G1"] == {"visit": report.canvass.visits.order_by("visited_at").first().pk}  # type: ignore[union-attr]


def test_the_police_unit_is_told_about_a_new_report(world: World, report_with_pdf: PoliceReport) -> None:
    report = report_with_pdf
    note = Notification.objects.get(user=world.petra, kind=Notification.REPORT_SUBMITTED)
    assert str(report.number) in note.title and note.emailed_at is not None
    assert any(world.petra.email in m.to for m in mail.outbox)
    assert not Notification.objects.filter(user__in=[world.charlie, world.gert]).exists()


def test_a_report_is_sent_once_and_only_after_doors_were_visited(world: World, report: PoliceReport) -> None:
    with pytest.raises(ValidationError):
        actions.submit_report(report.incident, by=world.alice)


def test_the_pdf_task_stores_both_variants_with_progress(report_with_pdf: PoliceReport) -> None:
    report = report_with_pdf
    assert report.pdf_status == PdfStatus.DONE and report.pdf_progress == 100
    assert report.pdf_police.name.endswith("-police.pdf") and report.pdf_team.name.endswith("-team.pdf")


def render_pages(pdf: bytes, tmp_path: Path, name: str) -> tuple[str, list[Path]]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["/usr/bin/pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / name)], check=True)  # noqa: S603
    command = ["/usr/bin/pdftotext", "-layout", str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return text, sorted(tmp_path.glob(f"{name}-*.png"))


def test_the_pdfs_render_to_readable_pages_and_only_the_police_one_holds_contacts(
    report_with_pdf: PoliceReport, tmp_path: Path
) -> None:
    report = report_with_pdf
    police_text, police_pages = render_pages(report.pdf_police.read(), tmp_path, "police")
    team_text, team_pages = render_pages(report.pdf_team.read(), tmp_path, "team")
    assert len(police_pages) >= 3 and len(team_pages) >= 3
    for text in (police_text, team_text):
        for expected in (
            "Verslag burger-buurtonderzoek",
            str(report.number),
            "Kaart",
            "Signalementen",
            "Tijdlijn",
            "Camerasporen",
            "Dekking",
            "Kwaliteit",
        ):
            assert expected in text, expected
        assert "170-175 cm" in text and "XJ-123-4" in text
    assert WITNESS_NAME in police_text and WITNESS_PHONE in police_text
    assert WITNESS_NAME not in team_text and WITNESS_PHONE not in team_text
    with Image.open(police_pages[0]) as first:
        rgb = first.convert("RGB")
        colours = cast(list[tuple[int, tuple[int, int, int]]], rgb.getcolors(maxcolors=1_000_000) or [])
        # The map: the red cross of the incident and green dots of spoken doors are drawn.
        assert any(r > 150 and g < 40 and b < 60 for _n, (r, g, b) in colours)
        assert any(g > 90 and r < 60 and b < 80 for _n, (r, g, b) in colours)
        assert first.size[0] > 300 and first.size[1] > 400


def test_the_workflow_follows_the_table_and_closing_closes_the_incident(world: World, report: PoliceReport) -> None:
    with pytest.raises(actions.InvalidReportTransition):
        actions.transition_report(report, to=ReportStatus.USED, by=world.petra)
    for status in (ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS, ReportStatus.USED, ReportStatus.CLOSED):
        actions.transition_report(report, to=status, by=world.petra)
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    report.incident.refresh_from_db()
    assert report.incident.status == IncidentStatus.CLOSED
    assert list(report.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "received",
        "in_progress",
        "used",
        "closed",
    ]
    row = report.transitions.first()
    assert row is not None
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        ReportTransition.objects.filter(report=report).delete()


def test_feedback_outcome_and_thanks_reach_everyone_who_took_part(
    world: World, report: PoliceReport, django_capture_on_commit_callbacks
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_feedback(report, by=world.petra, text="Het kenteken leverde een verdachte op.")
        actions.set_outcome(report, by=world.petra, outcome="suspect_identified", note="Zaak loopt.")
        actions.thank(report, by=world.petra, message="Heel goed werk, Bob!", to_user=world.bob)
        actions.thank(report, by=world.petra, message="Dank aan het hele team.")
    for user in (world.alice, world.bob):
        kinds = set(Notification.objects.filter(user=user).values_list("kind", flat=True))
        assert {Notification.FEEDBACK, Notification.OUTCOME, Notification.THANKS} <= kinds
    assert Notification.objects.filter(user=world.bob, kind=Notification.THANKS).count() == 2
    assert Notification.objects.filter(user=world.alice, kind=Notification.THANKS).count() == 1
    recipients = {to for m in mail.outbox for to in m.to}
    assert {world.alice.email, world.bob.email} <= recipients
    assert world.charlie.email not in recipients
    # The witness who asked to hear the outcome gets a short, general message.
    witness_mails = [m for m in mail.outbox if m.subject == "Uitkomst van het buurtonderzoek"]
    assert witness_mails == [] or all("verdachte geïdentificeerd" in m.body for m in witness_mails)
    assert Thanks.objects.filter(report=report).count() == 2


def test_the_witness_who_asked_hears_the_outcome_once(
    world: World, report: PoliceReport, django_capture_on_commit_callbacks
) -> None:
    from buurtonderzoek.canvass.models import DoorVisit

    first = DoorVisit.objects.get(pk=report.witness_sources["G1"]["visit"])
    DoorVisit.objects.filter(pk=first.pk).update(
        answers={**first.answers, "contact_method": "email", "contact_email": "getuige@example.nl"}
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_outcome(report, by=world.petra, outcome="goods_recovered")
    told = [m for m in mail.outbox if m.to == ["getuige@example.nl"]]
    assert len(told) == 1 and "buit teruggevonden" in told[0].body and "G2" not in told[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_outcome(report, by=world.petra, outcome="no_result")
    assert not [m for m in mail.outbox if m.to == ["getuige@example.nl"]]


def test_only_the_receiving_police_give_feedback_and_thanks_go_to_participants_only(
    world: World, report: PoliceReport
) -> None:
    for user in (world.alice, world.bob, world.gert):
        with pytest.raises(ValidationError):
            actions.add_feedback(report, by=user, text="x")
    with pytest.raises(ValidationError):
        actions.thank(report, by=world.petra, message="dank", to_user=world.charlie)


def test_hours_saved_are_doors_times_the_configured_minutes(report: PoliceReport, settings) -> None:
    assert report.hours_saved == Decimal("0.4")
    settings.MINUTES_PER_DOOR = 15
    assert report.hours_saved == Decimal("1.0")
    assert report.document["hours_saved"] == {"doors_visited": 4, "minutes_per_door": 6, "hours": 0.4}


# --- views ----------------------------------------------------------------------------------------


def report_urls(report: PoliceReport) -> list[tuple[str, str]]:
    return [
        ("get", reverse("report_detail", args=[report.pk])),
        ("get", reverse("report_pdf", args=[report.pk])),
        ("get", reverse("report_json", args=[report.pk])),
        ("get", reverse("report_pdf_status", args=[report.pk])),
        ("post", reverse("report_action", args=[report.pk])),
    ]


def test_report_pages_send_anonymous_visitors_to_the_login(client: Client, report: PoliceReport) -> None:
    for method, url in [
        *report_urls(report),
        ("get", reverse("report_list")),
        ("get", reverse("notifications")),
        ("get", reverse("report_submit", args=[report.incident.pk])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], url


def test_report_pages_are_invisible_to_outsiders(client: Client, world: World, report: PoliceReport) -> None:
    client.force_login(world.charlie)
    for method, url in [*report_urls(report), ("get", reverse("report_submit", args=[report.incident.pk]))]:
        assert getattr(client, method)(url).status_code == 404, url
    assert str(report.number) not in client.get(reverse("report_list")).content.decode()


def test_report_pages_refuse_the_wrong_role(client: Client, world: World, report: PoliceReport) -> None:
    client.force_login(world.bob)
    assert client.get(reverse("report_pdf", args=[report.pk])).status_code == 403
    assert client.get(reverse("report_json", args=[report.pk])).status_code == 403
    assert (
        client.post(
            reverse("report_action", args=[report.pk]), {"action": "feedback", "feedback-text": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("report_submit", args=[report.incident.pk])).status_code == 403
    client.force_login(world.alice)
    assert (
        client.post(
            reverse("report_action", args=[report.pk]), {"action": "status", "status-to": "received"}
        ).status_code
        == 403
    )


def test_the_coordinator_submits_from_the_page(
    client: Client, world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    url = reverse("report_submit", args=[canvass_setup.incident.pk])
    page = client.get(url).content.decode()
    assert "Kwaliteit" in page and world.unit.name in page
    assert client.post(url, {"unit": world.unit.pk}).status_code == 400  # the check box is required
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"unit": world.unit.pk, "confirm": "on"})
    report = PoliceReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("report_detail", args=[report.pk])
    assert client.get(url)["Location"] == reverse("report_detail", args=[report.pk])


def test_the_police_see_contacts_and_every_read_is_logged(
    client: Client, world: World, report_with_pdf: PoliceReport
) -> None:
    report = report_with_pdf
    client.force_login(world.petra)
    before = AuditEvent.objects.filter(action=AuditAction.READ_PERSONAL).count()
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert WITNESS_NAME in page and WITNESS_PHONE in page and "Afhandelen" in page
    document = client.get(reverse("report_json", args=[report.pk])).json()
    assert document["witnesses"][0]["contact"]["name"] == WITNESS_NAME
    assert all(w["contact"] is None for w in document["witnesses"][1:])
    response = client.get(reverse("report_pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content)[:4] == b"%PDF"  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action=AuditAction.READ_PERSONAL, actor=world.petra).count() == before + 3


def test_the_coordinator_sees_the_report_without_contacts(
    client: Client, world: World, report_with_pdf: PoliceReport
) -> None:
    report = report_with_pdf
    client.force_login(world.alice)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Signalementen" in page and WITNESS_NAME not in page and "Afhandelen" not in page
    document = client.get(reverse("report_json", args=[report.pk])).json()
    assert WITNESS_NAME not in json.dumps(document)
    pdf = b"".join(client.get(reverse("report_pdf", args=[report.pk])).streaming_content)  # type: ignore[attr-defined]
    assert pdf == report.pdf_team.read()
    # Witness addresses and statements are personal data too: the coordinator's reads are logged.
    reads = AuditEvent.objects.filter(action=AuditAction.READ_PERSONAL, actor=world.alice, object_id=str(report.pk))
    assert reads.count() == 3 and all(
        "zonder contactgegevens" in e.summary or "teamexemplaar" in e.summary for e in reads
    )


def test_volunteers_see_what_came_of_their_work_but_not_the_witnesses(
    client: Client, world: World, report: PoliceReport
) -> None:
    actions.add_feedback(report, by=world.petra, text="Bruikbaar verslag, dank!")
    actions.set_outcome(report, by=world.petra, outcome="suspect_arrested")
    actions.thank(report, by=world.petra, message="Top gedaan, Bob", to_user=world.bob)
    client.force_login(world.bob)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Bruikbaar verslag, dank!" in page and "verdachte aangehouden" in page and "Top gedaan, Bob" in page
    assert (
        "Getuigen" not in page
        and "Camerasporen" not in page
        and report.document["witnesses"][0]["address"]["label"] not in page
    )
    notifications = client.get(reverse("notifications")).content.decode()
    assert "De politie reageerde op verslag" in notifications


def test_the_police_work_the_report_from_the_page(
    client: Client, world: World, report: PoliceReport, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.petra)
    url = reverse("report_action", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "status", "status-to": "received", "status-note": ""})
        client.post(url, {"action": "feedback", "feedback-text": "Dank voor het snelle werk."})
        client.post(
            url,
            {"action": "outcome", "outcome-outcome": "information_used", "outcome-usefulness": "4", "outcome-note": ""},
        )
        client.post(
            url,
            {"action": "thanks", "thanks-to": str(world.bob.pk), "thanks-message": "Sterk gesprek bij nummer drie."},
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED and report.outcome == "information_used"
    assert report.feedback.get().text == "Dank voor het snelle werk."
    assert report.thanks.get().to_user == world.bob
    bad = client.post(url, {"action": "status", "status-to": "used"}, follow=True)
    assert "Kies een nieuwe status" in bad.content.decode()
    assert ReportStatus(report.status) == ReportStatus.RECEIVED


def test_a_police_form_sent_incomplete_comes_back_with_the_errors_at_its_fields_and_the_typing_kept(
    client: Client, world: World, report: PoliceReport
) -> None:
    client.force_login(world.petra)
    url = reverse("report_action", args=[report.pk])
    response = client.post(
        url, {"action": "outcome", "outcome-outcome": "no_result", "outcome-note": "Geen bruikbare beelden."}
    )
    assert response.status_code == 400
    page = response.content.decode()
    # The error is read out with the usefulness question, listed in the summary, and the note is kept.
    assert 'aria-describedby="id_outcome-usefulness_error"' in page
    assert 'id="id_outcome-usefulness_error"' in page and "Geef een cijfer voor de bruikbaarheid" in page
    assert 'class="error-summary"' in page and "Geen bruikbare beelden.</textarea>" in page
    thanks = client.post(url, {"action": "thanks", "thanks-to": "team", "thanks-message": "  "})
    assert thanks.status_code == 400 and "Schrijf een kort bedankje." in thanks.content.decode()
    report.refresh_from_db()
    assert report.outcome == "" and report.outcome_note == "" and not report.thanks.exists()


def test_the_pdf_status_fragment_polls_until_done(client: Client, world: World, report: PoliceReport) -> None:
    PoliceReport.objects.filter(pk=report.pk).update(pdf_status=PdfStatus.RUNNING, pdf_progress=40)
    client.force_login(world.alice)
    fragment = client.get(reverse("report_pdf_status", args=[report.pk])).content.decode()
    assert 'value="40"' in fragment and "hx-get" in fragment
    assert client.get(reverse("report_pdf", args=[report.pk])).status_code == 409


def test_a_failed_pdf_can_be_made_again(
    client: Client, world: World, report: PoliceReport, django_capture_on_commit_callbacks
) -> None:
    PoliceReport.objects.filter(pk=report.pk).update(pdf_status=PdfStatus.FAILED, pdf_error="boom")
    client.force_login(world.alice)
    response = client.post(reverse("report_action", args=[report.pk]), {"action": "pdf"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.pdf_status == PdfStatus.DONE and report.pdf_error == ""


def test_notifications_can_be_marked_read(client: Client, world: World, report: PoliceReport) -> None:
    client.force_login(world.petra)
    assert Notification.objects.filter(user=world.petra, read_at__isnull=True).exists()
    client.post(reverse("notifications"))
    assert not Notification.objects.filter(user=world.petra, read_at__isnull=True).exists()


def many_reports(report: PoliceReport, count: int) -> None:
    """Copies of one report (other canvasses need not exist for the inbox), bulk-inserted."""
    from buurtonderzoek.canvass.models import Canvass

    canvasses = Canvass.objects.bulk_create(
        [
            Canvass(
                incident=report.incident,
                centre_x=report.canvass.centre_x,
                centre_y=report.canvass.centre_y,
                centre_lat=report.canvass.centre_lat,
                centre_lon=report.canvass.centre_lon,
                radius_m=100,
            )
            for _ in range(count)
        ]
    )
    PoliceReport.objects.bulk_create(
        [
            PoliceReport(
                incident=report.incident,
                canvass=c,
                unit=report.unit,
                number=f"BO-TEST-{i:06d}",
                document={"big": "x" * 2000},
                quality_score=50,
                doors_visited=40,
            )
            for i, c in enumerate(canvasses)
        ]
    )


def test_the_inbox_lists_with_a_constant_number_of_queries(
    client: Client, world: World, report: PoliceReport, django_assert_num_queries
) -> None:
    client.force_login(world.petra)
    url = reverse("report_list")
    with django_assert_num_queries(QUERIES_INBOX_PAGE):
        client.get(url)
    many_reports(report, 120)
    with django_assert_num_queries(QUERIES_INBOX_PAGE):
        page = client.get(url).content.decode()
    assert page.count("BO-TEST-") == 50 and "pagina 1 van 3" in page
    filtered = client.get(url, {"status": "closed"}).content.decode()
    assert "BO-TEST-" not in filtered


# Session, user, the 2FA middleware (memberships, authenticator), police role, alerts awaiting, count, page,
# and the main menu's roles (dashboards.context_processors.menu).
QUERIES_INBOX_PAGE = 9


def test_police_of_another_unit_do_not_see_the_report(client: Client, world: World, report: PoliceReport) -> None:
    from buurtonderzoek.accounts.tests.conftest import give_totp

    other = MembershipFactory.create(police=True, police_unit__name="Basisteam Elders").user
    give_totp(other)
    client.force_login(other)
    assert client.get(reverse("report_detail", args=[report.pk])).status_code == 404
    assert str(report.number) not in client.get(reverse("report_list")).content.decode()


def test_a_pdf_missing_on_disk_is_made_again_instead_of_an_error(
    client: Client, world: World, report_with_pdf: PoliceReport
) -> None:
    report = report_with_pdf
    Path(report.pdf_police.path).unlink()
    client.force_login(world.petra)
    response = client.get(reverse("report_pdf", args=[report.pk]))
    assert response.status_code == 409  # "being made", with the progress page
    report.refresh_from_db()
    assert report.pdf_status == PdfStatus.DONE  # the (immediate) task made it again
    assert Path(report.pdf_police.path).exists()
    again = client.get(reverse("report_pdf", args=[report.pk]))
    assert again.status_code == 200
    assert b"".join(again.streaming_content)[:4] == b"%PDF"  # type: ignore[attr-defined]
    Path(report.pdf_police.path).unlink()
    api = client.get(reverse("api-report-pdf", args=[report.pk]))
    assert api.status_code == 409 and api["Content-Type"] == "application/problem+json"
