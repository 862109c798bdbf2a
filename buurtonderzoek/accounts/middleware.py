"""Police, municipal and platform-admin accounts must have two-factor authentication.

Admins are included because they reach every organisation and can export a person's data
(data-subject requests).

Until they set up an authenticator app, every page except the 2FA set-up,
logout and static files sends them to the set-up page; the API answers 403
with a problem document, since an API client cannot follow a redirect to a form.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role

ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/sw.js")
# Account pages that are police pages all the same: an API key opens the reports without a second factor.
GUARDED_PREFIXES = ("/accounts/api-sleutels/",)
API_PREFIX = "/api/"


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.REQUIRE_2FA_FOR_SENSITIVE_ROLES and needs_two_factor_setup(request):
            if request.path.startswith(API_PREFIX):
                return two_factor_problem()
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def needs_two_factor_setup(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if request.path.startswith(ALLOWED_PREFIXES) and not request.path.startswith(GUARDED_PREFIXES):
        return False
    if not user.is_superuser and not has_sensitive_role(user.pk):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def has_sensitive_role(user_id: int) -> bool:
    """Whether the user is police or municipal officer anywhere. Asked on every request of every signed-in
    user (a phone syncing visits included), so written out: through the ORM, building this one query cost
    more CPU than running it (bench/profile_sync.py)."""
    membership = Membership._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {quote(membership.db_table)} WHERE {quote('user_id')} = %s"  # noqa: S608 - names only
            f" AND {quote('role')} IN (%s, %s) LIMIT 1",
            [user_id, Role.POLICE.value, Role.MUNICIPAL.value],
        )
        return cursor.fetchone() is not None


def two_factor_problem() -> JsonResponse:
    return JsonResponse(
        {
            "type": "about:blank",
            "status": 403,
            "title": _("Geen toegang"),
            "detail": _("Stel eerst tweestapsverificatie in via de website; daarna werkt de API."),
        },
        status=403,
        content_type="application/problem+json",
    )


def passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session proved the second factor: a code at login or reauthentication, or setting up the
    authenticator app here. A session that came in any other way (a password alone) has no such record."""
    return any(entry.get("method") == "mfa" for entry in get_authentication_records(request, request.user))
