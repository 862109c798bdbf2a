"""Django's SQLite backend, with writers that wait in line for the write lock instead of polling for it.

Every write transaction starts with `BEGIN IMMEDIATE` (core/deployment.py). When another process holds
the write lock, SQLite's busy handler sleeps and tries again, 1, 2, 5, 10 ... up to 100 ms at a time:
a writer that just missed the lock sleeps on after it is free, and the process that had it may well
take it again meanwhile. Under load that left a visit sync waiting up to 558 ms for a lock held a few
milliseconds at a time (docs/performance.md, "Belasting").

So before `BEGIN IMMEDIATE` a connection takes an exclusive `flock` on a file beside the database, and
lets go when the transaction ends (commit, rollback or close). A writer waiting for it sleeps in the
kernel, which wakes it the moment the holder lets go. SQLite's own locking still guards the data:
the flock only decides who goes next. A writer that does not take it (a single statement outside a
transaction, a command-line tool) holds SQLite's lock briefly and never waits for the flock, so the
two cannot wait for each other. In-memory databases (tests) have nothing to share and take no flock.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base

# The methods below override private ones of Django's backend, which django-stubs does not declare.


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock: int | None = None  # file descriptor of the flocked file, while a transaction runs

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db():
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        try:
            descriptor = os.open(f"{self.settings_dict['NAME']}-writelock", os.O_RDWR | os.O_CREAT, 0o660)
        except OSError:
            # A lock file this process may not open (made by another user): SQLite's own waiting still works.
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            os.close(descriptor)  # closing the descriptor releases the flock
            raise
        self._write_lock = descriptor

    def _release_write_lock(self) -> None:
        if self._write_lock is not None:
            descriptor, self._write_lock = self._write_lock, None
            os.close(descriptor)

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
