"""Dutch first: pages are Dutch unless the visitor chose English with the language switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a police officer whose
browser happens to be set to English would get English pages. Here the page language comes from the
language cookie (set by the switch in the header) and otherwise is LANGUAGE_CODE. The API keeps
Accept-Language negotiation: a client system asks for the language it wants.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

API_PREFIX = "/api/"


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(API_PREFIX):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
