"""Personal API keys: their format, and how a presented key is checked.

A key reads `bo_<prefix>_<secret>`: `bo_` says whose key it is (secret scanners and people recognise it),
the prefix (8 characters, stored in plain text) names the key in lists and in the audit log, and the
secret (40 letters and digits, about 238 bits) is never stored: we keep a SHA-256 of the whole key. A
fast hash is enough for a random secret this long; it is a lookup, not a password.

`check_token` is what the API's authentication class (`authentication.py`) calls: it finds the key by its
prefix and compares hashes in constant time. The writes (making and revoking keys) are in `actions.py`.
"""

from __future__ import annotations

import hmac
import re
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.utils import timezone

from buurtonderzoek.accounts.models import ApiToken, ApiTokenStatus, Membership, Role, User, hash_token

TOKEN_START = "bo_"  # noqa: S105 (the fixed start of every key, not a secret)
PREFIX_LENGTH = 8
SECRET_LENGTH = 40
DEFAULT_VALID_DAYS = 90
MAX_VALID_DAYS = 365
# Writing last_used_at on every call would turn each read into a write; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)

_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
TOKEN_PATTERN = re.compile(rf"^bo_([a-z0-9]{{{PREFIX_LENGTH}}})_([A-Za-z0-9]{{{SECRET_LENGTH}}})$")


def new_token() -> tuple[str, str]:
    """A fresh (prefix, full key)."""
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    return prefix, f"{TOKEN_START}{prefix}_{secret}"


def prefix_of(token: str) -> str:
    """The prefix of a well-formed key, or "" (for the audit log: never echo a malformed value)."""
    match = TOKEN_PATTERN.match(token)
    return match.group(1) if match else ""


def may_hold_api_tokens(user: User) -> bool:
    """Police officers, gemeente staff and beheerders: the people whose systems read reports or figures.

    A key acts as its owner and sees exactly what the owner sees: a gemeente key reads the grip figures
    and team health (dashboards/api.py), never reports (those are for the police and the team)."""
    if not user.is_authenticated or not user.is_active:
        return False
    roles = (Role.POLICE, Role.MUNICIPAL)
    return bool(user.is_superuser) or Membership.objects.filter(user=user, role__in=roles).exists()


class Refusal(StrEnum):
    """Why a presented key does not let its caller in (also the `reason` in the audit log)."""

    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    INACTIVE_OWNER = "inactive_owner"
    NO_ROLE = "no_role"


@dataclass(frozen=True)
class TokenCheck:
    token: ApiToken | None
    refusal: Refusal | None = None


def check_token(presented: str) -> TokenCheck:
    """Find the key that `presented` is, and say whether it may be used now."""
    prefix = prefix_of(presented)
    if not prefix:
        return TokenCheck(None, Refusal.MALFORMED)
    token = ApiToken.objects.select_related("owner").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(presented)):
        # A right prefix with a wrong secret is as unknown as a made-up key; but the audit log can name the
        # key someone is guessing at.
        return TokenCheck(token, Refusal.UNKNOWN)
    status = token.status
    if status == ApiTokenStatus.REVOKED:
        return TokenCheck(token, Refusal.REVOKED)
    if status == ApiTokenStatus.EXPIRED:
        return TokenCheck(token, Refusal.EXPIRED)
    if not token.owner.is_active:
        return TokenCheck(token, Refusal.INACTIVE_OWNER)
    if not may_hold_api_tokens(token.owner):
        return TokenCheck(token, Refusal.NO_ROLE)
    return TokenCheck(token)


def touch(token: ApiToken) -> None:
    """Note that the key was used, at most once per LAST_USED_PRECISION (one conditional UPDATE)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
