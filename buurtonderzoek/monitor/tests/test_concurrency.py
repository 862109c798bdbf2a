"""One response per code, also when the same code is used at the same moment from several devices.

Real threads with their own database connections, in transactional tests (no wrapping test
transaction), so the row lock, the unique constraint and SQLite's write lock do the work. Runs on
SQLite (a database file in WAL mode, like production) and, with DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from buurtonderzoek.monitor import actions
from buurtonderzoek.monitor.demo import generate_answers
from buurtonderzoek.monitor.models import Response, ResponseStatus, ResultCell, Source
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, issue_codes

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def run_together(work: Callable[[int], Any], count: int = THREADS) -> list[Any]:
    """Start `count` threads at the same instant; collect each result or exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # the outcome is what we assert on
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture(autouse=True)
def file_database(tmp_path: Path) -> Iterator[None]:
    """On SQLite, run each test against a file copy of the test database, as production does.

    Django's in-memory test database is shared between threads through SQLite's shared cache, where
    a busy table fails at once ("database table is locked") instead of waiting for the lock like a
    database file in WAL mode with a busy timeout (config/settings.py). So the fixture data is copied
    into a file with SQLite's backup API and every thread, this one included, connects to that file.
    """
    if connection.vendor != "sqlite" or not getattr(connection, "is_in_memory_db", lambda: False)():
        yield
        return
    yield from _swap_to_file(tmp_path / "monitor.sqlite3")


def _swap_to_file(path: Path) -> Iterator[None]:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    in_memory = connections["default"]
    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = original
        connections["default"] = in_memory


def test_simultaneous_first_use_of_a_code_creates_one_response(mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    results = run_together(lambda _i: actions.claim_code(code).pk)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Response.objects.filter(invitation__isnull=False).count() == 1


def test_simultaneous_submissions_with_one_code_complete_once(mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    schema = mworld.version.parsed

    def submit(index: int) -> str:
        # Each "device" claims the code, fills in everything and presses send.
        response = actions.claim_code(code)
        answers = generate_answers(schema, random.Random(index))
        for section in schema.sections:
            own = {q.id: answers[q.id] for q in section.questions if q.id in answers}
            response = actions.save_section(response, section.id, own)
        actions.complete_response(response)
        return "completed"

    results = run_together(submit)
    outcomes = Counter(r if isinstance(r, str) else type(r).__name__ for r in results)
    assert outcomes["completed"] == 1, results
    assert sum(outcomes.values()) == THREADS
    assert set(outcomes) <= {"completed", "ResponseClosed", "CodeRejected"}, results
    assert Response.objects.count() == 1
    assert Response.objects.get().status == ResponseStatus.COMPLETED
    cell = ResultCell.objects.get(wave=mworld.wave, buurt=mworld.buurten[0], source=Source.INVITED)
    assert cell.respondents == 1


def test_many_households_answering_at_once_are_all_counted(mworld: MonitorWorld) -> None:
    codes = issue_codes(mworld.wave, mworld.buurten[1], THREADS)
    schema = mworld.version.parsed

    def submit(index: int) -> int:
        response = actions.claim_code(codes[index])
        answers = generate_answers(schema, random.Random(index))
        for section in schema.sections:
            response = actions.save_section(
                response, section.id, {q.id: answers[q.id] for q in section.questions if q.id in answers}
            )
        return actions.complete_response(response).pk

    results = run_together(submit)
    assert all(isinstance(r, int) for r in results), results
    cell = ResultCell.objects.get(wave=mworld.wave, buurt=mworld.buurten[1], source=Source.INVITED)
    assert cell.respondents == THREADS
