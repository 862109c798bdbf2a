"""Pages of the field app, the service worker and the manifest: access, content, query counts."""

from __future__ import annotations

import gzip
import json
import posixpath
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from uuid import uuid4

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.canvass import field_views
from buurtonderzoek.canvass.actions import record_visit
from buurtonderzoek.canvass.sync import conflicts_for
from buurtonderzoek.canvass.tests.test_field_support import Field, make_field
from buurtonderzoek.incidents.models import Incident
from conftest import World


@pytest.fixture
def field(world: World, incident: Incident) -> Field:
    return make_field(world, incident)


def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# Mijn routes ----------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client, field: Field) -> None:
    for url in (reverse("field_routes"), reverse("field_route", args=[field.route.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_lists_the_routes_i_walk_with_their_progress(
    client: Client, field: Field, django_assert_max_num_queries: Any
) -> None:
    stop = field.stops[0]
    record_visit(
        field.canvass,
        by=field.world.bob,
        client_uuid=uuid4(),
        address_id=stop.address_id,
        outcome="niet_thuis",
        visited_at=timezone.now() - timedelta(minutes=3),
    )
    logged_in(client, field.world.bob)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("field_routes"))
    page = response.content.decode()
    assert response.status_code == 200
    assert field.route.name in page
    assert field.other_route.name not in page
    assert f"1 van {field.route.door_count} deuren bezocht" in page
    assert reverse("api-field-route", args=[field.route.pk]) in page
    assert "csrftoken" in response.cookies


def test_an_outsider_sees_no_routes(client: Client, field: Field) -> None:
    page = logged_in(client, field.world.charlie).get(reverse("field_routes")).content.decode()
    assert field.route.name not in page
    assert "U heeft nu geen looproute" in page


def test_the_route_list_is_not_for_the_police(client: Client, field: Field) -> None:
    give_totp(field.world.petra)
    assert logged_in(client, field.world.petra).get(reverse("field_routes")).status_code == 403


# Mijn route -----------------------------------------------------------------------------------


def test_the_route_page_is_a_shell_that_reads_its_data_from_the_api(client: Client, field: Field) -> None:
    response = logged_in(client, field.world.bob).get(reverse("field_route", args=[field.route.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-api="{reverse("api-field-route", args=[field.route.pk])}"' in page
    assert f'data-sync="{reverse("api-field-sync")}"' in page
    assert 'data-csrf-cookie="csrftoken"' in page
    assert "Nu versturen" in page
    assert "Log opnieuw in om te versturen" in page
    assert 'rel="manifest"' in page
    assert "csrftoken" in response.cookies


def test_an_outsider_gets_404_for_the_route_page(client: Client, field: Field) -> None:
    url = reverse("field_route", args=[field.route.pk])
    assert logged_in(client, field.world.charlie).get(url).status_code == 404


def test_a_volunteer_of_another_route_gets_404(client: Client, field: Field) -> None:
    url = reverse("field_route", args=[field.route.pk])
    assert logged_in(client, field.vera).get(url).status_code == 404


def test_the_police_get_403_for_the_route_page(client: Client, field: Field) -> None:
    give_totp(field.world.petra)
    url = reverse("field_route", args=[field.route.pk])
    assert logged_in(client, field.world.petra).get(url).status_code == 403


def test_the_coordinator_may_open_any_route_of_the_team(client: Client, field: Field) -> None:
    url = reverse("field_route", args=[field.other_route.pk])
    assert logged_in(client, field.world.alice).get(url).status_code == 200


# Service worker and manifest ------------------------------------------------------------------


def test_the_service_worker_is_served_from_the_root_and_never_cached(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["fieldPrefix"] == reverse("field_routes")
    assert "/static/js/questionnaire/render.js" in config["precache"]
    assert "/static/vendor/leaflet%401.9.4/dist/leaflet.js" in config["precache"]
    assert len(config["version"]) == 16
    assert 'addEventListener("fetch"' in body


def test_every_file_the_service_worker_keeps_exists(client: Client) -> None:
    # A renamed asset would make the worker's install fail, and the app would never work offline.
    missing = [name for name in field_views.OFFLINE_FILES if not finders.find(name)]
    assert missing == []
    body = client.get("/sw.js").content.decode()
    for url in json.loads(body.split("const CONFIG = ", 1)[1].split(";\n")[0])["precache"]:
        assert finders.find(unquote(url.removeprefix(settings.STATIC_URL))), url


def test_the_service_worker_version_follows_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    before = field_views._build_source()
    monkeypatch.setattr(field_views, "OFFLINE_FILES", field_views.OFFLINE_FILES[:-1])
    assert field_views._build_source().split("\n")[1] != before.split("\n")[1]


def test_the_manifest_makes_the_app_installable() -> None:
    path = finders.find("manifest/manifest.webmanifest")
    assert isinstance(path, str)
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    assert manifest["start_url"] == reverse("field_routes")
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "nl"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(f"manifest/{icon['src']}"), icon["src"]


def test_the_route_page_first_load_stays_within_200_kb_compressed(client: Client, field: Field) -> None:
    """Page, its CSS and scripts (following ES module imports), manifest, icon and the route JSON."""
    logged_in(client, field.world.bob)
    page = client.get(reverse("field_route", args=[field.route.pk])).content
    data = client.get(reverse("api-field-route", args=[field.route.pk])).content
    pending = [unquote(u) for u in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.decode())]
    seen: set[str] = set()
    total = len(gzip.compress(page)) + len(gzip.compress(data))
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        found = finders.find(url.removeprefix(settings.STATIC_URL))
        assert isinstance(found, str), url
        body = Path(found).read_bytes()
        total += len(gzip.compress(body))
        if url.endswith(".js"):
            for target in re.findall(r'^import .* from "(\.{1,2}/[^"]+)";?$', body.decode(), flags=re.MULTILINE):
                pending.append(posixpath.normpath(posixpath.join(posixpath.dirname(url), target)))
    assert "/static/js/questionnaire/engine.js" in seen  # imported by render.js, not named in the page
    assert total <= 200 * 1024, f"{total / 1024:.0f} KB"


# Conflicts for the coordinator ----------------------------------------------------------------


def test_the_conflicts_include_lists_doors_recorded_by_two_volunteers(field: Field) -> None:
    stop = field.stops[2]
    for user, outcome in ((field.world.bob, "niet_thuis"), (field.world.alice, "briefje")):
        record_visit(
            field.canvass,
            by=user,
            client_uuid=uuid4(),
            address_id=stop.address_id,
            outcome=outcome,
            visited_at=timezone.now() - timedelta(minutes=10),
        )
    html = render_to_string(
        "canvass/field/_conflicts.html", {"conflicts": conflicts_for(field.canvass), "incident": field.incident}
    )
    assert "Dubbel vastgelegde deuren" in html
    assert f'data-address="{stop.address_id}"' in html
    assert "briefje achtergelaten" in html
    assert escape(str(field.world.alice)) in html and escape(str(field.world.bob)) in html


def test_the_conflicts_include_says_when_there_are_none(field: Field) -> None:
    html = render_to_string(
        "canvass/field/_conflicts.html", {"conflicts": conflicts_for(field.canvass), "incident": field.incident}
    )
    assert "Geen deuren die door twee lopers zijn vastgelegd." in html
