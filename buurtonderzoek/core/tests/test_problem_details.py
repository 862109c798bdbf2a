"""API errors are RFC 9457 problem documents with a Dutch title."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.test import APIRequestFactory

from buurtonderzoek.core.api import problem_details_handler


def handle(exc: Exception, renderer=None):
    request = APIRequestFactory().get("/api/x/")
    if renderer is not None:
        request.accepted_renderer = renderer
    return problem_details_handler(exc, {"request": request, "view": None})


def test_a_validation_error_lists_the_fields() -> None:
    response = handle(exceptions.ValidationError({"email": ["Voer een geldig e-mailadres in."]}))
    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "type": "about:blank",
        "status": 400,
        "title": "Ongeldige invoer",
        "detail": "Controleer de gemarkeerde velden en probeer het opnieuw.",
        "errors": {"email": ["Voer een geldig e-mailadres in."]},
    }
    assert response.content_type == "application/problem+json"


def test_a_non_field_validation_error_keeps_its_list() -> None:
    response = handle(exceptions.ValidationError(["Dit kan nu niet."]))
    assert response is not None
    assert response.data["errors"] == ["Dit kan nu niet."]


def test_djangos_404_and_permission_denied_keep_their_message() -> None:
    not_found = handle(Http404("Team niet gevonden."))
    denied = handle(PermissionDenied("Alleen de coördinator mag dit."))
    assert not_found is not None and denied is not None
    assert (not_found.status_code, not_found.data["title"], not_found.data["detail"]) == (
        404,
        "Niet gevonden",
        "Team niet gevonden.",
    )
    assert (denied.status_code, denied.data["title"], denied.data["detail"]) == (
        403,
        "Geen toegang",
        "Alleen de coördinator mag dit.",
    )


def test_throttling_gets_a_title_too() -> None:
    response = handle(exceptions.Throttled(wait=30))
    assert response is not None
    assert response.data["title"] == "Te veel verzoeken"
    assert response["Retry-After"] == "30"


def test_an_unknown_status_falls_back_to_the_http_phrase() -> None:
    class Teapot(exceptions.APIException):
        status_code = 418
        default_detail = "Ik ben een theepot."

    response = handle(Teapot())
    assert response is not None
    assert response.data["title"] == "I'm a Teapot"


def test_the_title_follows_the_active_language() -> None:
    with translation.override("en"):
        response = handle(exceptions.NotFound())
    assert response is not None
    assert response.data["title"] == "Not found"


def test_the_browsable_api_keeps_its_html_content_type() -> None:
    assert handle(exceptions.NotFound(), BrowsableAPIRenderer()).content_type is None
    assert handle(exceptions.NotFound(), JSONRenderer()).content_type == "application/problem+json"


def test_other_exceptions_are_left_to_django() -> None:
    assert handle(ValueError("boom")) is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 406, 409, 415, 429])
def test_every_common_status_has_a_dutch_title(status: int) -> None:
    from buurtonderzoek.core.api import TITLES

    assert str(TITLES[status])
