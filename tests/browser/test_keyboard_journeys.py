"""Keyboard-only journeys, one per role, on the demo town: at phone width (390 x 844), the police at 1280 px.

Only Tab, Shift+Tab, Enter, Space and the arrow keys (which move within a group of radio buttons) and
typing into the focused field. At every Tab stop the focused element must draw a visible focus indicator
and no sticky bar may cover it (WCAG 2.4.7, 2.4.11): `tab_to` collects what is wrong at each stop, and each
journey asserts the list is empty at the end, so one run names every stop to fix.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.models import User
from buurtonderzoek.canvass.models import Canvass, DoorVisit, Outcome, ReviewStatus, Route, Tip
from buurtonderzoek.dashboards.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DOMAIN, build_demo
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.monitor.actions import create_wave
from buurtonderzoek.monitor.models import Wave
from buurtonderzoek.places.models import Address, Buurt, Gemeente
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from tests.browser.helpers import SCREENSHOT_DIR, assert_axe_clean, log_in, screenshot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page: Page, group: str, value: str, problems: list[str]) -> None:
    """Tab into a group of radio buttons, then move with the arrow keys to the one with `value`."""
    problems += tab_to(page, f"{group} input[type=radio]")
    for _ in range(12):
        if page.evaluate("() => document.activeElement.value") == value:
            break
        page.keyboard.press("ArrowDown")
    # Arrow keys select as they move; Space confirms (and checks the first radio when none was checked).
    page.keyboard.press("Space")
    expect(page.locator(f"{group} input[value='{value}']")).to_be_checked()


def test_a_volunteer_records_a_visit_with_the_keyboard_only(phone_page: Page) -> None:
    build_demo(progress=False)
    volunteer = User.objects.get(email=f"vrijwilliger@{DOMAIN}")
    route = Route.objects.filter(members=volunteer).order_by("number").first()
    assert route is not None
    page = phone_page
    log_in(page, volunteer.email, DEMO_PASSWORD)
    page.goto(f"/veld/routes/{route.pk}/")
    expect(page.locator("main[data-ready='1']")).to_be_attached()
    problems = tab_to(page, ".stop-button")
    page.keyboard.press("Enter")
    expect(page.locator("#visit-title")).to_be_focused()

    choose(page, "#outcome-choices", "gesproken", problems)
    choose(page, "[data-path='respondent_type']", "bewoner", problems)
    choose(page, "[data-path='privacy_notice_shown']", "nee", problems)
    choose(page, "[data-path='present']", "ja", problems)
    choose(page, "[data-path='seen_anything']", "ja", problems)
    # The longest form there is: a person block and a vehicle block open.
    problems += tab_to(page, "#qf-persons_count")
    page.keyboard.type("1")
    problems += tab_to(page, "[data-path='persons'] .qf-add")
    page.keyboard.press("Enter")
    expect(page.locator("[data-path='persons.0']")).to_be_visible()
    choose(page, "[data-path='vehicles_seen']", "ja", problems)
    problems += tab_to(page, "[data-path='vehicles'] .qf-add")
    page.keyboard.press("Enter")
    expect(page.locator("[data-path='vehicles.0']")).to_be_visible()
    screenshot(page, "keyboard-visit-form-open")
    # What the volunteer sees: the focused field in the vehicle block, clear of the "Opslaan" bar.
    problems += tab_to(page, "[data-path='vehicles.0'] input")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "keyboard-focus-above-sticky-bar-390.png"))
    # Every stop down to "Opslaan", then back up to "Iets gezien?" with Shift+Tab.
    problems += tab_to(page, "#save-visit")
    problems += tab_to(page, "[data-path='seen_anything'] input[type=radio]", shift=True)
    # On second thought nothing was seen: the follow-up questions fold away and the visit can be saved.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.locator("[data-path='seen_anything'] input[value='nee']")).to_be_checked()
    choose(page, "[data-path='has_camera']", "nee", problems)
    choose(page, "[data-path='contact_consent']", "nee", problems)
    problems += tab_to(page, "#save-visit")
    page.keyboard.press("Enter")
    expect(page.locator("#list-view")).to_be_visible()
    expect(page.locator(".stop-button:focus")).to_have_count(1)
    assert not problems, "\n".join(problems)
    expect(page.locator("#unsent-count")).to_have_text("0")
    assert DoorVisit.objects.filter(volunteer=volunteer).exists()


def open_wave(gemeente: Gemeente) -> Wave:
    """A survey wave open today with its public link on (the demo's waves are finished)."""
    today = timezone.localdate()
    return create_wave(
        gemeente,
        by=None,
        name="Toetsronde",
        starts_on=today,
        ends_on=today + timedelta(days=14),
        version=QuestionnaireVersion.objects.latest_published("communitymonitor"),
        buurten=list(Buurt.objects.filter(gemeente=gemeente).order_by("code")),
        target_per_buurt=100,
        public_link_enabled=True,
    )


def test_a_resident_answers_the_survey_with_the_keyboard_only(phone_page: Page) -> None:
    wave = open_wave(build_demo(progress=False))
    page = phone_page
    page.goto(f"/enquete/open/{wave.public_token}/")
    assert_axe_clean(page)
    problems = tab_to(page, "#id_buurt")
    page.keyboard.press("ArrowDown")  # a closed select on a phone: the arrow picks the next buurt
    problems += tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    screens = 0
    while "/enquete/vragen/" in page.url:
        screens += 1
        assert screens < 20, "the survey does not end: " + page.locator("main").inner_text()[:1500]
        assert_axe_clean(page)
        # Each screen: first "Volgende" with nothing answered (the error state, also judged by axe), then an
        # answer to every question the keyboard reaches with Space, then "Volgende" again. A screen without
        # required questions lets the empty "Volgende" through.
        problems += tab_to(page, "main button[value=next]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if not page.locator(".error-summary, .errorlist").count():
            continue  # nothing required on this screen: on to the next one
        assert_axe_clean(page)
        screenshot(page, f"keyboard-survey-errors-{screens}")
        answer_every_question(page, problems)
        problems += tab_to(page, "main button[value=next]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/enquete/klaar/"))
    assert_axe_clean(page)
    assert screens >= 5
    assert not problems, "\n".join(problems)


def answer_every_question(page: Page, problems: list[str]) -> None:
    """Tab from the top through the form: Space on the first choice of every group, type into text fields."""
    page.locator("main").focus()  # where the skip link leads (tabindex=-1)
    for _ in range(300):
        page.keyboard.press("Tab")
        active = page.evaluate(
            "() => ({tag: document.activeElement.tagName, type: document.activeElement.type || '',"
            " name: document.activeElement.name || '', value: document.activeElement.value || '',"
            " checked: !!document.activeElement.checked, numeric: document.activeElement.inputMode !== '',"
            " inForm: !!document.activeElement.closest('form[data-survey]')})"
        )
        if active["tag"] == "BUTTON" and active["inForm"]:
            return
        if active["type"] in ("radio", "checkbox") and not active["checked"]:
            page.keyboard.press("Space")
        elif active["tag"] == "TEXTAREA" or (active["tag"] == "INPUT" and active["type"] in ("text", "number")):
            if not active["value"]:
                page.keyboard.type("5" if active["numeric"] else "Niets bijzonders")
        elif active["tag"] == "SELECT":
            page.keyboard.press("ArrowDown")
    raise AssertionError(f"no button after the questions on {page.url}: {page.locator('main').inner_text()[:800]}")


def test_a_resident_sends_a_tip_with_the_keyboard_only(phone_page: Page) -> None:
    build_demo(progress=False)
    incident = Incident.objects.filter(canvasses__isnull=False).order_by("pk").first()
    assert incident is not None
    page = phone_page
    page.goto(f"/tip/{incident.public_token}/")
    assert_axe_clean(page)
    problems = tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Nothing typed: the error says what to do, and axe finds nothing wrong with the error state.
    expect(page.locator("main")).to_contain_text("Schrijf kort op wat u heeft gezien of gehoord.")
    assert_axe_clean(page)
    screenshot(page, "keyboard-tip-errors")
    problems += tab_to(page, "#id_text")
    page.keyboard.type("Om 23:10 liep iemand met een breekijzer door de achterom van de Lindelaan.")
    problems += tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_axe_clean(page)
    assert not problems, "\n".join(problems)
    assert Tip.objects.filter(incident=incident).exists()


def pick(page: Page, selector: str, value: str, problems: list[str]) -> None:
    """Tab to a closed select and move with the arrow keys to the option with `value` (as on a phone)."""
    problems += tab_to(page, selector)
    for _ in range(30):
        if page.locator(selector).input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached in {selector} with the arrow keys")


def type_date_and_time(page: Page, selector: str, year: int, time: str) -> None:
    """Type 11 November of `year` at `time` into the focused date-and-time field, segment by segment.

    The order of day and month and the 12- or 24-hour clock follow the browser's language: 11-11 reads the
    same either way, a morning hour needs only "A" (AM) on a 12-hour clock, and the year segment takes up to
    six digits, so the right arrow moves on to the hour.
    """
    page.keyboard.type(f"1111{year}")
    page.keyboard.press("ArrowRight")
    page.keyboard.type(time.replace(":", ""))
    if not page.locator(selector).input_value():
        page.keyboard.type("A")
    expect(page.locator(selector)).to_have_value(f"{year}-11-11T{time}")


def test_a_coordinator_registers_plans_and_reviews_with_the_keyboard_only(phone_page: Page, settings: Any) -> None:
    settings.ROUTE_OPTIMISE_SECONDS = 1.0  # planning improves the routes with OR-Tools in the worker
    gemeente = build_demo(progress=False)
    coordinator = User.objects.get(email=f"coordinator@{DOMAIN}")
    victim = Address.objects.filter(gemeente_code=gemeente.code, huisletter="", toevoeging="").order_by("pk")[200]
    page = phone_page
    log_in(page, coordinator.email, DEMO_PASSWORD)

    # Register an incident: the date and time typed segment by segment, the address from the suggestions.
    page.goto("/incidenten/nieuw/")
    assert_axe_clean(page)
    problems: list[str] = []
    pick(page, "#id_incident_type", "woninginbraak", problems)
    year = timezone.localdate().year - 1
    problems += tab_to(page, "#id_occurred_from")
    type_date_and_time(page, "#id_occurred_from", year, "09:30")
    problems += tab_to(page, "#id_occurred_until")
    type_date_and_time(page, "#id_occurred_until", year, "10:45")
    problems += tab_to(page, "#id_address_query")
    page.keyboard.type(f"{victim.street} {victim.huisnummer}")
    choice = page.locator(f'#address-results input[name=address][value="{victim.pk}"]')
    expect(choice).to_be_attached()
    problems += tab_to(page, "#address-results input[name=address]")
    for _ in range(12):
        if page.evaluate("() => document.activeElement.value") == str(victim.pk):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    problems += tab_to(page, "#id_description")
    page.keyboard.type("Inbraak via de achterdeur, laptop en sieraden weg.")
    problems += tab_to(page, "#id_victim_consent")
    page.keyboard.press("Space")
    assert_axe_clean(page)
    screenshot(page, "keyboard-incident-new")
    problems += tab_to(page, "form.incident-form button[type=submit]:not([name=search])")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    incident = Incident.objects.get(description="Inbraak via de achterdeur, laptop en sieraden weg.")
    assert incident.address_id == victim.pk and incident.victim_consent
    assert incident.incident_type == "woninginbraak"
    assert timezone.localtime(incident.occurred_from).strftime("%Y-%m-%d %H:%M") == f"{year}-11-11 09:30"
    assert timezone.localtime(incident.occurred_until).strftime("%Y-%m-%d %H:%M") == f"{year}-11-11 10:45"
    assert_axe_clean(page)

    # Plan the canvass: the field is empty (the suggestion is its placeholder); five routes typed in.
    problems += tab_to(page, "main a[href$='/buurtonderzoek/plan/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator('#plan-map[data-ready="1"]')).to_be_attached()
    assert_axe_clean(page)
    problems += tab_to(page, "#id_route_count")
    page.keyboard.type("5")
    screenshot(page, "keyboard-canvass-plan")
    problems += tab_to(page, "#plan-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    canvass = Canvass.objects.get(incident=incident)
    assert canvass.routes.count() == 5
    assert_axe_clean(page)

    # Review a conversation of the demo canvass: set it aside with a comment that says why.
    visit = (
        DoorVisit.objects.filter(outcome=Outcome.GESPROKEN, review_status=ReviewStatus.RECEIVED)
        .exclude(canvass=canvass)
        .order_by("visited_at", "id")
        .first()
    )
    assert visit is not None
    page.goto(f"/incidenten/{visit.canvass.incident_id}/beoordelen/")
    assert_axe_clean(page)
    problems += tab_to(page, f"main a[href$='/beoordelen/{visit.pk}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_axe_clean(page)
    choose(page, "main form", ReviewStatus.REJECTED.value, problems)
    problems += tab_to(page, "#id_comment")
    page.keyboard.type("Het adres klopt niet: dit is de buurvrouw van nummer 12.")
    problems += tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Beoordeling opgeslagen")
    assert_axe_clean(page)
    # "Opslaan en volgende" opened the next conversation waiting for review: approve it, without a comment.
    following = DoorVisit.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert following.pk != visit.pk and following.review_status == ReviewStatus.RECEIVED
    choose(page, "main form", ReviewStatus.APPROVED.value, problems)
    problems += tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Beoordeling opgeslagen")
    assert not problems, "\n".join(problems)
    following.refresh_from_db()
    assert following.review_status == ReviewStatus.APPROVED and following.reviewed_by == coordinator
    visit.refresh_from_db()
    assert visit.review_status == ReviewStatus.REJECTED
    assert visit.review_comment == "Het adres klopt niet: dit is de buurvrouw van nummer 12."
    assert visit.reviewed_by == coordinator


def test_the_police_gives_feedback_and_an_outcome_with_the_keyboard_only(desktop_page: Page) -> None:
    build_demo(progress=False)
    police = User.objects.get(email=f"politie@{DOMAIN}")
    report = PoliceReport.objects.get()
    page = desktop_page
    log_in(page, police.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    page.goto("/verslagen/")
    assert_axe_clean(page)
    problems = tab_to(page, f"main a[href$='/verslagen/{report.pk}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_axe_clean(page)

    # The outcome: another result, a 2 for usefulness (arrow keys in the radio group), one part that helped.
    pick(page, "#id_outcome-outcome", ReportOutcome.GOODS_RECOVERED.value, problems)
    choose(page, "form:has(#id_outcome-outcome)", "2", problems)
    problems += tab_to(page, "input[name='outcome-helpful_parts']")
    first_part = page.evaluate("() => document.activeElement.value")
    if not page.evaluate("() => document.activeElement.checked"):
        page.keyboard.press("Space")
    problems += tab_to(page, "#id_outcome-note")
    # The note starts empty (the earlier one is shown with it): what is typed is the whole note.
    expect(page.locator("#id_outcome-note")).to_have_value("")
    page.keyboard.type("De laptop is bij een opkoper teruggevonden.")
    screenshot(page, "keyboard-report-outcome")
    problems += tab_to(page, "form:has(#id_outcome-outcome) button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("De uitkomst is vastgelegd")
    assert_axe_clean(page)

    # Feedback to the team, from the top of the page again.
    page.locator("main").focus()
    problems += tab_to(page, "#id_feedback-text")
    page.keyboard.type("Dank! Het signalement van de scooter bracht ons op het goede spoor.")
    problems += tab_to(page, "form:has(#id_feedback-text) button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Uw terugkoppeling is naar het team gestuurd")
    assert_axe_clean(page)
    assert not problems, "\n".join(problems)

    report.refresh_from_db()
    assert report.outcome == ReportOutcome.GOODS_RECOVERED
    assert report.usefulness == 2
    assert first_part in report.helpful_parts
    assert report.outcome_note == "De laptop is bij een opkoper teruggevonden."
    assert report.feedback.filter(text="Dank! Het signalement van de scooter bracht ons op het goede spoor.").exists()
