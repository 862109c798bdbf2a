"""Sessions live in the shared cache as well as the database when there is one (REDIS_URL), never in a
per-process cache: a signed-in request then reads its session without a database round trip, and a logout
ends the session everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

ROOT = Path(__file__).resolve().parents[3]
CACHED = "django.contrib.sessions.backends.cached_db"


def session_engine(**environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(SECRET_KEY="x", DJANGO_SETTINGS_MODULE="config.settings", **environment)
    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"
    answer = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return answer.stdout.strip().splitlines()[-1]


def test_sessions_use_the_cache_only_when_it_is_shared() -> None:
    assert session_engine(REDIS_URL="redis://127.0.0.1:6379/0") == CACHED
    assert session_engine() == "django.contrib.sessions.backends.db"


@pytest.mark.django_db
@override_settings(SESSION_ENGINE=CACHED)
def test_a_signed_in_phone_reads_its_session_from_the_cache_and_a_logout_ends_it(world: Any) -> None:
    # The test settings' local-memory cache stands in for Redis: one cache for every "process" here.
    phone, other_process = Client(), Client()
    phone.force_login(world.bob)
    other_process.cookies = phone.cookies
    with CaptureQueriesContext(connections["default"]) as captured:
        assert other_process.get("/api/v1/field/routes/").status_code == 200
    assert not [q for q in captured if "django_session" in q["sql"]]
    assert Session.objects.count() == 1  # written to the database as well, for when the cache is emptied

    phone.post("/accounts/logout/")
    assert Session.objects.count() == 0
    assert other_process.get("/api/v1/field/routes/").status_code in (401, 403)
