"""API access with a personal key: `Authorization: Bearer bo_<prefix>_<secret>`.

Police systems call the API without a browser session. The key stands for its owner: the API answers
exactly what the owner would see in the browser, through the same access checks. Keys are made on the
account pages (behind two-factor authentication); the calls themselves need no second factor.

A key is refused, with a 401 problem document in Dutch and a line in the audit log, when it is malformed,
unknown, expired or revoked, or when its owner is switched off or no longer police or beheerder. Callers
that present no key get what they always got: session authentication, and 403 without a session.
CSRF does not apply: a browser never adds this header by itself.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from buurtonderzoek.accounts.models import ApiToken, User
from buurtonderzoek.accounts.tokens import Refusal, TokenCheck, check_token, prefix_of, touch
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction

KEYWORD = b"bearer"

# Stored in the audit log, so plain Dutch (the log's language), not gettext.
AUDIT_REASONS = {
    Refusal.MALFORMED: "onjuiste vorm",
    Refusal.UNKNOWN: "onbekende sleutel",
    Refusal.EXPIRED: "verlopen",
    Refusal.REVOKED: "ingetrokken",
    Refusal.INACTIVE_OWNER: "account van de eigenaar uitgeschakeld",
    Refusal.NO_ROLE: "eigenaar is geen politie, gemeente of beheerder meer",
}


def refusal_message(refusal: Refusal) -> str:
    messages = {
        Refusal.MALFORMED: _(
            "De API-sleutel heeft niet de juiste vorm. Stuur hem als 'Authorization: Bearer bo_...', "
            "precies zoals hij bij het aanmaken werd getoond."
        ),
        Refusal.UNKNOWN: _(
            "Deze API-sleutel is onbekend. Controleer of u hem helemaal hebt gekopieerd, of maak een nieuwe aan "
            "onder Mijn account, API-sleutels."
        ),
        Refusal.EXPIRED: _("Deze API-sleutel is verlopen. Maak een nieuwe aan onder Mijn account, API-sleutels."),
        Refusal.REVOKED: _("Deze API-sleutel is ingetrokken. Maak een nieuwe aan onder Mijn account, API-sleutels."),
        Refusal.INACTIVE_OWNER: _(
            "Het account van deze API-sleutel is uitgeschakeld. Neem contact op met de beheerder."
        ),
        Refusal.NO_ROLE: _(
            "De eigenaar van deze API-sleutel werkt niet meer voor de politie of de gemeente op dit platform; de "
            "sleutel werkt daarom niet meer. Neem contact op met de beheerder."
        ),
    }
    return str(messages[refusal])


def _presents_a_key(request: Request) -> bool:
    parts = get_authorization_header(request).split()
    return bool(parts) and parts[0].lower() == KEYWORD


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None  # not ours: session authentication has its turn
        presented = ""
        if len(parts) == 2:
            try:
                presented = parts[1].decode("ascii")
            except UnicodeDecodeError:
                presented = ""
        check = check_token(presented) if presented else TokenCheck(None, Refusal.MALFORMED)
        if check.refusal is not None or check.token is None:
            self._refuse(request, check, presented)
        token = check.token
        assert token is not None
        touch(token)
        # The audit log names the key on every event this request records (core.audit.record).
        request._request.api_token_label = token.prefix  # type: ignore[attr-defined]
        return token.owner, token

    def authenticate_header(self, request: Request) -> str | None:
        # DRF asks the first authentication class: a header means 401, none means 403. A caller that tried a
        # key gets a 401 challenge (RFC 6750); one that did not keeps getting the 403 it always got.
        if _presents_a_key(request):
            return 'Bearer realm="api", error="invalid_token"'
        return None

    def _refuse(self, request: Request, check: TokenCheck, presented: str) -> None:
        refusal = check.refusal or Refusal.MALFORMED
        token = check.token
        prefix = token.prefix if token is not None else prefix_of(presented)
        known = token is not None and refusal != Refusal.UNKNOWN
        record(
            None,
            AuditAction.LOGIN_FAILED,
            token,
            object_type="accounts.ApiToken",
            summary=f"API-sleutel {prefix or '(onleesbaar)'} geweigerd: {AUDIT_REASONS[refusal]}",
            data={"api_token": prefix, "reason": str(refusal), "path": request.path[:200]},
            request=request,
            actor_label=token.owner.email if known and token is not None else "onbekende API-sleutel",
        )
        raise exceptions.AuthenticationFailed(refusal_message(refusal), code=str(refusal))


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The key as a bearer scheme in /api/schema/, so /api/docs/ offers "Authorize" with it."""

    target_class = "buurtonderzoek.accounts.authentication.ApiTokenAuthentication"
    name = "apiSleutel"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "bo_<prefix>_<geheim>",
            "description": _(
                "Persoonlijke API-sleutel voor systemen van politie en gemeente. Maak hem aan onder Mijn account, "
                "API-sleutels (/accounts/api-sleutels/) en stuur hem mee als 'Authorization: Bearer bo_...'. De API "
                "antwoordt met de rechten van de eigenaar van de sleutel."
            ),
        }
