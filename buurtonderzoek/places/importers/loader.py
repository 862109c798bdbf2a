"""Writing batches of address rows into places_address, fast and all-or-nothing.

Two paths, chosen by whether the table already holds addresses:

- First load (empty table): one transaction drops the secondary indexes, streams every batch
  straight into the table (SQLite: executemany; PostgreSQL: COPY), and builds the indexes again,
  which is several times faster than maintaining them row by row. A bad row or a duplicate id
  anywhere rolls the whole transaction back: the table is empty again, indexes and all.
- Update (table not empty): the batches go into a temporary staging table first, outside any
  transaction on the real table, so the site keeps working while a file is read. Then one short
  transaction upserts on nummeraanduiding_id (INSERT ... ON CONFLICT DO UPDATE), touching only
  rows whose values changed and only the columns the source knows (a BAG file has no buurt codes,
  so it leaves the codes from the CBS table alone). Ids of existing addresses never change, so
  canvass visits and incidents pointing at them stay valid.

Both paths use plain SQL that SQLite (>= 3.24) and PostgreSQL share; only the bulk transport and
the index catalogue queries differ per backend.
"""

from __future__ import annotations

import gc
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import psycopg
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from tqdm import tqdm

from buurtonderzoek.places.importers.base import COLUMNS, AddressRow, AddressSource, ImportFailed
from buurtonderzoek.places.models import Address

TABLE = Address._meta.db_table
STAGE = "places_address_stage"
GROUP = 2000  # rows per multi-row INSERT on SQLite: 32,000 parameters, under its limit of 32,766
COLUMN_LIST = ", ".join(COLUMNS)
# Columns an update may change; x/y bring lat, lon and grid_x along.
UPDATABLE = tuple(c for c in COLUMNS if c != "nummeraanduiding_id")


@dataclass
class LoadResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    path: str = ""  # "eerste import" or "bijwerken"
    # Where the time went (seconds): waiting for the reader, writing rows, building indexes,
    # merging from the staging table, committing, and VACUUM/ANALYZE afterwards.
    phases: dict[str, float] = field(default_factory=dict)
    # One nummeraanduiding on two objects, resolved by the source: (id, kept, dropped).
    duplicates: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def add(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - since
        return now

    @property
    def per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


class DuplicateId(Exception):
    def __init__(self, nummeraanduiding_id: str) -> None:
        super().__init__(nummeraanduiding_id)
        self.nummeraanduiding_id = nummeraanduiding_id


class _Backend:
    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        connection.ensure_connection()
        self.raw: Any = connection.connection

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        cursor = self.raw.cursor()
        cursor.execute(sql, tuple(params))
        return cursor

    def secondary_indexes(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def drop_indexes(self, indexes: list[tuple[str, str]]) -> None:
        for name, _sql in indexes:
            self.execute(f'DROP INDEX "{name}"')

    def create_indexes(self, indexes: list[tuple[str, str]]) -> None:
        for _name, sql in indexes:
            self.execute(sql)

    def insert_direct(self, rows: list[AddressRow]) -> None:
        raise NotImplementedError

    def create_stage(self) -> None:
        raise NotImplementedError

    def stage(self, rows: list[AddressRow]) -> None:
        raise NotImplementedError

    def drop_stage(self) -> None:
        self.execute(f"DROP TABLE IF EXISTS {STAGE}")

    def one(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None

    def tune(self) -> None:
        """Session settings for a big load; undone by `untune`."""

    def untune(self) -> None:
        pass

    def after_commit(self) -> None:
        pass

    def begin_staging(self) -> None:
        pass

    def end_staging(self) -> None:
        pass


class _SqliteBackend(_Backend):
    raw: sqlite3.Connection

    def secondary_indexes(self) -> list[tuple[str, str]]:
        # Indexes without SQL are the ones SQLite made for UNIQUE/PRIMARY KEY: those stay.
        rows = self.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (TABLE,),
        ).fetchall()
        return [(str(n), str(s)) for n, s in rows]

    def _insert(self, table: str, rows: list[AddressRow]) -> None:
        # Many rows per INSERT statement: a quarter less CPU than one statement per row, because
        # SQLite's per-statement work (and AUTOINCREMENT's bookkeeping) is paid once per group.
        one = f"({', '.join('?' * len(COLUMNS))})"
        full = len(rows) - len(rows) % GROUP
        if full:
            many = f"INSERT INTO {table} ({COLUMN_LIST}) VALUES {', '.join([one] * GROUP)}"
            flat = chain.from_iterable
            self.raw.executemany(many, (tuple(flat(rows[i : i + GROUP])) for i in range(0, full, GROUP)))
        if full < len(rows):
            self.raw.executemany(f"INSERT INTO {table} ({COLUMN_LIST}) VALUES {one}", rows[full:])

    def insert_direct(self, rows: list[AddressRow]) -> None:
        before = self.raw.total_changes
        try:
            self._insert(TABLE, rows)
        except sqlite3.IntegrityError:
            # Statements before the failing group went in; find the offending row one by one.
            start = self.raw.total_changes - before
            for row in rows[start:]:
                try:
                    self.raw.execute(
                        f"INSERT INTO {TABLE} ({COLUMN_LIST}) VALUES ({', '.join('?' * len(COLUMNS))})", row
                    )
                except sqlite3.IntegrityError:
                    raise DuplicateId(row[0]) from None
            raise

    def tune(self) -> None:
        self._cache = self.one("PRAGMA cache_size")
        # 128 MB of page cache and two sorter threads speed up the index builds; each sorter thread
        # may use about as much again, which keeps the process well under 1 GB.
        self.execute("PRAGMA cache_size = -131072")
        self.execute("PRAGMA threads = 2")

    def untune(self) -> None:
        self.execute(f"PRAGMA cache_size = {int(self._cache)}")
        self.execute("PRAGMA threads = 0")

    def create_stage(self) -> None:
        self.drop_stage()
        self.execute(f"CREATE TEMP TABLE {STAGE} AS SELECT {COLUMN_LIST} FROM {TABLE} WHERE 0")

    def begin_staging(self) -> None:
        # A deferred transaction on the temp table only: the main database stays unlocked. Inside
        # an outer transaction (tests, a caller's atomic block) the rows simply join that one.
        if not self.connection.in_atomic_block:
            self.execute("BEGIN")

    def end_staging(self) -> None:
        if not self.connection.in_atomic_block:
            self.execute("COMMIT")

    def stage(self, rows: list[AddressRow]) -> None:
        self._insert(STAGE, rows)


class _PostgresBackend(_Backend):
    raw: psycopg.Connection[Any]

    def execute(self, sql: str, params: Iterable[Any] = ()) -> Any:
        return super().execute(sql.replace("?", "%s"), params)

    def secondary_indexes(self) -> list[tuple[str, str]]:
        rows = self.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = ?::regclass)",
            (TABLE, TABLE),
        ).fetchall()
        return [(str(n), str(s)) for n, s in rows]

    def _copy(self, table: str, rows: list[AddressRow]) -> None:
        with self.raw.cursor().copy(f"COPY {table} ({COLUMN_LIST}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def insert_direct(self, rows: list[AddressRow]) -> None:
        try:
            self._copy(TABLE, rows)
        except psycopg.errors.UniqueViolation as exc:
            detail = exc.diag.message_detail or ""
            found = re.search(r"=\((\d+)\)", detail)
            raise DuplicateId(found.group(1) if found else "?") from None

    def tune(self) -> None:
        # SET LOCAL ends with the transaction; the server's memory, not ours.
        self.execute("SET LOCAL maintenance_work_mem = '256MB'")
        self.execute("SET LOCAL synchronous_commit = off")

    def create_stage(self) -> None:
        self.drop_stage()
        self.execute(f"CREATE TEMP TABLE {STAGE} AS SELECT {COLUMN_LIST} FROM {TABLE} WITH NO DATA")

    def stage(self, rows: list[AddressRow]) -> None:
        self._copy(STAGE, rows)

    def after_commit(self) -> None:
        # Fresh statistics for the planner, and a visibility map so the radius query can be answered
        # from the index alone.
        self.execute(f"VACUUM (ANALYZE) {TABLE}")


def backend_for(using: str) -> _Backend:
    connection = connections[using]
    if connection.vendor == "sqlite":
        return _SqliteBackend(connection)
    if connection.vendor == "postgresql":
        return _PostgresBackend(connection)
    raise ImportFailed(f"Importeren werkt met SQLite en PostgreSQL, niet met {connection.vendor}.")


def _progress(source: AddressSource, enabled: bool) -> tqdm[Any]:
    if source.rows_total:
        return tqdm(total=source.rows_total, unit=" adressen", unit_scale=True, desc=source.label, disable=not enabled)
    return tqdm(total=source.bytes_total, unit="B", unit_scale=True, desc=source.label, disable=not enabled)


def _advance(bar: tqdm[Any], source: AddressSource, rows: int) -> None:
    if source.rows_total:
        bar.update(rows)
    else:
        bar.update(source.bytes_read - bar.n)


_DONE = object()


def _prefetched(batches: Iterator[list[AddressRow]], depth: int = 2) -> Iterator[list[AddressRow]]:
    """Read the next batches in a thread while the database writes this one.

    sqlite3 and psycopg release the GIL while the database works, so reading and checking the file
    overlaps with writing on a second core. Errors in the reader come out here, in order.
    """
    results: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                results.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    break
            else:
                put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()  # in this thread, where the source opened its files

    thread = threading.Thread(target=produce, name="adressen-lezen", daemon=True)
    thread.start()
    try:
        while True:
            item = results.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def load_addresses(source: AddressSource, *, using: str = "default", progress: bool = True) -> LoadResult:
    """Import every address of `source`; all or nothing. Raises ImportFailed on bad input."""
    backend = backend_for(using)
    started = time.perf_counter()
    # Millions of short-lived tuples make the cyclic garbage collector run constantly for nothing:
    # none of them can form a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if Address.objects.using(using).exists():
            result = _update(backend, source, using, progress)
        else:
            result = _first_load(backend, source, using, progress)
    except DuplicateId as dup:
        places = source.locate(dup.nummeraanduiding_id)
        where = " en ".join(places) if places else "het bestand"
        raise ImportFailed(
            f"{source.label}: nummeraanduiding {dup.nummeraanduiding_id} komt meer dan eens voor ({where}). "
            "Een adres mag maar één keer in het bestand staan. Verwijder de dubbele regel en importeer "
            "opnieuw; er is niets opgeslagen."
        ) from None
    finally:
        if collecting:
            gc.enable()
    result.seconds = time.perf_counter() - started
    return result


def _first_load(backend: _Backend, source: AddressSource, using: str, progress: bool) -> LoadResult:
    result = LoadResult(path="eerste import")
    with _progress(source, progress) as bar:
        with transaction.atomic(using=using):
            backend.tune()
            try:
                indexes = backend.secondary_indexes()
                backend.drop_indexes(indexes)
                mark = time.perf_counter()
                for rows in _prefetched(source.batches()):
                    mark = result.add("lezen", mark)
                    backend.insert_direct(rows)
                    mark = result.add("schrijven", mark)
                    result.read += len(rows)
                    _advance(bar, source, len(rows))
                bar.set_postfix_str("indexen opbouwen")
                backend.create_indexes(indexes)
                mark = result.add("indexen", mark)
            finally:
                backend.untune()
            transaction.on_commit(lambda: _timed(result, "vacuum", backend.after_commit), using=using)
        result.add("commit", mark)
    result.created = result.read
    return result


def _timed(result: LoadResult, phase: str, work: Any) -> None:
    started = time.perf_counter()
    work()
    result.add(phase, started)


def _update(backend: _Backend, source: AddressSource, using: str, progress: bool) -> LoadResult:
    result = LoadResult(path="bijwerken")
    backend.create_stage()
    try:
        with _progress(source, progress) as bar:
            backend.begin_staging()
            mark = time.perf_counter()
            try:
                for rows in _prefetched(source.batches()):
                    mark = result.add("lezen", mark)
                    backend.stage(rows)
                    mark = result.add("schrijven", mark)
                    result.read += len(rows)
                    _advance(bar, source, len(rows))
            finally:
                backend.end_staging()
            duplicate = backend.one(
                f"SELECT nummeraanduiding_id FROM {STAGE} GROUP BY nummeraanduiding_id HAVING COUNT(*) > 1 LIMIT 1"
            )
            if duplicate:
                raise DuplicateId(duplicate)
            mark = result.add("controleren", mark)
            bar.set_postfix_str("samenvoegen")
            columns = [c for c in UPDATABLE if c in source.provides]
            with transaction.atomic(using=using):
                backend.tune()
                try:
                    existing = backend.one(f"SELECT COUNT(*) FROM {TABLE}")
                    result.created = backend.one(
                        f"SELECT COUNT(*) FROM {STAGE} s WHERE NOT EXISTS "
                        f"(SELECT 1 FROM {TABLE} a WHERE a.nummeraanduiding_id = s.nummeraanduiding_id)"
                    )
                    # Rewriting most of the table: cheaper to rebuild the indexes than to maintain them.
                    indexes = backend.secondary_indexes() if result.read > existing else []
                    backend.drop_indexes(indexes)
                    changed = backend.execute(_upsert_sql(columns)).rowcount
                    backend.create_indexes(indexes)
                    mark = result.add("samenvoegen", mark)
                finally:
                    backend.untune()
                transaction.on_commit(lambda: _timed(result, "vacuum", backend.after_commit), using=using)
            result.add("commit", mark)
            result.updated = changed - result.created
            result.unchanged = result.read - result.created - result.updated
    finally:
        backend.drop_stage()
    return result


def _upsert_sql(columns: list[str]) -> str:
    assignments = ", ".join(f"{c} = excluded.{c}" for c in columns)
    mine = ", ".join(f"{TABLE}.{c}" for c in columns)
    theirs = ", ".join(f"excluded.{c}" for c in columns)
    # "WHERE true" settles an SQLite parsing ambiguity between ON CONFLICT and a join's ON.
    return (
        f"INSERT INTO {TABLE} ({COLUMN_LIST}) SELECT {COLUMN_LIST} FROM {STAGE} WHERE true "
        f"ON CONFLICT (nummeraanduiding_id) DO UPDATE SET {assignments} WHERE ({mine}) <> ({theirs})"
    )
