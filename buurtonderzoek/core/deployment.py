"""The settings that change when the app outgrows one machine, built from the environment.

config/settings.py calls these; they are functions so tests can build the settings for any environment
without reloading Django. docs/deployment.md describes each variable; .env.example lists the defaults.

- `databases()`: SQLite (WAL) by default; PostgreSQL through DATABASE_URL, optionally behind PgBouncer
  in transaction-pooling mode (DATABASE_POOL=pgbouncer), and optionally with a read replica
  (DATABASE_REPLICA_URL) that `buurtonderzoek.core.dbrouter` sends the read-only report pages to.
- `default_storage()`: generated files (PDFs, letters, exports) on the local disk, or in an
  S3-compatible bucket (STORAGE=s3) through django-storages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from buurtonderzoek.core.env import envint, envstr

SQLITE_OPTIONS = {
    # WAL lets the background worker write while pages read; IMMEDIATE avoids "database is locked" on
    # upgrade from a read to a write transaction.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    "transaction_mode": "IMMEDIATE",
}
POOL_MODES = {"", "pgbouncer"}


def _postgres(url: str, pool: str) -> dict[str, Any]:
    if pool == "pgbouncer":
        # Transaction pooling hands each transaction any server connection: a connection kept open by
        # Django would pin one for nothing, a named cursor (server-side cursor, .iterator()) would outlive
        # its transaction, and a prepared statement would be missing on the next server connection.
        config = dj_database_url.parse(url, conn_max_age=0)
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        config.setdefault("OPTIONS", {})["prepare_threshold"] = None
    else:
        # Without a pooler each process keeps its connection a while instead of reconnecting per request.
        config = dj_database_url.parse(url, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60))
        config["CONN_HEALTH_CHECKS"] = True
    return dict(config)


def databases(sqlite_path: Path) -> dict[str, dict[str, Any]]:
    url = envstr("DATABASE_URL", "")
    pool = envstr("DATABASE_POOL", "")
    if pool not in POOL_MODES:
        raise ValueError(f"DATABASE_POOL must be empty or 'pgbouncer', not {pool!r}")
    if not url:
        return {
            "default": {
                "ENGINE": "buurtonderzoek.core.sqlite",  # Django's, with writers waiting in line (core/sqlite)
                "NAME": str(sqlite_path),
                "OPTIONS": SQLITE_OPTIONS,
                # Each process keeps its connection. When the last connection to a WAL database closes,
                # SQLite checkpoints, syncs and deletes the WAL file, and the next write creates it again:
                # with a connection per request that happened whenever no other request had one open,
                # and cost a visit sync 18-35 ms under load (docs/performance.md, "Belasting").
                "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", 60),
                # Tests in memory, as Django does for its own SQLite engine. Said here because
                # pytest-django recognises only that engine's name: for ours it made each xdist worker
                # a test database named "test_<path>_gw0", a file that cannot be opened.
                "TEST": {"NAME": ":memory:"},
            }
        }
    result = {"default": _postgres(url, pool)}
    replica_url = envstr("DATABASE_REPLICA_URL", "")
    if replica_url:
        replica = _postgres(replica_url, pool)
        # Tests run against the primary only: the replica alias reads the primary's test database.
        replica["TEST"] = {"MIRROR": "default"}
        result["replica"] = replica
    return result


def default_storage() -> dict[str, Any]:
    kind = envstr("STORAGE", "local")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ValueError(f"STORAGE must be 'local' or 's3', not {kind!r}")
    bucket = envstr("S3_BUCKET", "")
    if not bucket:
        raise ValueError("STORAGE=s3 needs S3_BUCKET")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": envstr("S3_ENDPOINT_URL", "") or None,  # MinIO, Ceph, a Dutch cloud; empty: AWS
            "region_name": envstr("S3_REGION", "") or None,
            "access_key": envstr("S3_ACCESS_KEY_ID", "") or None,  # empty: the instance's IAM role
            "secret_key": envstr("S3_SECRET_ACCESS_KEY", "") or None,
            "location": envstr("S3_PREFIX", ""),
            # MinIO and most non-AWS stores want bucket names in the path, not in the host name.
            "addressing_style": envstr("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",  # what MinIO and every AWS region accept for signed links
            # The files hold personal data: a private bucket, and links that stop working soon.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": envint("S3_URL_SECONDS", 300),
            # A job that writes the same name twice gets a second file, never someone else's replaced.
            "file_overwrite": False,
        },
    }
