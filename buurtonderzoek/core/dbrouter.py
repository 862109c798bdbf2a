"""Read replicas: the heavy read-only pages read from the replica, everything else uses the primary.

A view opts in with `@reads_from_replica` (the role start pages, the grip and team-health pages, police
totals, the monitor results, the heavy API lists: read-only pages over many rows, where a second or two of
replication lag does no harm). While such a view runs, its reads go to the "replica" database when
DATABASE_REPLICA_URL configured one. What keeps that correct:
- every write goes to the primary (the audit log of personal-data reads, jobs and tasks, sessions, the
  roll-up refresh a page may start), and so does every view that does not opt in (forms, the field
  app's sync, logins);
- who may see what is decided on the primary: sessions, users, memberships, API keys, two-factor devices
  and login lockouts (PRIMARY_ONLY), so a revoked membership or a new login never waits for the replica;
  so are jobs and tasks, which a page lists right after someone asked for one;
- once a view has written (an INSERT, UPDATE or DELETE on the primary), its later reads stay on the
  primary, and so does any read inside a transaction on the primary;
- a person who just sent a form reads the primary for REPLICA_STICKY_SECONDS afterwards
  (`ReadYourWritesMiddleware` sets a short-lived cookie on every POST, PUT, PATCH or DELETE), so the page
  they are sent to after saving shows what they saved even when the replica has not caught up.
Without a replica the router answers None (Django's default) and the middleware does nothing.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
STICKY_COOKIE = "lees_primair"  # "read the primary": set after a form was sent, see ReadYourWritesMiddleware
WRITES = ("INSERT", "UPDATE", "DELETE")
# Models whose rows decide access, or that a page shows right after the same person created them.
PRIMARY_ONLY_APPS = {"sessions", "auth", "axes", "mfa", "account", "jobs", "django_tasks_db", "scheduling"}
PRIMARY_ONLY_MODELS = {"accounts.user", "accounts.membership", "accounts.apitoken"}

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _Reads:
    wrote: bool = False  # this view has written to the primary: read it from now on


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("replica_reads", default=None)
_sticky: contextvars.ContextVar[bool] = contextvars.ContextVar("read_primary", default=False)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads go to the replica until the block ends or the block writes to the primary."""
    if _sticky.get() or _reads.get() is not None:
        yield  # the person just wrote something, or an outer block already decides
        return
    state = _Reads()
    token = _reads.set(state)

    def notice_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not state.wrote and sql.lstrip()[:6].upper() in WRITES:
            state.wrote = True
        return execute(sql, params, many, context)

    try:
        if has_replica():
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(notice_writes):
                yield
        else:
            yield
    finally:
        _reads.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Everything in the block reads the primary, also inside views that ask for the replica."""
    token = _sticky.set(True)
    try:
        yield
    finally:
        _sticky.reset(token)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


class ReadYourWritesMiddleware:
    """After a POST, PUT, PATCH or DELETE, the same browser reads the primary for REPLICA_STICKY_SECONDS.

    A cookie, not the session: it costs no database write, and it travels with the very next request (the
    redirect after saving). Changing it only moves one's own reads between two copies of the same data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not has_replica():
            return self.get_response(request)
        writes = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        if writes or STICKY_COOKIE in request.COOKIES:
            with primary_reads():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if writes:
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class ReplicaRouter:
    def __init__(self, *, replica: bool | None = None) -> None:
        self.replica = replica  # None: look in the settings (tests add and remove the alias)

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        state = _reads.get()
        if state is None or state.wrote:
            return None
        if not (has_replica() if self.replica is None else self.replica):
            return None
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS:
            return None
        # Inside a transaction on the primary (a view that also writes) the primary's view is the truth.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both aliases hold the same rows: an object read from the replica may point at one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
