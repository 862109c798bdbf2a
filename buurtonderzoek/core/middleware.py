"""Dutch first: pages are Dutch unless the visitor chose English with the language switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a police officer whose
browser happens to be set to English would get English pages. Here the page language comes from the
language cookie (set by the switch in the header) and otherwise is LANGUAGE_CODE.

The API answers in the language the request asks for in Accept-Language, before the cookie: a client
system asks for the language it wants, and the field app asks for its page's language (a Dutch page in
an English browser must get Dutch errors; the browser's own header would say English). Without a
supported language in the header the cookie, then Dutch, decide, as for pages.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import language_code_re, parse_accept_lang_header

API_PREFIX = "/api/"


def asked_language(header: str) -> str | None:
    """The first supported language in an Accept-Language header ("en-GB,en;q=0.9" -> "en"), or None."""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        if not language_code_re.search(code):
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def _cookie_language(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(API_PREFIX):
            language = asked_language(request.META.get("HTTP_ACCEPT_LANGUAGE", "")) or _cookie_language(request)
        else:
            language = _cookie_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        # Tell caches what the language came from: the header (and the cookie) for the API, only the
        # cookie for pages (a page does not change with the browser's Accept-Language).
        vary = ("Accept-Language", "Cookie") if request.path.startswith(API_PREFIX) else ("Cookie",)
        patch_vary_headers(response, vary)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
