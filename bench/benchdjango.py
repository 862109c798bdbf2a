"""Start Django for a benchmark script, on SQLite or on the PostgreSQL database DATABASE_URL names.

Every benchmark needs the same production-like settings (no HTTPS redirects, the test client's host)
and, on a fresh machine, its PostgreSQL database created first; this is the one place that does it.
Call `setup()` before importing anything from Django or the project.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _ensure_postgres_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when it is not there yet (as on a fresh machine)."""
    from urllib.parse import urlsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup(sqlite_path: Path, **environment: str) -> None:
    """Set the benchmark's environment defaults (SQLITE_PATH and any extra ones) and start Django."""
    sys.path.insert(0, str(BASE_DIR))
    defaults = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-secret-key",
        "SQLITE_PATH": str(sqlite_path),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        **environment,
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        _ensure_postgres_database(os.environ["DATABASE_URL"])

    import django

    django.setup()


def database_cpu_seconds() -> float:
    """CPU time used so far by the PostgreSQL server process behind Django's connection (0 on SQLite,
    where the database works inside this process, so its time is in our own CPU time already).

    On a busy shared machine a request's wall time is mostly waiting for a CPU; this process's CPU
    time plus the database's is the work the request needs, whatever else the machine is doing.
    The server runs on this machine, so its /proc entry is readable."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
