"""Shared API pieces: errors as RFC 9457 problem details, in the caller's language (Dutch first).

Every error the API returns has the same shape::

    {"type": "about:blank", "status": 404, "title": "Niet gevonden", "detail": "..."}

and validation errors add ``errors``: the field-by-field messages DRF produced.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from buurtonderzoek.core.parsers import RequestTooLarge

PROBLEM_CONTENT_TYPE = "application/problem+json"

# With type "about:blank" the title is the meaning of the status code (RFC 9457, 4.2.1); the detail
# says what happened this time.
TITLES = {
    400: _("Ongeldige invoer"),
    401: _("Niet ingelogd"),
    403: _("Geen toegang"),
    404: _("Niet gevonden"),
    405: _("Methode niet toegestaan"),
    406: _("Formaat niet beschikbaar"),
    409: _("Conflict"),
    413: _("Verzoek te groot"),
    415: _("Formaat niet ondersteund"),
    429: _("Te veel verzoeken"),
}

INVALID_INPUT = _("Controleer de gemarkeerde velden en probeer het opnieuw.")


def problem_details_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    problem: dict[str, Any] = {
        "type": "about:blank",
        "status": response.status_code,
        "title": str(TITLES.get(response.status_code, response.status_text)),
    }
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        problem["detail"] = str(detail["detail"])
    else:
        problem["detail"] = str(INVALID_INPUT)
        problem["errors"] = detail
    response.data = problem
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    # The browsable API renders HTML; only JSON answers are labelled as problem documents.
    if renderer is None or getattr(renderer, "format", "") == "json":
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


# For drf-spectacular: the shape of every error answer, to reference in `extend_schema(responses=...)`.
ProblemSerializer = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(),
        "status": serializers.IntegerField(),
        "title": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.JSONField(required=False),
    },
)
