"""SQLite writers wait in line for the write lock (core/sqlite): the flock beside the database is held
exactly while a write transaction runs, and a second writer goes the moment the first is done."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from buurtonderzoek.monitor.tests.test_concurrency import _swap_to_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[Path]:
    if connection.vendor != "sqlite":
        pytest.skip("the write lock is SQLite's")
    path = tmp_path / "lock.sqlite3"
    yield from (path for _ in _swap_to_file(path))


def lock_is_free(database: Path) -> bool:
    descriptor = os.open(f"{database}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # also releases it if we got it
    return True


def write(value: str) -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS queue_test (value TEXT)")
        cursor.execute("INSERT INTO queue_test (value) VALUES (%s)", [value])


def stored() -> list[str]:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT value FROM queue_test ORDER BY rowid")
        return [row[0] for row in cursor.fetchall()]


def test_the_lock_is_held_while_a_write_transaction_runs_and_freed_by_commit_or_rollback(database_file: Path) -> None:
    assert lock_is_free(database_file)
    with transaction.atomic():
        write("first")
        assert not lock_is_free(database_file)
    assert lock_is_free(database_file)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        write("rolled back")
        assert not lock_is_free(database_file)
        _ = 1 / 0
    assert lock_is_free(database_file)
    assert stored() == ["first"]


def test_closing_the_connection_mid_transaction_frees_the_lock(database_file: Path) -> None:
    with transaction.atomic():
        write("never committed")
        assert not lock_is_free(database_file)
        connection.close()
        assert lock_is_free(database_file)
    assert lock_is_free(database_file)


def test_a_second_writer_waits_for_the_first_and_then_writes(database_file: Path) -> None:
    write("setup")
    first_in = threading.Event()
    first_may_commit = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                write("first")
                first_in.set()
                first_may_commit.wait()
        finally:
            connections.close_all()

    def second() -> None:
        try:
            with transaction.atomic():
                write("second")
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    first_in.wait()
    b = threading.Thread(target=second)
    b.start()
    b.join(timeout=0.5)
    assert b.is_alive(), "the second writer should be waiting for the first"
    first_may_commit.set()
    a.join()
    b.join()
    assert stored() == ["setup", "first", "second"]
