"""The page /beheer/privacy/: platform admins only; search, export and erase, each audited."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from buurtonderzoek.accounts.actions import create_api_token
from buurtonderzoek.accounts.models import ApiToken, Invitation, Membership, User
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.canvass.models import DoorVisit, Tip
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.handoff.tests.fixtures import WITNESS_EMAIL, WITNESS_NAME, WITNESS_PHONE
from buurtonderzoek.incidents.models import IncidentTransition
from buurtonderzoek.privacy.tests.conftest import OTHER_EMAIL, OTHER_NAME, People
from buurtonderzoek.signalements.models import Subscription
from conftest import World

pytestmark = pytest.mark.django_db

VIEWS = ["privacy_requests", "privacy_export", "privacy_erase"]
REQUEST = {"email": "", "phone": "+31 6 1234 5678", "name": "", "reference": "AVG-2026-017"}


def contact_data() -> str:
    visits = json.dumps(list(DoorVisit.objects.values_list("answers", flat=True)), ensure_ascii=False)
    tips = json.dumps(list(Tip.objects.values_list("contact_name", "contact_phone", "contact_email")))
    return visits + tips


# --- access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, view: str) -> None:
    response = client.post(reverse(view), REQUEST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("view", VIEWS)
def test_an_outsider_gets_403(client: Client, world: World, view: str) -> None:
    client.force_login(world.charlie)
    assert client.post(reverse(view), REQUEST).status_code == 403


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("persona", ["alice", "bob", "petra", "gert"])
def test_other_roles_get_403(client: Client, world: World, view: str, persona: str) -> None:
    user = getattr(world, persona)
    give_totp(user)
    client.force_login(user)
    assert client.post(reverse(view), REQUEST).status_code == 403
    assert not AuditEvent.objects.filter(object_type="privacy.DataSubjectRequest").exists()


def test_the_admin_start_page_links_to_the_requests(client: Client, world: World) -> None:
    client.force_login(world.admin)
    page = client.get(reverse("start_admin")).content.decode()
    assert reverse("privacy_requests") in page


def test_the_form_opens_for_the_admin(client: Client, world: World) -> None:
    client.force_login(world.admin)
    response = client.get(reverse("privacy_requests"))
    assert response.status_code == 200
    assert "Referentie van het verzoek" in response.content.decode()


def test_export_and_erase_answer_only_posts(client: Client, world: World) -> None:
    client.force_login(world.admin)
    assert client.get(reverse("privacy_export")).status_code == 405
    assert client.get(reverse("privacy_erase")).status_code == 405


# --- search ----------------------------------------------------------------------------------------


def test_it_finds_the_witness_by_her_phone_number_written_differently(
    client: Client, world: World, people: People
) -> None:
    client.force_login(world.admin)
    response = client.post(reverse("privacy_requests"), REQUEST)
    assert response.status_code == 200
    kinds = {kind.key: kind for kind in response.context["kinds"]}
    assert kinds["visits"].count == 1 and kinds["tips"].count == 1
    assert f"Incident {people.setup.incident.pk}" in kinds["visits"].descriptions[0]
    page = response.content.decode()
    # Counts and short descriptions, never the data itself.
    assert WITNESS_NAME not in page and WITNESS_PHONE not in page and "J. Verbeek" not in page
    event = AuditEvent.objects.get(action=AuditAction.READ_PERSONAL, object_type="privacy.DataSubjectRequest")
    assert event.actor == world.admin and event.object_id == "AVG-2026-017"
    assert event.data["found"]["door_visits"] == 1 and event.data["searched_on"] == ["phone"]
    assert "1234" not in json.dumps(event.data) + event.summary


def test_it_finds_the_witness_by_email_in_any_case(client: Client, world: World, people: People) -> None:
    client.force_login(world.admin)
    response = client.post(reverse("privacy_requests"), {**REQUEST, "phone": "", "email": WITNESS_EMAIL.upper()})
    kinds = {kind.key: kind.count for kind in response.context["kinds"]}
    # The tip (e-mail in capitals) and the subscription (typed with spaces) match; the door visit has a phone only.
    assert kinds["tips"] == 1 and kinds["subscriptions"] == 1 and "visits" not in kinds


def test_it_finds_another_witness_by_email_written_in_capitals_with_spaces(
    client: Client, world: World, people: People
) -> None:
    client.force_login(world.admin)
    response = client.post(reverse("privacy_requests"), {**REQUEST, "phone": "", "email": " Karel.WILLEMS@Example.nl "})
    kinds = {kind.key: kind.count for kind in response.context["kinds"]}
    assert kinds["visits"] == 1 and kinds["tips"] == 1 and "subscriptions" not in kinds


def test_a_name_alone_only_shows_possible_matches(client: Client, world: World, people: People) -> None:
    client.force_login(world.admin)
    response = client.post(
        reverse("privacy_requests"), {**REQUEST, "phone": "", "email": "iemand-anders@example.nl", "name": OTHER_NAME}
    )
    kinds = {kind.key: kind for kind in response.context["kinds"]}
    assert set(kinds) == {"possible"} and kinds["possible"].count == 2 and kinds["possible"].treatment == "check"


def test_without_email_or_phone_it_asks_for_one(client: Client, world: World) -> None:
    client.force_login(world.admin)
    response = client.post(reverse("privacy_requests"), {**REQUEST, "phone": "", "name": WITNESS_NAME})
    assert response.status_code == 400
    assert "Vul een e-mailadres of een telefoonnummer in" in response.content.decode()
    response = client.post(reverse("privacy_requests"), {**REQUEST, "phone": "06-12"})
    assert "minstens 6 cijfers" in response.content.decode()
    response = client.post(reverse("privacy_requests"), {**REQUEST, "reference": " "})
    assert "Vul de referentie van het verzoek in" in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="privacy.DataSubjectRequest").exists()


# --- export ----------------------------------------------------------------------------------------


def test_the_export_holds_her_data_and_is_audited(client: Client, world: World, people: People) -> None:
    client.force_login(world.admin)
    response = client.post(reverse("privacy_export"), {**REQUEST, "email": WITNESS_EMAIL})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="persoonsgegevens-avg-2026-017-')
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert set(document["about"]["parts"]) >= {"door_visits", "tips", "subscriptions", "accounts", "monitor"}
    assert "anoniem" in document["about"]["parts"]["monitor"] and document["monitor"] == {"searched": False}
    [visit] = document["door_visits"]
    assert visit["contact"]["contact_name"] == WITNESS_NAME and visit["contact"]["contact_phone"] == WITNESS_PHONE
    assert visit["answers"]["persons"] and visit["id"] == people.witness_visit.pk
    [tip] = document["tips"]
    assert tip["contact"]["phone"] == "+31 6 1234 5678" and "grijze Golf" in tip["text"]
    assert [s["id"] for s in document["subscriptions"]] == [people.subscription.pk]
    text = json.dumps(document, ensure_ascii=False)
    assert OTHER_EMAIL not in text and OTHER_NAME not in text and "bob@example.nl" not in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == world.admin and event.object_id == "AVG-2026-017"
    assert event.data["ids"]["door_visits"] == [people.witness_visit.pk]
    assert WITNESS_EMAIL not in json.dumps(event.data) + event.summary


def test_an_account_export_has_memberships_two_factor_and_keys_but_no_secrets(client: Client, world: World) -> None:
    give_totp(world.petra)
    key = create_api_token(by=world.petra, name="Koppeling BVH", valid_days=90)
    client.force_login(world.admin)
    response = client.post(reverse("privacy_export"), {**REQUEST, "phone": "", "email": "Petra@Example.nl"})
    [account] = json.loads(response.content)["accounts"]
    assert account["email"] == "petra@example.nl" and account["memberships"][0]["organisation"] == "Basisteam Demodorp"
    assert [a["type"] for a in account["two_factor"]] == ["totp"]
    assert [(k["name"], k["prefix"]) for k in account["api_keys"]] == [("Koppeling BVH", key.prefix)]
    body = response.content.decode()
    assert "secret" not in body and "JBSWY3DPEHPK3PXP" not in body
    assert key.token not in body and key.token_hash not in body


def test_erasing_a_police_account_deletes_its_api_keys(client: Client, world: World) -> None:
    give_totp(world.petra)
    key = create_api_token(by=world.petra, name="Koppeling BVH", valid_days=90)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key.token}")
    assert api.get("/api/v1/reports/").status_code == 200
    client.force_login(world.admin)
    client.post(
        reverse("privacy_erase"),
        {**REQUEST, "phone": "", "email": "petra@example.nl", "reference_again": "AVG-2026-017"},
    )
    assert not ApiToken.objects.filter(pk=key.pk).exists()
    assert api.get("/api/v1/reports/").status_code == 401


# --- erase -----------------------------------------------------------------------------------------


def test_erasing_asks_for_the_reference_again_first(client: Client, world: World, people: People) -> None:
    client.force_login(world.admin)
    before = contact_data()
    response = client.post(reverse("privacy_erase"), REQUEST)
    assert response.status_code == 200
    assert "Typ de referentie nog een keer" in response.content.decode()
    response = client.post(reverse("privacy_erase"), {**REQUEST, "reference_again": "AVG-2026-018"})
    assert response.status_code == 400
    assert "De referentie komt niet overeen" in response.content.decode()
    assert contact_data() == before
    assert not AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="privacy.DataSubjectRequest").exists()


def test_erasing_blanks_her_contact_data_everywhere_and_keeps_the_rest(
    client: Client, world: World, people: People, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.admin)
    events_before = AuditEvent.objects.count()
    transitions_before = IncidentTransition.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("privacy_erase"), {**REQUEST, "email": WITNESS_EMAIL, "reference_again": " AVG-2026-017 "}
        )
    assert response.status_code == 302 and response["Location"] == reverse("privacy_requests")
    people.witness_visit.refresh_from_db()
    answers = people.witness_visit.answers
    assert not {"contact_name", "contact_phone", "contact_method"} & set(answers)
    # The statement and the fact of consent stay; only the contact details go (as retention does).
    assert answers["persons"] and answers["contact_consent"] == "ja"
    people.witness_tip.refresh_from_db()
    assert (people.witness_tip.contact_name, people.witness_tip.contact_phone, people.witness_tip.contact_email) == (
        "",
        "",
        "",
    )
    assert "grijze Golf" in people.witness_tip.text
    assert not Subscription.objects.filter(pk=people.subscription.pk).exists()
    values = contact_data()
    assert WITNESS_NAME not in values and WITNESS_PHONE not in values and "1234 5678" not in values
    # Someone else's data is untouched.
    people.other_visit.refresh_from_db()
    people.other_tip.refresh_from_db()
    assert people.other_visit.answers["contact_email"] == OTHER_EMAIL and people.other_tip.contact_name == OTHER_NAME
    # The police PDF, which printed her details, is made again.
    queued = [getattr(c, "args", ()) for c in callbacks]
    assert (people.report.pk,) in queued
    # Nothing was taken from the audit log or the histories; the removal is recorded without the data.
    assert AuditEvent.objects.count() > events_before
    assert IncidentTransition.objects.count() == transitions_before
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_type="privacy.DataSubjectRequest")
    assert event.data["removed"]["door_visits"] == 1 and event.data["removed"]["tips"] == 1
    assert event.data["removed"]["subscriptions"] == 1
    logged = json.dumps(list(AuditEvent.objects.values_list("summary", "data")), ensure_ascii=False)
    assert WITNESS_PHONE not in logged and WITNESS_NAME not in logged and WITNESS_EMAIL not in logged
    incident_event = AuditEvent.objects.get(object_type="incidents.Incident", summary__contains="AVG-2026-017")
    assert (
        incident_event.data["visits"] == [people.witness_visit.pk] and "contact_name" in incident_event.data["fields"]
    )


def test_erasing_twice_finds_nothing_the_second_time(client: Client, world: World, people: People) -> None:
    client.force_login(world.admin)
    data = {**REQUEST, "email": WITNESS_EMAIL, "reference_again": REQUEST["reference"]}
    client.post(reverse("privacy_erase"), data)
    after_first = contact_data()
    response = client.post(reverse("privacy_erase"), data, follow=True)
    assert "er was niets (meer) te verwijderen" in response.content.decode()
    assert contact_data() == after_first
    second = (
        AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="privacy.DataSubjectRequest")
        .order_by("-id")
        .first()
    )
    assert second is not None and not any(second.data["removed"].values())


def test_erasing_an_account_blanks_and_deactivates_it_and_keeps_its_history(
    client: Client, world: World, people: People
) -> None:
    bob = world.bob
    give_totp(bob)
    EmailAddress.objects.create(user=bob, email="bob@example.nl", verified=True, primary=True)
    bobs_phone = Client()
    bobs_phone.force_login(bob)
    recorded = DoorVisit.objects.filter(volunteer=bob).count()
    by_bob = AuditEvent.objects.filter(actor=bob).count()
    assert recorded and by_bob
    client.force_login(world.admin)
    response = client.post(
        reverse("privacy_erase"),
        {**REQUEST, "phone": "", "email": " BOB@example.nl", "reference_again": "AVG-2026-017"},
    )
    assert response.status_code == 302
    bob = User.objects.get(pk=bob.pk)
    assert bob.email == f"verwijderd-{bob.pk}@verwijderd.invalid" and bob.full_name == ""
    assert not bob.is_active and not bob.has_usable_password()
    assert not Membership.objects.filter(user=bob).exists()
    assert not Authenticator.objects.filter(user=bob).exists() and not EmailAddress.objects.filter(user=bob).exists()
    # The rows that point to the account stay: his visits, and the audit log.
    assert DoorVisit.objects.filter(volunteer=bob).count() == recorded
    assert AuditEvent.objects.filter(actor=bob).count() == by_bob
    assert authenticate(RequestFactory().post("/"), email="bob@example.nl", password="wachtwoord-voor-tests") is None
    # His open session ends with the password.
    response = bobs_phone.get(reverse("start"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    # A second request finds no account any more.
    response = client.post(reverse("privacy_requests"), {**REQUEST, "phone": "", "email": "bob@example.nl"})
    assert "accounts" not in {kind.key for kind in response.context["kinds"]}


def test_erasing_revokes_open_invitations_to_the_address(client: Client, world: World) -> None:
    from buurtonderzoek.accounts.actions import invite_member

    invitation = invite_member(world.team, by=world.alice, email="Nieuw.Lid@example.nl", role="volunteer")
    client.force_login(world.admin)
    client.post(
        reverse("privacy_erase"),
        {**REQUEST, "phone": "", "email": "nieuw.lid@example.nl", "reference_again": "AVG-2026-017"},
    )
    invitation = Invitation.objects.get(pk=invitation.pk)
    assert invitation.email.endswith("@verwijderd.invalid") and invitation.revoked_at is not None


def test_an_admin_cannot_erase_their_own_account_here(client: Client, world: World) -> None:
    client.force_login(world.admin)
    response = client.post(
        reverse("privacy_erase"),
        {**REQUEST, "phone": "", "email": "admin@example.nl", "reference_again": "AVG-2026-017"},
    )
    assert response.status_code == 400
    assert "Dit is uw eigen account" in response.content.decode()
    assert User.objects.get(pk=world.admin.pk).is_active
