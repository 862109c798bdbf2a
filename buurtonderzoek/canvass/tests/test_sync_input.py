"""Bodies the sync endpoint cannot take get a Dutch problem document (400 or 413), never a 500 or HTML."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.canvass.tests.test_field_support import Field, make_field
from buurtonderzoek.incidents.models import Incident
from conftest import World

SYNC = reverse("api-field-sync")


@pytest.fixture
def field(world: World, incident: Incident) -> Field:
    return make_field(world, incident)


def post_raw(field: Field, body: str | bytes) -> Any:
    client = APIClient()
    client.force_login(field.world.bob)
    return client.post(SYNC, body, content_type="application/json")


def assert_dutch_problem(response: Any, status: int, words: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert words in response.json()["detail"]


def test_malformed_json_gets_a_dutch_problem(field: Field) -> None:
    assert_dutch_problem(post_raw(field, '{"visits": [}'), 400, "geen geldige JSON")


def test_an_integer_beyond_64_bits_gets_a_dutch_problem(field: Field) -> None:
    visit = field.visit()
    body = json.dumps({"visits": [visit]}).replace(f'"canvass": {visit["canvass"]}', '"canvass": ' + "9" * 40)
    assert_dutch_problem(post_raw(field, body), 400, "te groot")
    assert_dutch_problem(post_raw(field, '{"visits": [], "x": 1e999}'), 400, "te groot")
    assert not DoorVisit.objects.exists()


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deep_nesting_gets_a_dutch_problem(field: Field, depth: int) -> None:
    body = '{"visits": [' + "[" * depth + "]" * depth + "]}"
    assert_dutch_problem(post_raw(field, body), 400, "te diep genest")


def test_a_body_over_the_limit_gets_a_413_problem_the_phone_can_act_on(field: Field, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    visit = field.visit(answers={"note": "x" * 3_000_000})
    response = post_raw(field, json.dumps({"visits": [visit]}))
    assert_dutch_problem(response, 413, "Stuur minder tegelijk")
    assert response.json()["title"] == "Verzoek te groot"


def test_drfs_own_messages_are_dutch(field: Field) -> None:
    client = APIClient()
    client.force_login(field.world.bob)
    response = client.post(SYNC, {"visits": [field.visit(client_uuid="geen-uuid")]}, format="json")
    [result] = response.json()["results"]
    assert result["problem"]["errors"]["client_uuid"] == [
        "Dit moet een geldige UUID zijn (zoals 123e4567-e89b-12d3-a456-426614174000)."
    ]
