"""Public codes that end up on paper: posters, leaflets, letters and QR codes."""

from __future__ import annotations

import base64
import secrets


def printable_token() -> str:
    """80 random bits as 16 lowercase letters and digits 2-7 (base32).

    Unlike `secrets.token_urlsafe` there is no '-' or '_': a printed link that starts or breaks at
    a hyphen is misread by people and dropped by PDF text tools, and case never matters when someone
    types the address off a poster.
    """
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
