from __future__ import annotations

import os
import subprocess
import sys


def test_production_settings_hash_passwords_with_argon2() -> None:
    # The suite swaps in a fast hasher; a clean environment must not.
    env = {k: v for k, v in os.environ.items() if k != "FAST_PASSWORD_HASHING"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    command = [sys.executable, "-c", code]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert out.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"
