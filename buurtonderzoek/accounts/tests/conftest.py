from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache

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
    import time

    now = time.time() if at is None else at
    return str(format_hotp_value(hotp_value(secret, int(now) // 30)))
