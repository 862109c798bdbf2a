"""Error pages speak Dutch (English on request) and say what to do next."""

from __future__ import annotations

import pytest
from allauth.core.ratelimit import respond_429
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from conftest import World

pytestmark = pytest.mark.django_db


def test_a_missing_page_explains_itself_in_dutch(client: Client) -> None:
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Pagina niet gevonden" in page
    assert 'href="/"' in page


def test_a_missing_page_speaks_english_on_request(client: Client) -> None:
    client.cookies["django_language"] = "en"
    page = client.get("/bestaat-niet/").content.decode()
    assert "Page not found" in page


def test_a_refused_role_sees_a_dutch_page_with_a_way_back(client: Client, world: World) -> None:
    client.force_login(world.bob)
    response = client.get("/politie/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Geen toegang" in page
    assert "Naar mijn startpagina" in page


def test_an_expired_form_says_to_reload_and_send_again(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": world.bob.email, "password": "x"})
    assert response.status_code == 403
    assert "Het formulier is verlopen" in response.content.decode()


def test_too_many_attempts_asks_to_wait_in_dutch() -> None:
    request = RequestFactory().get("/accounts/login/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = respond_429(request)
    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()


def test_the_server_error_page_needs_no_request() -> None:
    # Django renders 500.html without a request or context processors.
    page = render_to_string("500.html")
    assert "Er ging iets mis" in page
    assert "Something went wrong" in page


def test_the_reason_for_a_refusal_follows_the_language(client: Client, world: World) -> None:
    client.force_login(world.bob)
    assert "Deze pagina is niet voor uw rol." in client.get("/politie/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/politie/").content.decode()
    assert "This page is not for your role." in page
    assert "No access" in page
