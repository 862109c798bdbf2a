"""Site-wide small views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and feed readers ask every site for /favicon.ico; pages name the icon themselves too."""
    return HttpResponsePermanentRedirect(static("manifest/favicon.ico"))
