"""Read replicas: the report pages read from the replica, everything else uses the primary.

A view opts in with `@reads_from_replica` (dashboards, grip pages, monitor results: read-only pages
over many rows, where a few seconds of replication lag do no harm). While such a view runs, reads go
to the "replica" database when DATABASE_REPLICA_URL configured one; writes always go to the primary,
and so does everything else (forms, the field app's sync, logins), so nobody reads their own write
from a replica that has not caught up. Without a replica the router answers None: Django's default.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    def __init__(self, *, has_replica: bool | None = None) -> None:
        self.has_replica = REPLICA in settings.DATABASES if has_replica is None else has_replica

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _use_replica.get() or not self.has_replica:
            return None
        # Inside a transaction on the primary (a view that also writes) the primary's view is the truth.
        if connections["default"].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both aliases hold the same rows: an object read from the replica may point at one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
