"""gunicorn config for `bench_load.py --probe`: where a request's time goes inside the server.

Each worker writes one JSON line per request to $LOAD_PROBE_DIR/<pid>.jsonl: when it started, the
path, the wall and CPU time between gunicorn handing the request to Django and getting the answer
back, the number of SQL statements and their time, and the database waits that do not show up as
statements: opening and closing the connection, `BEGIN` (on SQLite with IMMEDIATE transactions the
wait for the write lock, spent in SQLite's busy handler) and `COMMIT`.

The bench compares these server times with what the client measured: what the client waited beyond the
server's time was spent in the listen queue. Not for production: it wraps Django's database wrapper.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

# The production settings first (workers, threads, connections), then this probe's hooks.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from config.gunicorn import (  # noqa: F401
    keepalive,
    post_worker_init,
    threads,
    timeout,
    worker_class,
    worker_connections,
)

_local = threading.local()
_installed: list[bool] = []
_out: dict[int, Any] = {}


def _counters() -> dict[str, float]:
    if not hasattr(_local, "c"):
        _local.c = {}
    counters: dict[str, float] = _local.c
    return counters


def _timed(cls: Any, name: str, key: str) -> None:
    original = getattr(cls, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            c = _counters()
            c[key] = c.get(key, 0.0) + time.perf_counter() - start
            c[key + "_n"] = c.get(key + "_n", 0) + 1

    setattr(cls, name, wrapper)


def _install() -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper

    _timed(BaseDatabaseWrapper, "connect", "connect")
    _timed(BaseDatabaseWrapper, "_close", "close")
    _timed(BaseDatabaseWrapper, "_commit", "commit")
    _timed(CursorWrapper, "_execute", "sql")
    _timed(CursorWrapper, "_executemany", "sql")
    from django.db import connections

    in_use = type(connections["default"])
    if connections["default"].vendor == "sqlite":
        # The class in use: core.sqlite's waits for its write-lock file here, before BEGIN IMMEDIATE.
        _timed(in_use, "_start_transaction_under_autocommit", "begin")
    _installed.append(True)


def pre_request(worker: Any, req: Any) -> None:
    if not _installed:
        _install()
    _local.c = {}
    _local.start = (time.time(), time.perf_counter(), time.thread_time())


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    wall0, perf0, cpu0 = _local.start
    c = _counters()
    row = {
        "t": wall0,
        "path": req.path,
        "status": getattr(resp, "status_code", 0),
        "wall": time.perf_counter() - perf0,
        "cpu": time.thread_time() - cpu0,
        **{k: round(v, 6) for k, v in c.items()},
    }
    pid = os.getpid()
    if pid not in _out:
        _out[pid] = open(  # noqa: SIM115 - kept open for the worker's life, line-buffered
            os.path.join(os.environ["LOAD_PROBE_DIR"], f"{pid}.jsonl"), "a", buffering=1, encoding="utf-8"
        )
    _out[pid].write(json.dumps(row) + "\n")
