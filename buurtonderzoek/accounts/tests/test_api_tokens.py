"""Personal API keys: made once on the account pages, used as a bearer key on the reports API.

The key stands for its owner: a police system sees exactly what the officer sees. Keys that are malformed,
unknown, expired, revoked, or whose owner lost the police role are refused with a Dutch 401 problem
document, and every refusal, creation and revocation is in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from buurtonderzoek.accounts import actions
from buurtonderzoek.accounts.models import ApiToken, Membership, Role, User, hash_token
from buurtonderzoek.accounts.tests.conftest import give_totp, log_in_with_code
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.accounts.tokens import DEFAULT_VALID_DAYS, MAX_VALID_DAYS, TOKEN_PATTERN
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.handoff import actions as handoff_actions
from buurtonderzoek.handoff.models import PoliceReport
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, standard_canvass
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from conftest import World

pytestmark = pytest.mark.django_db

LIST_URL = "/accounts/api-sleutels/"
CREATE_URL = "/accounts/api-sleutels/nieuw/"


def revoke_url(token: ApiToken) -> str:
    return f"/accounts/api-sleutels/{token.pk}/intrekken/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://buurt.example.nl"


@pytest.fixture
def report(world: World, django_capture_on_commit_callbacks: Any) -> PoliceReport:
    """A report sent to petra's unit, built with the hand-off tests' canvass (a witness who consented)."""
    make_streets(world.gemeente.code)
    incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
    standard_canvass(incident, coordinator=world.alice, volunteer=world.bob)
    with django_capture_on_commit_callbacks(execute=False):
        return handoff_actions.submit_report(incident, by=world.alice)


@pytest.fixture
def petra_key(world: World) -> ApiToken:
    give_totp(world.petra)
    return actions.create_api_token(by=world.petra, name="BVH-koppeling", valid_days=30)


def bearer(token: ApiToken | str) -> dict[str, str]:
    value = token.token if isinstance(token, ApiToken) else token
    return {"Authorization": f"Bearer {value}"}


def police_page_client(client: Client, user: User) -> Client:
    return log_in_with_code(client, user)


# Making a key


def test_creating_a_key_shows_it_once_and_stores_only_its_hash(client: Client, world: World) -> None:
    police_page_client(client, world.petra)
    response = client.post(CREATE_URL, {"name": "BVH-koppeling Demodorp", "valid_days": "30"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    shown = re.search(r'id="api_token"[^>]*>([^<]+)</textarea>', response.content.decode())
    assert shown is not None
    key = shown.group(1)
    assert TOKEN_PATTERN.match(key)
    token = ApiToken.objects.get()
    assert token.owner == world.petra and token.name == "BVH-koppeling Demodorp"
    assert key.startswith(f"bo_{token.prefix}_")
    assert token.token_hash == hash_token(key)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(key in str(value) or key.split("_")[-1] in str(value) for value in stored.values())
    assert timedelta(days=30) - timedelta(minutes=1) < token.expires_at - token.created_at <= timedelta(days=30)
    # Never again: not on the list, not in the audit log.
    listing = client.get(LIST_URL).content.decode()
    assert token.prefix in listing and key not in listing
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.ApiToken")
    assert event.actor == world.petra and event.data["api_token"] == token.prefix
    assert key not in str(event.data) and key not in event.summary


def test_a_key_is_valid_for_90_days_unless_asked_otherwise_and_never_longer_than_a_year(
    client: Client, world: World
) -> None:
    police_page_client(client, world.petra)
    form = client.get(CREATE_URL).content.decode()
    assert f'value="{DEFAULT_VALID_DAYS}"' in form and f'max="{MAX_VALID_DAYS}"' in form
    too_long = client.post(CREATE_URL, {"name": "BVH", "valid_days": "366"})
    assert too_long.status_code == 200
    assert "hoogstens 365 dagen geldig" in too_long.content.decode()
    for days, message in [("0", "minstens 1 dag"), ("", "hoeveel dagen"), ("tien", "heel aantal dagen")]:
        assert message in client.post(CREATE_URL, {"name": "BVH", "valid_days": days}).content.decode()
    assert "Geef de sleutel een naam" in client.post(CREATE_URL, {"name": "   ", "valid_days": "90"}).content.decode()
    assert not ApiToken.objects.exists()
    with pytest.raises(Exception, match="365"):
        actions.create_api_token(by=world.petra, name="BVH", valid_days=400)


def test_a_volunteer_cannot_make_a_key(client: Client, world: World) -> None:
    client.force_login(world.bob)
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, {"name": "Mijn script", "valid_days": "90"}).status_code == 403
    assert not ApiToken.objects.exists()
    with pytest.raises(Exception, match="politie, de gemeente en beheerders"):
        actions.create_api_token(by=world.bob, name="Mijn script", valid_days=90)


# Using a key


def test_the_key_reads_the_inbox_and_the_document_exactly_as_its_owner_does(
    client: Client, world: World, report: PoliceReport, petra_key: ApiToken
) -> None:
    session = Client()
    session.force_login(world.petra)
    api = Client()
    for url in (
        reverse("api-report-list"),
        reverse("api-report-detail", args=[report.pk]),
        reverse("api-report-schema"),
        reverse("api-my-memberships"),
    ):
        by_key = api.get(url, headers=bearer(petra_key))
        by_session = session.get(url)
        assert by_key.status_code == by_session.status_code == 200, url
        assert by_key.json() == by_session.json(), url
    document = api.get(reverse("api-report-detail", args=[report.pk]), headers=bearer(petra_key)).json()
    assert document["witnesses"][0]["contact"]["name"] == WITNESS_NAME
    # The PDF is still being made: the same answer for both.
    pdf = reverse("api-report-pdf", args=[report.pk])
    assert api.get(pdf, headers=bearer(petra_key)).status_code == session.get(pdf).status_code == 409


def test_a_read_through_a_key_is_logged_under_the_owner_and_names_the_key(
    world: World, report: PoliceReport, petra_key: ApiToken
) -> None:
    response = Client().get(reverse("api-report-detail", args=[report.pk]), headers=bearer(petra_key))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.READ_PERSONAL, object_id=str(report.pk))
    assert event.actor == world.petra
    assert event.data["api_token"] == petra_key.prefix
    assert "API" in event.summary


def test_a_key_of_a_beheerder_sees_what_the_beheerder_sees(world: World, report: PoliceReport) -> None:
    key = actions.create_api_token(by=world.admin, name="Controle", valid_days=1)
    body = Client().get(reverse("api-report-list"), headers=bearer(key)).json()
    assert [row["number"] for row in body["results"]] == [report.number]


def test_a_key_does_not_widen_what_the_owner_sees(world: World, report: PoliceReport) -> None:
    # A police officer of another unit: the key opens nothing the officer could not open.
    other = MembershipFactory.create(police=True).user
    key = actions.create_api_token(by=other, name="Elders", valid_days=10)
    api = Client()
    assert api.get(reverse("api-report-list"), headers=bearer(key)).json()["results"] == []
    assert api.get(reverse("api-report-detail", args=[report.pk]), headers=bearer(key)).status_code == 404


def test_calls_with_a_key_need_no_csrf_token(world: World, report: PoliceReport, petra_key: ApiToken) -> None:
    api = Client(enforce_csrf_checks=True)
    response = api.post(
        reverse("api-report-transition", args=[report.pk]),
        {"status": "received"},
        content_type="application/json",
        headers=bearer(petra_key),
    )
    assert response.status_code == 200 and response.json()["status"] == "received"


def test_a_call_without_a_key_still_gets_the_403_it_always_got(client: Client, world: World) -> None:
    response = client.get(reverse("api-report-list"))
    assert response.status_code == 403 and "WWW-Authenticate" not in response


def _expired(token: ApiToken) -> None:
    past = timezone.now() - timedelta(days=100)
    ApiToken.objects.filter(pk=token.pk).update(created_at=past, expires_at=past + timedelta(days=90))


def _revoked(token: ApiToken) -> None:
    actions.revoke_api_token(token, by=token.owner)


def _lost_membership(token: ApiToken) -> None:
    Membership.objects.filter(user=token.owner, role=Role.POLICE).delete()


def _inactive(token: ApiToken) -> None:
    User.objects.filter(pk=token.owner_id).update(is_active=False)


@pytest.mark.parametrize(
    ("spoil", "reason", "words"),
    [
        (_expired, "expired", "verlopen"),
        (_revoked, "revoked", "ingetrokken"),
        (_lost_membership, "no_role", "werkt niet meer voor de politie of de gemeente"),
        (_inactive, "inactive_owner", "uitgeschakeld"),
    ],
)
def test_a_key_that_no_longer_holds_is_refused_with_a_dutch_401(
    world: World, report: PoliceReport, petra_key: ApiToken, spoil: Any, reason: str, words: str
) -> None:
    spoil(petra_key)
    for url in (reverse("api-report-list"), reverse("api-report-detail", args=[report.pk])):
        response = Client().get(url, headers=bearer(petra_key))
        assert response.status_code == 401, url
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
        body = response.json()
        assert body["status"] == 401 and body["title"] == "Niet ingelogd" and words in body["detail"]
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(petra_key.pk))
    assert failures.count() == 2
    assert {e.data["reason"] for e in failures} == {reason}
    assert {e.data["api_token"] for e in failures} == {petra_key.prefix}
    assert {e.actor_label for e in failures} == {"petra@example.nl"}
    assert not AuditEvent.objects.filter(action=AuditAction.READ_PERSONAL).exists()


@pytest.mark.parametrize(
    ("header", "reason", "words"),
    [
        ("Bearer", "malformed", "niet de juiste vorm"),
        ("Bearer a b", "malformed", "niet de juiste vorm"),
        ("Bearer geen-sleutel", "malformed", "niet de juiste vorm"),
        ("bearer bo_abc_def", "malformed", "niet de juiste vorm"),
        ("Bearer bo_abcd1234_" + "A" * 40, "unknown", "onbekend"),
    ],
)
def test_a_malformed_or_unknown_key_is_refused_with_a_dutch_401(
    world: World, header: str, reason: str, words: str
) -> None:
    response = Client().get(reverse("api-report-list"), headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert words in response.json()["detail"]
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.data["reason"] == reason and event.actor is None and event.actor_label == "onbekende API-sleutel"


def test_a_known_prefix_with_a_wrong_secret_is_unknown(world: World, petra_key: ApiToken) -> None:
    guessed = f"bo_{petra_key.prefix}_" + "x" * 40
    response = Client().get(reverse("api-report-list"), headers=bearer(guessed))
    assert response.status_code == 401 and "onbekend" in response.json()["detail"]
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    # The log names the key someone guessed at, not its owner as the actor.
    assert event.object_id == str(petra_key.pk) and event.actor_label == "onbekende API-sleutel"


def test_last_used_is_written_at_most_once_a_minute(world: World, petra_key: ApiToken) -> None:
    api = Client()
    assert petra_key.last_used_at is None
    assert api.get(reverse("api-my-memberships"), headers=bearer(petra_key)).status_code == 200
    petra_key.refresh_from_db()
    first = petra_key.last_used_at
    assert first is not None and timezone.now() - first < timedelta(minutes=1)
    api.get(reverse("api-my-memberships"), headers=bearer(petra_key))
    petra_key.refresh_from_db()
    assert petra_key.last_used_at == first
    ApiToken.objects.filter(pk=petra_key.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get(reverse("api-my-memberships"), headers=bearer(petra_key))
    petra_key.refresh_from_db()
    assert petra_key.last_used_at is not None and petra_key.last_used_at > first - timedelta(minutes=2)


def test_the_openapi_schema_offers_the_bearer_key(client: Client, world: World) -> None:
    spec = yaml.safe_load(client.get(reverse("api_schema")).content)
    scheme = spec["components"]["securitySchemes"]["apiSleutel"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "API-sleutel" in scheme["description"]
    assert {"apiSleutel": []} in spec["paths"]["/api/v1/reports/"]["get"]["security"]


# The pages: anonymous, outsider, wrong role, happy path


@pytest.mark.parametrize("url", [LIST_URL, CREATE_URL])
def test_anonymous_visitors_are_sent_to_log_in(client: Client, world: World, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_anonymous_visitors_are_sent_to_log_in_from_the_revoke_page(
    client: Client, world: World, petra_key: ApiToken
) -> None:
    for response in (client.get(revoke_url(petra_key)), client.post(revoke_url(petra_key))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert ApiToken.objects.get().revoked_at is None


def test_someone_elses_key_is_404(client: Client, world: World, petra_key: ApiToken) -> None:
    colleague = MembershipFactory.create(police=True, police_unit=world.unit).user
    police_page_client(client, colleague)
    assert client.get(revoke_url(petra_key)).status_code == 404
    assert client.post(revoke_url(petra_key)).status_code == 404
    assert petra_key.prefix not in client.get(LIST_URL).content.decode()
    petra_key.refresh_from_db()
    assert petra_key.revoked_at is None


@pytest.mark.parametrize("name", ["alice", "bob", "charlie"])
def test_the_pages_are_403_for_those_who_are_not_police_gemeente_or_beheerder(
    client: Client, world: World, petra_key: ApiToken, name: str
) -> None:
    user = getattr(world, name)
    police_page_client(client, user)
    assert client.get(LIST_URL).status_code == 403
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(revoke_url(petra_key)).status_code == 403
    assert "API-sleutels" not in client.get(reverse("account_email")).content.decode()


def test_police_without_two_factor_are_sent_to_set_it_up_first(client: Client, world: World) -> None:
    client.force_login(world.petra)
    for response in (client.get(LIST_URL), client.post(CREATE_URL, {"name": "BVH", "valid_days": "90"})):
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not ApiToken.objects.exists()


def test_the_list_shows_each_key_with_its_dates_and_status(client: Client, world: World, petra_key: ApiToken) -> None:
    old = actions.create_api_token(by=world.petra, name="Oude koppeling", valid_days=5)
    _revoked(old)
    police_page_client(client, world.petra)
    page = client.get(LIST_URL).content.decode()
    assert "BVH-koppeling" in page and f"bo_{petra_key.prefix}_" in page and "actief" in page
    assert "Oude koppeling" in page and "ingetrokken" in page and "nooit" in page
    assert revoke_url(petra_key) in page and revoke_url(old) not in page
    assert reverse("api_token_list") in client.get(reverse("account_email")).content.decode()


def test_the_owner_revokes_a_key_after_confirming_and_it_stops_working(
    client: Client, world: World, petra_key: ApiToken
) -> None:
    police_page_client(client, world.petra)
    confirm = client.get(revoke_url(petra_key))
    assert confirm.status_code == 200 and "Weet u zeker" in confirm.content.decode()
    petra_key.refresh_from_db()
    assert petra_key.revoked_at is None  # nothing changes on GET
    response = client.post(revoke_url(petra_key), follow=True)
    assert response.redirect_chain[-1][0] == LIST_URL and "werkt niet meer" in response.content.decode()
    petra_key.refresh_from_db()
    assert petra_key.revoked_at is not None and petra_key.revoked_by == world.petra
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="accounts.ApiToken")
    assert event.actor == world.petra and event.data["api_token"] == petra_key.prefix
    again = client.post(revoke_url(petra_key), follow=True)
    assert "al ingetrokken" in again.content.decode()
    assert Client().get(reverse("api-report-list"), headers=bearer(petra_key)).status_code == 401


@pytest.fixture
def _dutch_afterwards() -> Iterator[None]:
    # The locale middleware leaves the language it activated on the thread; later tests expect Dutch.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.usefixtures("_dutch_afterwards")
def test_the_pages_speak_english_when_asked(client: Client, world: World) -> None:
    police_page_client(client, world.petra)
    client.cookies["django_language"] = "en"
    page = client.get(LIST_URL).content.decode()
    assert "API keys" in page and "Make a new key" in page
    created = client.post(CREATE_URL, {"name": "BVH", "valid_days": "30"}).content.decode()
    assert "Copy" in created and "You will never see it again" in created


def test_a_beheerder_sees_keys_in_the_admin_without_their_secret_and_can_revoke_them(
    client: Client, world: World, petra_key: ApiToken
) -> None:
    client.force_login(world.admin)
    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert petra_key.prefix in listing and petra_key.token_hash not in listing
    page = client.get(reverse("admin:accounts_apitoken_change", args=[petra_key.pk])).content.decode()
    assert petra_key.token_hash not in page and petra_key.token not in page
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [petra_key.pk]},
    )
    petra_key.refresh_from_db()
    assert petra_key.revoked_by == world.admin
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, actor=world.admin, object_id=str(petra_key.pk)).exists()
