"""The shared rate limit counts exactly, also under concurrent requests, on local memory and on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from buurtonderzoek.core import ratelimit

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/7"  # db 7: the tests' own


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # any failure means: no Redis here
        return False


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request: pytest.FixtureRequest, settings: Any) -> str:
    if request.param == "redis":
        if not redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379")
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    return str(request.param)


def test_it_allows_up_to_the_limit_and_refuses_the_rest(shared_cache: str) -> None:
    bucket = f"test:{uuid.uuid4()}"
    assert [ratelimit.consume(bucket, limit=3, window=60) for _ in range(5)] == [True, True, True, False, False]
    assert ratelimit.exhausted(bucket, limit=3)
    assert not ratelimit.exhausted(f"test:{uuid.uuid4()}", limit=3)


def test_concurrent_requests_cannot_pass_the_limit_together(shared_cache: str) -> None:
    bucket = f"test:{uuid.uuid4()}"
    allowed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def request() -> None:
        start.wait()
        for _ in range(10):
            result = ratelimit.consume(bucket, limit=50, window=60)
            with lock:
                allowed.append(result)

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 200
    assert allowed.count(True) == 50


def test_redis_url_makes_redis_the_shared_cache() -> None:
    if not redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    code = (
        "import django; django.setup(); from django.conf import settings; from django.core.cache import cache; "
        "cache.set('bo-test', 'gedeeld', 5); print(settings.CACHES['default']['BACKEND'], cache.get('bo-test'))"
    )
    env = {**os.environ, "SECRET_KEY": "x", "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "django.core.cache.backends.redis.RedisCache gedeeld" in out
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    assert server.exists(":1:bo-test")
    server.delete(":1:bo-test")
