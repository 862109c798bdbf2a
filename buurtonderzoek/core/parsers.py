"""The API's JSON parser and paging, set in settings.REST_FRAMEWORK (kept apart from core.api, which
imports DRF's views: those read these settings while loading).

Every body the API cannot take gets a Dutch 400 or 413 problem document (core.api), never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = 413
    default_code = "too_large"

    def __init__(self) -> None:
        megabytes = f"{(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) / 1_000_000:.1f}".replace(".", ",")
        super().__init__(
            _("Het verzoek is groter dan %(mb)s MB. Stuur minder tegelijk, in meer verzoeken.") % {"mb": megabytes}
        )


# JSON that Python reads fine but nothing downstream can hold: integers past 64 bits (databases refuse them),
# infinite floats, and nesting deeper than any document of ours (recursion elsewhere would fail).
MAX_DEPTH = 32
INT_RANGE = range(-(2**63), 2**63)


def _bounded_int(text: str) -> int:
    value = int(text)
    if value not in INT_RANGE:
        raise ValueError(str(_("een getal is te groot (hoogstens 19 cijfers)")))
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(str(_("een getal is te groot")))
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(str(_("%(name)s is geen getal") % {"name": name}))


def _too_deep(data: Any) -> bool:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, with a Dutch 400 or 413 for every body it cannot take."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            raw = stream.read(limit + 1) if limit is not None else stream.read()
        except RequestDataTooBig as exc:
            raise RequestTooLarge() from exc
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        try:
            data = json.loads(
                raw.decode("utf-8"), parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_refuse_constant
            )
        except RecursionError:
            raise ParseError(_("De JSON is te diep genest.")) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("Dit is geen geldige JSON (%(why)s).") % {"why": exc}) from None
        if _too_deep(data):
            raise ParseError(_("De JSON is te diep genest (hoogstens %(depth)s niveaus).") % {"depth": MAX_DEPTH})
        return data


class BoundedLimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=` and `?offset=` past what a database can hold are capped, not a 500."""

    max_limit = 500

    def get_offset(self, request: Any) -> int:
        return min(super().get_offset(request), 2**62)
