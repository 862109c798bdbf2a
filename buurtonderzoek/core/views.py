"""Site-wide small views."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and feed readers ask every site for /favicon.ico; pages name the icon themselves too."""
    return HttpResponsePermanentRedirect(static("manifest/favicon.ico"))


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For the TLS proxy and the container runtime: 200 when this process reaches the database and the
    shared cache, else 503 naming what failed (no details: the answer is public)."""
    failed = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("healthz: database")
        failed.append("database")
    try:
        cache.set("healthz", "ok", 10)
        if cache.get("healthz") != "ok":
            failed.append("cache")
    except Exception:  # the Redis client raises its own errors, not Django's
        logger.exception("healthz: cache")
        failed.append("cache")
    body = "ok\n" if not failed else f"niet gezond: {', '.join(failed)}\n"
    return HttpResponse(body, status=503 if failed else 200, content_type="text/plain; charset=utf-8")
