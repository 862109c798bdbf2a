"""Pages of the field app ("Mijn routes", "Mijn route") and its service worker.

The pages are thin shells: the route, its stops and the questionnaire come from the field API as
JSON and are kept in IndexedDB, so the service worker can hand out a cached shell when the phone
has no network (or the session expired) and the page still renders from what the phone stored.
The service worker itself is served at /sw.js by `service_worker`, so its scope is the whole site;
its list of files to keep offline and its version are written into it here, so a new release
replaces the cached files. In production the version is a hash of the hashed names in the static
manifest (collectstatic's staticfiles.json, which names each file by its content): every web process
reads the same manifest and so serves the same version, and a phone never flips between two caches.
Without a manifest (development, tests) the files' contents are hashed instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from buurtonderzoek.accounts.models import Role
from buurtonderzoek.canvass.api import get_walkable_route, my_routes
from buurtonderzoek.canvass.coverage import door_states
from buurtonderzoek.canvass.models import DoorVisit, Route
from buurtonderzoek.core.decorators import role_required
from buurtonderzoek.core.types import AuthedHttpRequest

# Everything the field pages load, kept by the service worker for offline use. Leaflet's images are
# left out: the route map draws circles and has no layer switcher.
OFFLINE_FILES = [
    "css/app.css",
    "js/field/field.css",
    "js/field/i18n.js",
    "js/field/store.js",
    "js/field/outbox.js",
    "js/field/map.js",
    "js/field/common.js",
    "js/field/route.js",
    "js/field/routes.js",
    "js/questionnaire/engine.js",
    "js/questionnaire/profiling-rules.json",
    "js/questionnaire/render.js",
    "js/questionnaire/questionnaire.css",
    "vendor/leaflet@1.9.4/dist/leaflet.js",
    "vendor/leaflet@1.9.4/dist/leaflet.css",
    "manifest/manifest.webmanifest",
    "manifest/icon-192.png",
]
# ES modules import each other by relative path, so the page asks for imported modules by their
# plain names (ManifestStaticFilesStorage does not rewrite imports); only the pages' entry scripts
# are asked for by the hashed names the templates write.
MODULE_DIRS = ("js/field/", "js/questionnaire/")
ENTRY_POINTS = ("js/field/route.js", "js/field/routes.js")
SW_SOURCE = "js/field/sw.js"


@role_required(Role.VOLUNTEER, Role.COORDINATOR)
@ensure_csrf_cookie
@require_GET
def field_routes(request: AuthedHttpRequest) -> HttpResponse:
    """Mijn routes: the routes this volunteer walks, with progress; each is made available offline."""
    routes = my_routes(request.user)
    return render(
        request,
        "canvass/field/routes.html",
        {"routes": _with_progress(routes), "csrf_cookie_name": settings.CSRF_COOKIE_NAME},
    )


def _with_progress(routes: list[Route]) -> list[tuple[Route, int]]:
    """(route, doors visited) for each route, in one query."""
    rows = (
        DoorVisit.objects.filter(stop__route__in=routes)
        .order_by("visited_at", "id")
        .values_list("stop__route_id", "address_id", "outcome")
    )
    per_route: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for route_id, address_id, outcome in rows:
        per_route[route_id].append((address_id, outcome))
    return [(r, len(door_states(per_route.get(r.pk, [])))) for r in routes]


@login_required
@ensure_csrf_cookie
@require_GET
def field_route(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Mijn route: the shell of the offline route page (its data comes from the field API)."""
    route = get_walkable_route(request.user, pk)
    return render(
        request,
        "canvass/field/route.html",
        {"route": route, "csrf_cookie_name": settings.CSRF_COOKIE_NAME},
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_service_worker_source(), content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on every navigation; never let a cache answer for it.
    response["Cache-Control"] = "no-cache, max-age=0"
    response["Service-Worker-Allowed"] = "/"
    return response


def _urls() -> list[str]:
    urls: list[str] = []
    for name in OFFLINE_FILES:
        # engine.js also fetches profiling-rules.json by its plain name, relative to itself.
        imported = name.endswith((".js", ".json")) and name.startswith(MODULE_DIRS) and name not in ENTRY_POINTS
        urls.append(quote(settings.STATIC_URL + name) if imported else static(name))
    return urls


def _tile_host_pattern() -> str:
    """A regular expression for the tile server's host ({s} stands for a subdomain letter)."""
    host = urlsplit(settings.MAP_TILE_URL.replace("{s}", "SUBDOMAIN")).hostname or ""
    return "^" + re.escape(host).replace("SUBDOMAIN", "[a-z0-9-]+") + "$"


@cache
def _cached_source() -> str:
    return _build_source()


def _service_worker_source() -> str:
    return _build_source() if settings.DEBUG else _cached_source()


def _version_and_source() -> tuple[str, str]:
    digest = hashlib.sha256()
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        # stored_name() raises for a file missing from the manifest: better no worker than a wrong one.
        for name in (SW_SOURCE, *OFFLINE_FILES):
            digest.update(f"{name}={staticfiles_storage.stored_name(name)}\n".encode())
        with staticfiles_storage.open(SW_SOURCE) as collected:
            source = collected.read().decode("utf-8")
        return digest.hexdigest()[:16], source
    source_path = finders.find(SW_SOURCE)
    assert isinstance(source_path, str), SW_SOURCE
    source = Path(source_path).read_text(encoding="utf-8")
    digest.update(source.encode())
    for name in OFFLINE_FILES:
        found = finders.find(name)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:16], source


def _build_source() -> str:
    version, source = _version_and_source()
    urls = _urls()
    config = {
        "version": version,
        "precache": urls,
        # Hashed names never change content: the worker may take them from the HTTP cache.
        "immutable": [u for u in urls if unquote(u) not in {settings.STATIC_URL + name for name in OFFLINE_FILES}],
        "fieldPrefix": reverse("field_routes"),
        "tileHost": _tile_host_pattern(),
    }
    return f"const CONFIG = {json.dumps(config, indent=1)};\n{source}"
