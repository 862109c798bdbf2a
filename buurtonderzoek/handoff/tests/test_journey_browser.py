"""The whole hand-off and spreading journey in Chromium, across roles, against the live server.

The coordinator reviews the door visits (asking the volunteer a question, which the volunteer
answers by correcting the visit), checks the consolidation and sends the report; a resident
subscribes to alerts for the buurt; the police officer logs in with two-factor authentication,
works the report, gives feedback and an outcome, and approves the alert the coordinator composed;
the resident gets the alert e-mail and follows its link; the coordinator ends the alert and the
resident gets the afloopbericht; the volunteer sees what came of the work.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.tests.conftest import SECRET, give_totp
from buurtonderzoek.canvass.models import DoorVisit, Outcome, ReviewStatus
from buurtonderzoek.handoff.models import PdfStatus, PoliceReport, ReportStatus
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, answers, person, setup_canvass, vehicle
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from buurtonderzoek.signalements.models import Alert, AlertStatus, Subscription
from conftest import World
from tests.browser.helpers import SCREENSHOT_DIR, SLOW_MS, assert_accessible, fresh_totp_code, log_in, screenshot

pytestmark = pytest.mark.browser


def log_in_with_code(page: Page, email: str) -> None:
    log_in(page, email)
    if "/2fa/authenticate" in page.url:
        page.locator("input[name=code]").fill(fresh_totp_code(SECRET))
        with page.expect_navigation():
            page.locator("input[name=code]").press("Enter")


def log_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()


def link_in(body: str, pattern: str) -> str:
    match = re.search(rf"https?://\S*{pattern}\S*", body)
    assert match, f"no link matching {pattern} in: {body[:500]}"
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def check_pdf(content: bytes, name: str) -> str:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["/usr/bin/pdftoppm", "-r", "60", "-png", str(path), str(path.with_suffix(""))], check=True)  # noqa: S603
    pages = sorted(Path(SCREENSHOT_DIR).glob(f"{name}-*.png"))
    assert pages and all(p.stat().st_size > 10_000 for p in pages[:1])
    command = ["/usr/bin/pdftotext", "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603


def test_the_full_journey_from_review_to_afloopbericht(new_page: Callable[[str], Page], world: World, settings) -> None:
    settings.SITE_URL = "http://testserver.invalid"
    load_standard_questionnaires()
    give_totp(world.petra)
    make_streets(world.gemeente.code)
    incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
    setup = setup_canvass(incident, by=world.alice)
    setup.visit(world.bob, data=answers(persons=[person()], vehicles=[vehicle()], contact=True))
    setup.visit(
        world.bob,
        data=answers(
            persons=[person(height={"min": 180, "max": 180})], camera={"camera_retention_days": 3, "camera_share": "ja"}
        ),
        minutes=4,
    )
    setup.visit(
        world.bob,
        data=answers(persons=[person(height={"min": 172, "max": 175})], vehicles=[vehicle(plate="XJ-123-4")]),
        minutes=8,
    )
    setup.visit(world.bob, outcome=Outcome.NIET_THUIS, minutes=12)
    first, second = setup.visits[:2]
    buurt = world.team.buurten.get()

    # --- The coordinator reviews: two approved, one question for the volunteer. -------------------
    coordinator = new_page("desktop")
    log_in(coordinator, world.alice.email)
    coordinator.goto(f"/incidenten/{incident.pk}/beoordelen/")
    expect(coordinator.locator("#review-table")).to_contain_text(first.address.street)
    assert_accessible(coordinator)
    screenshot(coordinator, "handoff-review-list")
    coordinator.locator("#review-table a").first.click()
    coordinator.get_by_label("Goedkeuren: de verklaring telt mee").check()
    screenshot(coordinator, "handoff-review-visit")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Opslaan en volgende").click()
    coordinator.get_by_label("Heeft vragen: de loper moet iets aanvullen of verbeteren").check()
    coordinator.get_by_label("Opmerking voor de loper").fill("Hoe laat zag de bewoner dit? Vul de tijd in.")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Opslaan en volgende").click()
    coordinator.get_by_label("Goedkeuren: de verklaring telt mee").check()
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Opslaan en volgende").click()
    assert DoorVisit.objects.get(pk=second.pk).review_status == ReviewStatus.HAS_ISSUES

    # --- The volunteer sees the comment on the phone and corrects the visit. ----------------------
    volunteer = new_page("phone")
    log_in(volunteer, world.bob.email)
    volunteer.goto(f"/incidenten/{incident.pk}/mijn-bezoeken/")
    expect(volunteer.locator(f"#visit-{second.pk} .review-comment")).to_have_text(
        "Hoe laat zag de bewoner dit? Vul de tijd in."
    )
    screenshot(volunteer, "handoff-my-visits")
    volunteer.locator(f"#visit-{second.pk}").get_by_role("link", name="Bezoek verbeteren").click()
    volunteer.locator("#id_observations-what_time").fill("22:35")
    screenshot(volunteer, "handoff-visit-correct")
    with volunteer.expect_navigation():
        volunteer.get_by_role("button", name="Verbeteringen opslaan").click()
    expect(volunteer.locator(".messages")).to_contain_text("gaat terug naar de coördinator")
    corrected = DoorVisit.objects.get(pk=second.pk)
    assert corrected.answers["what_time"] == "22:35" and corrected.review_status == ReviewStatus.RECEIVED

    # --- The coordinator approves the correction, checks the consolidation, sends the report. -----
    coordinator.goto(f"/incidenten/{incident.pk}/beoordelen/{second.pk}/")
    coordinator.get_by_label("Goedkeuren: de verklaring telt mee").check()
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Opslaan en volgende").click()
    coordinator.goto(f"/incidenten/{incident.pk}/signalementen/")
    person_p1 = coordinator.locator("#sig-P1")
    expect(person_p1).to_contain_text("170-175 cm")
    expect(person_p1).to_contain_text("180 cm")
    expect(person_p1).to_contain_text("verschillen")
    expect(coordinator.locator("#sig-V1")).to_contain_text("XJ-123-4")
    expect(coordinator.locator("main")).not_to_contain_text(WITNESS_NAME)
    assert_accessible(coordinator)
    screenshot(coordinator, "handoff-consolidation")
    coordinator.get_by_role("link", name="Verslag naar de politie sturen").first.click()
    coordinator.get_by_label("Ik heb de signalementen, verschillen en camerasporen nagekeken.").check()
    with coordinator.expect_navigation(timeout=SLOW_MS):  # the report's PDF is made in this request
        coordinator.get_by_role("button", name="Verslag versturen").click()
    report = PoliceReport.objects.get()
    expect(coordinator.locator("#report-status")).to_have_text("nieuw")
    expect(coordinator.locator("#pdf-link")).to_be_visible()
    screenshot(coordinator, "handoff-report-coordinator")

    # The coordinator composes an alert from P1 and sends it to the police for approval.
    coordinator.goto(f"/incidenten/{incident.pk}/signalementen/")
    coordinator.get_by_role("button", name="Oproep maken voor P1").click()
    expect(coordinator.locator("#id_text")).to_have_value(re.compile("Wat de persoon deed"))
    screenshot(coordinator, "alert-draft")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Opslaan en ter goedkeuring naar de politie").click()
    expect(coordinator.locator("#alert-status")).to_contain_text("wacht op goedkeuring")
    alert = Alert.objects.get()

    # --- A resident subscribes to alerts for the buurt (double opt-in). --------------------------
    resident = new_page("phone")
    resident.goto(f"/oproepen/buurt/{buurt.code}/")
    assert_accessible(resident)
    resident.get_by_label("Uw e-mailadres").fill("bewoner@example.nl")
    with resident.expect_navigation():
        resident.get_by_role("button", name="Aanmelden").click()
    expect(resident.locator("h1")).to_have_text("Kijk in uw e-mail")
    confirmation = next(m for m in mail.outbox if m.to == ["bewoner@example.nl"])
    resident.goto(path_of(link_in(str(confirmation.body), "/bevestigen/")))
    with resident.expect_navigation():
        resident.get_by_role("button", name="Ja, bevestig mijn aanmelding").click()
    expect(resident.locator("#confirmed")).to_be_visible()
    assert Subscription.objects.get().confirmed_at is not None

    # --- The police officer logs in with 2FA, works the report and approves the alert. -----------
    police = new_page("desktop")
    log_in_with_code(police, world.petra.email)
    police.goto("/verslagen/")
    expect(police.locator("#report-table")).to_contain_text(str(report.number))
    expect(police.locator("main")).to_contain_text(alert.title)
    assert_accessible(police)
    screenshot(police, "handoff-inbox")
    police.get_by_role("link", name=str(report.number)).click()
    expect(police.locator(".contact").first).to_contain_text(WITNESS_NAME)
    screenshot(police, "handoff-report-police")
    police.get_by_label("Nieuwe status").select_option("received")
    with police.expect_navigation():
        police.get_by_role("button", name="Status wijzigen").click()
    expect(police.locator("#report-status")).to_have_text("ontvangen")
    police.get_by_label("Terugkoppeling aan het team").fill(
        "Het gedeeltelijke kenteken bracht ons bij een verdachte. Dank!"
    )
    with police.expect_navigation():
        police.get_by_role("button", name="Terugkoppeling sturen").click()
    police.get_by_label("Uitkomst", exact=True).select_option("suspect_identified")
    police.get_by_role("radio", name="4 - bruikbaar").check()
    police.get_by_role("checkbox", name="camerasporen").check()
    with police.expect_navigation():
        police.get_by_role("button", name="Uitkomst vastleggen").click()
    police.get_by_label("Aan", exact=True).select_option(str(world.bob.pk))
    police.get_by_label("Bericht", exact=True).fill("Sterk werk aan de deur, Bob.")
    with police.expect_navigation():
        police.get_by_role("button", name="Bedanken").click()
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED and report.outcome == "suspect_identified"
    assert report.usefulness == 4 and report.helpful_parts == ["camera_leads"]
    assert report.pdf_status == PdfStatus.DONE
    pdf = police.request.get(f"/verslagen/{report.pk}/verslag.pdf", timeout=SLOW_MS)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = check_pdf(pdf.body(), "handoff-report-police")
    assert WITNESS_NAME in text and "170-175 cm" in text

    mail.outbox.clear()
    police.goto(f"/oproepen/beheer/{alert.pk}/")
    screenshot(police, "alert-approve")
    with police.expect_navigation():
        police.get_by_role("button", name="Goedkeuren en publiceren").click()
    expect(police.locator("#alert-status")).to_have_text("gepubliceerd")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.PUBLISHED

    # --- The resident receives the alert and follows the link. -----------------------------------
    alert_mail = next(m for m in mail.outbox if m.to == ["bewoner@example.nl"])
    assert alert_mail.subject == alert.title and WITNESS_NAME not in alert_mail.body
    resident.goto(path_of(link_in(str(alert_mail.body), "/oproepen/")))
    expect(resident.locator("#alert-text")).to_contain_text("Wat de persoon deed")
    expect(resident.get_by_role("link", name="Delen via WhatsApp")).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/\?text=")
    )
    assert_accessible(resident)
    screenshot(resident, "alert-public")
    poster = resident.request.get(f"/oproepen/{alert.public_token}/poster.pdf", timeout=SLOW_MS)
    assert "GETUIGEN GEZOCHT" in check_pdf(poster.body(), "alert-poster")

    # --- The coordinator ends the alert; the afloopbericht replaces it and reaches the resident. --
    mail.outbox.clear()
    coordinator.goto(f"/oproepen/beheer/{alert.pk}/")
    coordinator.get_by_label("Afloopbericht").fill(
        "Dankzij tips is een verdachte in beeld. Dank aan iedereen die meekeek!"
    )
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Intrekken met dit afloopbericht").click()
    expect(coordinator.locator("#alert-status")).to_have_text("ingetrokken")
    afloop = next(m for m in mail.outbox if m.to == ["bewoner@example.nl"])
    assert afloop.subject.startswith("Afloop:") and "verdachte in beeld" in afloop.body
    resident.goto(path_of(link_in(str(afloop.body), "/oproepen/")))
    expect(resident.locator("#outcome-text")).to_contain_text("verdachte in beeld")
    expect(resident.locator("main")).not_to_contain_text("Wat de persoon deed")
    screenshot(resident, "alert-afloop")

    # --- The volunteer sees what came of the work. -----------------------------------------------
    volunteer.goto("/berichten/")
    expect(volunteer.locator("main")).to_contain_text("De politie reageerde op verslag")
    volunteer.goto(f"/verslagen/{report.pk}/")
    result = volunteer.locator("#police-result")
    expect(result).to_contain_text("Het gedeeltelijke kenteken bracht ons bij een verdachte")
    expect(result).to_contain_text("verdachte geïdentificeerd")
    expect(result).to_contain_text("Sterk werk aan de deur, Bob.")
    expect(volunteer.locator("main")).not_to_contain_text(WITNESS_NAME)
    assert_accessible(volunteer)
    screenshot(volunteer, "handoff-report-volunteer")
