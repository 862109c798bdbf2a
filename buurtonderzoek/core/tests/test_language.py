"""Pages are Dutch unless the visitor switches to English; the API follows Accept-Language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_dutch_even_for_an_english_browser(client: Client) -> None:
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="nl"' in page
    assert "<h1>Inloggen</h1>" in page


def test_the_language_switch_makes_pages_english(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("account_login")).content.decode()
    assert 'lang="en"' in page
    assert "<h1>Log in</h1>" in page


def test_switching_back_makes_pages_dutch_again(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert 'lang="nl"' in client.get(reverse("account_login")).content.decode()


def test_an_unknown_language_cookie_falls_back_to_dutch(client: Client) -> None:
    client.cookies["django_language"] = "fr"
    assert 'lang="nl"' in client.get(reverse("account_login")).content.decode()


def test_the_api_follows_accept_language(client: Client) -> None:
    english = client.get("/api/v1/teams/", HTTP_ACCEPT_LANGUAGE="en").json()
    dutch = client.get("/api/v1/teams/").json()
    assert english["title"] == "No access"
    assert dutch["title"] == "Geen toegang"


def test_the_api_follows_the_language_asked_for_before_the_cookie(client: Client) -> None:
    # The field app asks for its page's language; an English page left an "en" cookie behind in another tab.
    client.cookies["django_language"] = "en"
    assert client.get("/api/v1/teams/", HTTP_ACCEPT_LANGUAGE="nl").json()["title"] == "Geen toegang"
    client.cookies["django_language"] = "nl"
    assert client.get("/api/v1/teams/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").json()["title"] == "No access"
    # No language we speak in the header: the cookie decides, as for pages.
    client.cookies["django_language"] = "en"
    assert client.get("/api/v1/teams/", HTTP_ACCEPT_LANGUAGE="fr-FR,*;q=0.5").json()["title"] == "No access"


def test_caches_hear_what_the_language_came_from(client: Client) -> None:
    # A page changes with the language cookie, never with Accept-Language; the API with both.
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en")
    vary = {v.strip() for v in page["Vary"].split(",")}
    assert "Cookie" in vary and "Accept-Language" not in vary
    api = client.get("/api/v1/teams/", HTTP_ACCEPT_LANGUAGE="en")
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in api["Vary"].split(",")}
