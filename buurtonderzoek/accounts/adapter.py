"""allauth hooks: no open sign-up, a fresh login counts as reauthentication, and no switching off
2FA for accounts that must have it."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from buurtonderzoek.accounts.middleware import has_sensitive_role
from buurtonderzoek.core.clientip import client_ip
from buurtonderzoek.core.mail import send_safely


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # No open sign-up: accounts are created on the invitation page (accounts.views.accept_invitation).
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # allauth asks for the password again before 2FA set-up even seconds after login. A police officer
        # sent straight from the login form to the set-up page would type it twice; a login within the
        # reauthentication window proves the same thing.
        request = context.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            window = account_settings.REAUTHENTICATION_TIMEOUT
            if any(time.time() - float(entry.get("at", 0)) < window for entry in records):
                return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # A password-reset page must not become an error page when the mail server is down; the admin sees
        # the failure under failed mails.
        send_safely(
            f"accountmail ({template_prefix.rsplit('/', 1)[-1]})",
            lambda: super(AccountAdapter, self).send_mail(template_prefix, email, context),
        )

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits see the same client address as everything else (core/clientip.py).
        return client_ip(request) or str(super().get_client_ip(request))

    def format_email_subject(self, subject: str) -> str:
        # allauth prefixes "[domain]"; our subjects already name Open Buurtonderzoek.
        return str(subject)


def requires_two_factor(user: Any) -> bool:
    return bool(user.is_authenticated and has_sensitive_role(user.pk))


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Police and municipal accounts must keep their authenticator app; the middleware would only send
        # them straight back to set up a new one.
        if authenticator.type == Authenticator.Type.TOTP and requires_two_factor(authenticator.user):
            return False
        return bool(super().can_delete_authenticator(authenticator))
