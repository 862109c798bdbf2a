"""One helper to write to the audit log; every feature records through it.

Summaries are stored, not shown through gettext later, so callers write them in Dutch (the log's language)
rather than in the language of whoever happened to trigger the event.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from buurtonderzoek.core.clientip import client_ip
from buurtonderzoek.core.models import AuditAction, AuditEvent


def record(
    actor: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    *,
    summary: str,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit event. `actor` is a user, or None for the system itself.

    `actor_label` names an actor without an account, such as the e-mail address typed in a failed login.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    api_token = getattr(request, "api_token_label", "") if request is not None else ""
    if api_token:
        # A call made with a personal API key names the key (accounts.authentication sets the label).
        data = {"api_token": api_token, **(data or {})}
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if is_user:
        actor_label = getattr(actor, "email", "") or str(actor)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=(actor_label or "systeem")[:254],
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        summary=str(summary)[:255],
        data=data or {},
        ip_address=_client_ip(request) if request is not None else None,
    )


def record_personal_read(actor: Any, obj: models.Model, *, what: str, request: HttpRequest | None = None) -> AuditEvent:
    """Log that `actor` looked at personal data (AVG accountability)."""
    return record(actor, AuditAction.READ_PERSONAL, obj, summary=what, request=request)


def _client_ip(request: HttpRequest) -> str | None:
    return client_ip(request) or None
