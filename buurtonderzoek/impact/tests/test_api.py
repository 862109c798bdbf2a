"""The private API: the same rules as the pages and actions (agreement, frozen pre-registration)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buurtonderzoek.impact.models import Action, ExpectedEffect
from buurtonderzoek.impact.tests.conftest import ImpactWorld, agree_all, propose

pytestmark = pytest.mark.django_db
CHECK = {
    "worth": "Grip",
    "shows_how": "Monitor",
    "value_score": 4,
    "quality_score": 4,
    "binding_score": 3,
    "agrees": True,
}


def test_anonymous_callers_are_refused(client: Client, iw: ImpactWorld) -> None:
    action = propose(iw)
    assert client.get("/api/v1/impact/actions/").status_code in (401, 403)
    assert client.get(f"/api/v1/impact/actions/{action.pk}/").status_code in (401, 403)


def test_outsiders_see_nothing_and_get_404(client: Client, iw: ImpactWorld) -> None:
    action = propose(iw)
    client.force_login(iw.world.charlie)
    assert client.get("/api/v1/impact/actions/").json()["results"] == []
    assert client.get(f"/api/v1/impact/actions/{action.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/impact/actions/{action.pk}/check/", CHECK, content_type="application/json").status_code
        == 404
    )


def test_volunteers_cannot_write(client: Client, iw: ImpactWorld) -> None:
    action = propose(iw)
    client.force_login(iw.world.bob)
    assert (
        client.post(f"/api/v1/impact/actions/{action.pk}/check/", CHECK, content_type="application/json").status_code
        == 404
    )
    payload = {
        "table": iw.table.pk,
        "title": "x",
        "buurten": [iw.buurten[0].code],
        "problem": "p",
        "plan": "p",
        "starts_on": "2026-01-01",
        "ends_on": "2026-02-01",
    }
    assert client.post("/api/v1/impact/actions/", payload, content_type="application/json").status_code == 404


def test_a_partner_proposes_checks_and_agreement_needs_all_three(client: Client, iw: ImpactWorld) -> None:
    today = timezone.localdate()
    client.force_login(iw.world.gert)
    response = client.post(
        "/api/v1/impact/actions/",
        {
            "table": iw.table.pk,
            "title": "Verlichting Parkstraat",
            "action_type": "fysiek",
            "buurten": [iw.buurten[0].code],
            "problem": "Donkere straat",
            "plan": "Extra lantaarnpalen",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=90)).isoformat(),
            "expected_effects": [{"kind": "indicator", "key": "unsafe_buurt", "direction": "down", "size": 5}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "idee" and response.json()["buurten"] == [iw.buurten[0].code]
    client.post(f"/api/v1/impact/actions/{pk}/check/", CHECK, content_type="application/json")
    client.post(f"/api/v1/impact/actions/{pk}/transition/", {"status": "in_overleg"}, content_type="application/json")
    refused = client.post(
        f"/api/v1/impact/actions/{pk}/transition/", {"status": "afgesproken"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "politie, buurtpreventie" in refused.json()["detail"]
    assert refused["Content-Type"].startswith("application/problem+json")
    for user in (iw.world.petra, iw.world.alice):
        client.force_login(user)
        assert (
            client.post(f"/api/v1/impact/actions/{pk}/check/", CHECK, content_type="application/json").status_code
            == 201
        )
    agreed = client.post(
        f"/api/v1/impact/actions/{pk}/transition/", {"status": "afgesproken"}, content_type="application/json"
    )
    assert agreed.status_code == 200 and agreed.json()["status"] == "afgesproken"


def test_the_pre_registration_cannot_be_changed_through_the_api_after_agreement(
    client: Client, iw: ImpactWorld
) -> None:
    action = propose(iw)
    client.force_login(iw.world.petra)
    changed = client.patch(
        f"/api/v1/impact/actions/{action.pk}/",
        {"expected_effects": [{"kind": "indicator", "key": "unsafe_buurt", "direction": "down", "size": 9}]},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["expected_effects"][0]["size"] == 9
    agree_all(iw, action)
    refused = client.patch(
        f"/api/v1/impact/actions/{action.pk}/",
        {"expected_effects": [{"kind": "indicator", "key": "cohesion", "direction": "up", "size": 2}]},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "liggen vast" in refused.json()["detail"]
    assert list(ExpectedEffect.objects.filter(action=action).values_list("key", "size")) == [("unsafe_buurt", 9.0)]
    assert client.delete(f"/api/v1/impact/actions/{action.pk}/").status_code == 405
    assert Action.objects.filter(pk=action.pk).exists()


def test_the_effect_endpoint_says_what_can_be_measured(client: Client, iw: ImpactWorld) -> None:
    action = propose(iw)
    client.force_login(iw.world.alice)
    data = client.get(f"/api/v1/impact/actions/{action.pk}/effect/").json()
    assert data["baseline"] is None and data["follow_up"] is None and data["indicators"] == []
    assert [p["key"] for p in data["process"]] == ["canvasses", "doors_visited", "reports_used", "hours_saved"]


def test_the_openapi_schema_documents_the_impact_endpoints(client: Client, iw: ImpactWorld) -> None:
    client.force_login(iw.world.gert)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/impact/actions/{id}/effect/" in schema["paths"]
