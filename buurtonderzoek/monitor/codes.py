"""One-time invitation codes for the Communitymonitor.

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), printed in groups of
four: `KX7P-M2QD-9RWT`. That is 31^12 (about 2^59) possibilities, so guessing a valid code is hopeless
even for a wave with tens of thousands of codes.

Only a keyed hash (HMAC-SHA256 with the site's SECRET_KEY) is stored. Someone with a copy of the
database cannot recover the codes, and cannot test printed codes against it without the key. The
fallback keys of SECRET_KEY_FALLBACKS are tried too, so a key rotation does not void a running wave.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
GROUP = 4
_SALT = "buurtonderzoek.monitor.invitation-code"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    """The canonical code for what a resident typed, or None when it cannot be a code.

    Spaces, hyphens and case do not matter. Look-alikes (0, O, 1, I, L) are never printed, so a code
    containing one was mistyped: we refuse it rather than guess, and the message says which
    characters a code can have.
    """
    cleaned = "".join(ch for ch in text.upper() if not ch.isspace() and ch != "-")
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def hash_code(code: str, *, secret: str | None = None) -> str:
    return salted_hmac(_SALT, code, secret=secret or settings.SECRET_KEY, algorithm="sha256").hexdigest()


def candidate_hashes(code: str) -> list[str]:
    """Hashes under the current key and every fallback key, for look-ups."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hash_code(code, secret=key) for key in keys]
