"""Tiny helpers that read settings from the environment.

Every setting the project reads is listed, with its default, in `.env.example`.
A secret may also be given as a file: `SECRET_KEY_FILE=/run/secrets/key`
wins over `SECRET_KEY`, so secrets never have to sit in the process environment.
"""

from __future__ import annotations

import os


def envstr(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        with open(file_path, encoding="utf-8") as secret_file:
            return secret_file.read().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = envstr(name, "")
    if value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = envstr(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = envstr(name, "")
    if value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
