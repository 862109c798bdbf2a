"""The one rate limit for our own forms: a counter per bucket on the shared cache, atomic.

`consume(bucket, limit=..., window=...)` counts one event and says whether it is still within the limit.
The count is `cache.add` (start the window) plus `cache.incr`: atomic on Redis (INCR) and within one process
on the local-memory cache, so concurrent requests can never pass the limit together. Production runs
several processes and must set REDIS_URL (docs/security.md); allauth's limits and its record of used 2FA
codes live on the same cache.
"""

from __future__ import annotations

from django.core.cache import cache


def _key(bucket: str) -> str:
    return f"ratelimit:{bucket}"


def consume(bucket: str, *, limit: int, window: int) -> bool:
    """Count one event in `bucket`; False when this one is past `limit` within `window` seconds."""
    key = _key(bucket)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first event of a new window
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit


def exhausted(bucket: str, *, limit: int) -> bool:
    """Whether `bucket` has used up its limit (for refusing before doing any work)."""
    return int(cache.get(_key(bucket), 0)) >= limit
