from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.userkit import user_id_to_str
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client

from buurtonderzoek.accounts.models import User

SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # allauth keeps rate limits and used TOTP codes in the (in-memory) cache; tests must not share them.
    cache.clear()
    yield
    cache.clear()


def give_totp(user: User, secret: str = SECRET) -> Authenticator:
    """An authenticator app for `user`; the admin persona has one already (with this same secret)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, secret).instance


def totp_code(secret: str = SECRET, at: float | None = None) -> str:
    now = time.time() if at is None else at
    return str(format_hotp_value(hotp_value(secret, int(now) // 30)))


def log_in_with_code(client: Client, user: User) -> Client:
    """`client.force_login` plus the record allauth keeps when a code was typed at login: pages that need the
    second factor in this very session (API key creation) accept it."""
    give_totp(user)
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session["account_authentication_methods_user"] = user_id_to_str(user)
    session.save()
    return client
