"""The organisations API: the four standard tests per endpoint, problem details, and the schema."""

from __future__ import annotations

import pytest
from django.test import Client

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.core.models import AuditAction, AuditEvent
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client, world: World):
    """A client logged in as a persona; police and gemeente have 2FA so the API is open to them."""

    def as_user(name: str) -> Client:
        user = getattr(world, name)
        if name in {"petra", "gert"}:
            give_totp(user)
        client.force_login(user)
        return client

    return as_user


def endpoints(world: World) -> dict[str, str]:
    return {
        "teams": "/api/v1/teams/",
        "team": f"/api/v1/teams/{world.team.pk}/",
        "members": f"/api/v1/teams/{world.team.pk}/members/",
        "units": "/api/v1/police-units/",
        "unit": f"/api/v1/police-units/{world.unit.pk}/",
        "memberships": "/api/v1/me/memberships/",
    }


@pytest.mark.parametrize("name", ["teams", "team", "members", "units", "unit", "memberships"])
def test_anonymous_callers_get_a_403_problem(client: Client, world: World, name: str) -> None:
    response = client.get(endpoints(world)[name])
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "status": 403,
        "title": "Geen toegang",
        "detail": "Authenticatiegegevens zijn niet opgegeven.",
    }


def test_lists_are_empty_for_an_outsider(api, world: World) -> None:
    client = api("charlie")
    teams = client.get("/api/v1/teams/").json()
    assert [t["name"] for t in teams["results"]] == ["Buurtpreventie Elders"]
    assert client.get("/api/v1/police-units/").json()["results"] == []


@pytest.mark.parametrize("name", ["team", "members", "unit"])
def test_details_are_404_for_an_outsider(api, world: World, name: str) -> None:
    response = api("charlie").get(endpoints(world)[name])
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Niet gevonden"


@pytest.mark.parametrize("name", ["bob", "petra", "gert"])
def test_the_member_list_is_403_for_those_who_do_not_manage_the_team(api, world: World, name: str) -> None:
    response = api(name).get(endpoints(world)["members"])
    assert response.status_code == 403
    assert response.json()["detail"] == "Alleen de coördinator van dit team mag dit wijzigen."
    assert not AuditEvent.objects.filter(action=AuditAction.READ_PERSONAL).exists()


@pytest.mark.parametrize("name", ["alice", "bob", "petra", "gert"])
def test_everyone_involved_sees_the_team_and_the_unit(api, world: World, name: str) -> None:
    client = api(name)
    teams = client.get("/api/v1/teams/").json()
    assert teams["count"] == 1
    assert teams["results"][0] == {
        "id": world.team.pk,
        "name": "Buurtpreventie Noord",
        "gemeente": "GM9999",
        "buurten": [world.team.buurten.get().code],
    }
    assert client.get(endpoints(world)["team"]).json()["name"] == "Buurtpreventie Noord"
    unit = client.get(endpoints(world)["unit"]).json()
    assert unit == {"id": world.unit.pk, "name": "Basisteam Demodorp", "gemeenten": ["GM9999"]}


def test_the_coordinator_gets_the_member_list_and_the_read_is_audited(api, world: World) -> None:
    members = api("alice").get(endpoints(world)["members"]).json()
    assert [(m["email"], m["role"]) for m in members] == [
        ("alice@example.nl", "coordinator"),
        ("bob@example.nl", "volunteer"),
    ]
    assert set(members[0]) == {"id", "user_id", "name", "email", "role", "since"}
    event = AuditEvent.objects.get(action=AuditAction.READ_PERSONAL)
    assert (event.actor, event.object_id) == (world.alice, str(world.team.pk))


def test_the_admin_sees_everything(api, world: World) -> None:
    client = api("admin")
    assert client.get("/api/v1/teams/").json()["count"] == 2
    assert client.get(f"/api/v1/teams/{world.other_team.pk}/members/").status_code == 200


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("alice", [("coordinator", "Buurtpreventie Noord")]),
        ("petra", [("police", "Basisteam Demodorp")]),
        ("gert", [("municipal", "Demodorp")]),
        ("admin", []),
    ],
)
def test_my_memberships_lists_only_my_own(api, world: World, name: str, expected) -> None:
    body = api(name).get("/api/v1/me/memberships/").json()
    assert [(m["role"], m["organisation"]) for m in body] == expected


def test_a_non_numeric_id_is_404_not_a_crash(api, world: World) -> None:
    assert api("admin").get("/api/v1/teams/abc/members/").status_code == 404


def test_writes_are_not_allowed(api, world: World) -> None:
    response = api("alice").post("/api/v1/teams/", {"name": "X"})
    assert response.status_code == 405
    assert response.json()["title"] == "Methode niet toegestaan"


def test_the_api_speaks_english_on_request(api, world: World) -> None:
    response = api("charlie").get(endpoints(world)["team"], HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["title"] == "Not found"


def test_the_openapi_schema_is_valid(client: Client) -> None:
    import yaml
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    paths = schema["paths"]
    for path in ("/api/v1/teams/", "/api/v1/teams/{id}/", "/api/v1/teams/{id}/members/", "/api/v1/me/memberships/"):
        assert path in paths
    problem = paths["/api/v1/teams/{id}/"]["get"]["responses"]["404"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"] == "#/components/schemas/Problem"


def test_our_endpoints_document_without_warnings() -> None:
    # Only this app's routes: warnings elsewhere in the API belong to those apps' tests.
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include("buurtonderzoek.accounts.api_urls"))])
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    assert len(schema["paths"]) == 6


def test_the_docs_page_loads_from_our_own_static_files(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page
    assert "cdn." not in page
    assert "/api/schema/" in page
    assert '<html lang="nl">' in page  # WCAG 3.1.1: the page says its language (the package template does not)
