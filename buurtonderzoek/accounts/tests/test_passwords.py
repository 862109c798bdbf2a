"""Passwords are hashed with Argon2. The test run itself sets FAST_PASSWORD_HASHING (see pyproject.toml)."""

from __future__ import annotations

import runpy

import pytest


@pytest.fixture
def production_hashers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("FAST_PASSWORD_HASHING", "0")
    hashers: list[str] = runpy.run_module("config.settings")["PASSWORD_HASHERS"]
    return hashers


def test_the_project_hashes_new_passwords_with_argon2(production_hashers: list[str]) -> None:
    assert production_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_a_new_user_gets_an_argon2_hash(settings, production_hashers: list[str]) -> None:
    from buurtonderzoek.accounts.models import User

    settings.PASSWORD_HASHERS = production_hashers
    user = User.objects.create_user("hash@example.nl", "Een-lang-wachtwoord-9")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("Een-lang-wachtwoord-9")
