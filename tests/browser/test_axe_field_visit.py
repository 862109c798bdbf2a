"""axe-core on every state of the field visit form, at 390 and 1280 px, with its error states tied and focused.

The walk in test_axe_every_page.py sees the route page as it loads; the visit form only exists after a tap,
and most of its states only after more taps. This test taps through them as a volunteer on the demo town
does: a door opened, each outcome, "Opslaan" with nothing chosen, the conversation questions sent empty,
a person block and a vehicle block open, several persons, "Opslaan" with empty blocks, a saved visit, and
a visit the server refused (shown in the list and in the form). Every state is judged by axe-core (WCAG
2.0/2.1 A and AA) at phone and desktop width; the error states also by `error_state_problems` (every
message tied to its field, no description pointing nowhere, the focus on the summary or the field).
Every problem is collected before the test fails, so one run lists all there is to fix.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.models import User
from buurtonderzoek.canvass.models import DoorVisit, Route
from buurtonderzoek.dashboards.demo import DEMO_PASSWORD, DOMAIN, build_demo
from tests.browser.error_states import error_message_count, error_state_problems
from tests.browser.helpers import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An answer the phone would never save, as an older version of the app might have: a conversation with
# only the first question answered. The server refuses it, and the app shows why.
REFUSED_BY_THE_SERVER = """() => new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error("IndexedDB antwoordt niet")), 10000);
    const open = indexedDB.open("buurtonderzoek-veld");
    open.onsuccess = () => {
        const tx = open.result.transaction(["routes", "outbox"], "readwrite");
        tx.objectStore("routes").getAll().onsuccess = (routes) => {
            const outbox = tx.objectStore("outbox");
            outbox.getAll().onsuccess = (event) => {
                const visit = event.target.result[0];
                visit.outcome = "gesproken";
                visit.answers = {respondent_type: "bewoner"};
                visit.questionnaire_version = routes.target.result[0].questionnaire.id;
                outbox.put(visit).onsuccess = () => resolve(visit.client_uuid);
            };
        };
    };
})"""


class Judge:
    """Runs the checks on one state at both widths and keeps what is wrong, named by the state."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.states: list[str] = []

    def __call__(self, state: str, *, errors: bool = False) -> None:
        self.states.append(state)
        if errors:
            # Checked first, at phone width, before resizing can move anything: where the submit left the focus.
            assert error_message_count(self.page) > 0, f"{state}: no error message shown"
            self.problems += [f"{state}: {p}" for p in error_state_problems(self.page)]
        for width, height in ((390, 844), (1280, 900)):
            self.page.set_viewport_size({"width": width, "height": height})
            self.problems += [f"{state}, {width}px: {v}" for v in axe_violations(self.page)]
        self.page.set_viewport_size({"width": 390, "height": 844})


def open_door(page: Page, index: int = 0) -> None:
    page.locator("li.stop:has(.stop-button) .stop-button").nth(index).click()
    expect(page.locator("#visit-view")).to_be_visible()


def answer(page: Page, path: str, label: str) -> None:
    page.locator(f"[data-path='{path}'] label", has_text=label).first.click()


def test_every_state_of_the_field_visit_form_is_axe_clean_with_tied_errors(phone_page: Page) -> None:
    build_demo(progress=False)
    volunteer = User.objects.get(email=f"vrijwilliger@{DOMAIN}")
    route = Route.objects.filter(members=volunteer).order_by("number").first()
    assert route is not None
    visits_before = DoorVisit.objects.count()
    page = phone_page
    log_in(page, volunteer.email, DEMO_PASSWORD)
    page.goto(f"/veld/routes/{route.pk}/")
    expect(page.locator("main[data-ready='1']")).to_be_attached()
    judge = Judge(page)

    open_door(page)
    judge("door opened")
    page.locator("#save-visit").click()
    expect(page.locator("#outcome-error")).to_be_visible()
    judge("Opslaan without an outcome", errors=True)
    for outcome in ("Niet thuis", "Wil niet", "Briefje achtergelaten", "Later terug"):
        page.locator("#outcome-choices label", has_text=outcome).click()
        judge(f"outcome {outcome}")

    page.locator("#outcome-choices label", has_text="Gesproken").click()
    expect(page.locator("#questionnaire")).to_be_visible()
    judge("conversation questions")
    page.locator("#save-visit").click()
    expect(page.locator(".qf-summary")).to_be_visible()
    judge("conversation sent empty", errors=True)

    answer(page, "respondent_type", "Bewoner")
    answer(page, "present", "Ja")
    answer(page, "seen_anything", "Ja")
    page.locator("#qf-persons_count").fill("3")
    add_person = page.get_by_role("button", name="Persoon toevoegen")
    add_person.click()
    expect(page.locator("[data-path='persons.0']")).to_be_visible()
    judge("one person block open")
    answer(page, "vehicles_seen", "Ja")
    page.get_by_role("button", name="Voertuig toevoegen").click()
    expect(page.locator("[data-path='vehicles.0']")).to_be_visible()
    judge("a person and a vehicle block open")
    add_person.click()
    add_person.click()
    expect(page.locator("[data-path='persons.2']")).to_be_visible()
    judge("three persons and a vehicle")
    page.locator("#save-visit").click()
    expect(page.locator(".qf-summary")).to_be_visible()
    judge("three empty persons and a vehicle sent", errors=True)

    page.locator("#cancel-visit").click()
    expect(page.locator("#list-view")).to_be_visible()
    open_door(page)
    page.locator("#outcome-choices label", has_text="Wil niet").click()
    page.locator("#save-visit").click()
    expect(page.locator("#list-view")).to_be_visible()
    expect(page.locator("#unsent-count")).to_have_text("0")
    judge("saved and sent")
    # Offline, so the next visit stays on the phone until it has been changed behind the form's back.
    page.context.set_offline(True)
    open_door(page)
    page.locator("#outcome-choices label", has_text="Niet thuis").click()
    page.locator("#save-visit").click()
    expect(page.locator("#list-view")).to_be_visible()
    expect(page.locator("#unsent-count")).to_have_text("1")
    judge("saved on the phone, offline")

    page.evaluate(REFUSED_BY_THE_SERVER)
    page.context.set_offline(False)
    # Back online the app may send by itself (the button is then disabled): press only while a visit waits.
    page.evaluate("() => { const b = document.querySelector('#send-now'); if (!b.disabled) b.click(); }")
    refused = page.locator(".outbox-item.outbox-rejected")
    expect(refused).to_have_count(1)
    judge("refused by the server, in the list")
    refused.get_by_role("button", name="Aanpassen").click()
    expect(page.locator("#visit-problem")).to_be_visible()
    judge("refused by the server, in the form")
    assert DoorVisit.objects.count() == visits_before + 1  # the refused visit was not stored

    assert not judge.problems, f"{len(judge.problems)} problems in {len(judge.states)} states:\n" + "\n".join(
        judge.problems
    )
