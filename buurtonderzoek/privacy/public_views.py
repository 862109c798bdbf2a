"""The public privacy statement: the current version, and every older version at its own URL."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from buurtonderzoek.privacy.models import PrivacyStatement
from buurtonderzoek.privacy.statement import current_statement, statement_by_version


def _render(request: HttpRequest, shown: PrivacyStatement, current: PrivacyStatement) -> HttpResponse:
    versions = PrivacyStatement.objects.all()
    return render(
        request,
        "privacy/statement.html",
        {
            "statement": shown,
            "current": current,
            "is_current": shown.pk == current.pk,
            "text_template": f"privacy/statement/r{shown.revision}.html",
            "v": shown.values,
            "versions": versions,
        },
    )


@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    current = current_statement()
    return _render(request, current, current)


@require_GET
def statement_version(request: HttpRequest, version: str) -> HttpResponse:
    shown = statement_by_version(version)
    if shown is None:
        raise Http404
    return _render(request, shown, current_statement())
