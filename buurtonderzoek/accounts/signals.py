"""Security events into the audit log: logins, logouts, failed logins, password and 2FA changes.

Django's auth signals cover every login path (allauth, admin, tests with `client.login`); allauth's
signals cover password and two-factor changes that happen inside allauth's views.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed, authenticator_reset
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from buurtonderzoek.accounts.throttling import axes_username
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction

AUTHENTICATOR_NAMES = {"totp": "authenticator-app", "recovery_codes": "herstelcodes", "webauthn": "beveiligingssleutel"}


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(user, AuditAction.LOGIN, user, summary="Ingelogd", request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(user, AuditAction.LOGOUT, user, summary="Uitgelogd", request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password; keep only the name that was typed.
    login = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "")
    record(
        None,
        AuditAction.LOGIN_FAILED,
        object_type="accounts.User",
        summary="Inloggen mislukt",
        data={"login": login},
        request=request,
        actor_label=login,
    )


@receiver(authentication_failed, dispatch_uid="audit_mfa_failed")
def audit_mfa_failed(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # The password was right but the second factor was not: worth a line of its own.
    record(
        None,
        AuditAction.LOGIN_FAILED,
        user,
        summary="Onjuiste code bij tweestapsverificatie",
        request=request,
        actor_label=user.email,
    )
    if request is not None:
        # A wrong code counts against this account like a wrong password (axes: account and address), so
        # guessing codes ends in the same lockout; other accounts behind the same address are not touched.
        AxesProxyHandler.user_login_failed(sender, {"username": user.email}, request)


@receiver(password_changed, dispatch_uid="audit_password_changed")
def audit_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(user, AuditAction.UPDATE, user, summary="Wachtwoord gewijzigd", request=request)


@receiver(password_reset, dispatch_uid="audit_password_reset")
def audit_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(user, AuditAction.UPDATE, user, summary="Wachtwoord opnieuw ingesteld via e-maillink", request=request)
    # Whoever used the link owns the mailbox: lift an axes lockout, so they can log in with the new password.
    axes_reset(username=axes_username(request, {"email": user.email}))


def _authenticator_name(authenticator: Any) -> str:
    return AUTHENTICATOR_NAMES.get(str(authenticator.type), str(authenticator.type))


@receiver(authenticator_added, dispatch_uid="audit_authenticator_added")
def audit_authenticator_added(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    name = _authenticator_name(authenticator)
    record(user, AuditAction.CREATE, authenticator, summary=f"Tweestapsverificatie: {name} ingesteld", request=request)
    if authenticator.type == "totp" and request is not None and hasattr(request, "session"):
        # Setting up the app means typing a code from it: this session has shown the second factor.
        record_authentication(request, user, "mfa", id=authenticator.pk, type="totp", activated=True)


@receiver(authenticator_removed, dispatch_uid="audit_authenticator_removed")
def audit_authenticator_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    name = _authenticator_name(authenticator)
    record(user, AuditAction.DELETE, authenticator, summary=f"Tweestapsverificatie: {name} verwijderd", request=request)


@receiver(authenticator_reset, dispatch_uid="audit_authenticator_reset")
def audit_authenticator_reset(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
    name = _authenticator_name(authenticator)
    record(user, AuditAction.UPDATE, authenticator, summary=f"Tweestapsverificatie: nieuwe {name}", request=request)
