"""Settings for running on many machines: PgBouncer, a read replica, S3 storage (core/deployment.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connections
from django.test import Client, RequestFactory, override_settings
from django.utils.module_loading import import_string

from buurtonderzoek.core import deployment
from buurtonderzoek.core.dbrouter import STICKY_COOKIE, ReplicaRouter, primary_reads, reads_from_replica, replica_reads
from buurtonderzoek.incidents.models import Incident

PRIMARY = "postgres://app:geheim@db:5432/buurtonderzoek"
REPLICA = "postgres://app:geheim@replica:5432/buurtonderzoek"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("DATABASE_URL", "DATABASE_POOL", "DATABASE_REPLICA_URL", "DATABASE_CONN_MAX_AGE", "STORAGE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_it_uses_sqlite_without_a_database_url(env: pytest.MonkeyPatch) -> None:
    databases = deployment.databases(Path("/srv/db.sqlite3"))
    assert list(databases) == ["default"]
    assert databases["default"]["ENGINE"] == "buurtonderzoek.core.sqlite"
    assert "journal_mode=WAL" in databases["default"]["OPTIONS"]["init_command"]


def test_each_process_keeps_its_sqlite_connection(env: pytest.MonkeyPatch) -> None:
    # A connection per request made SQLite checkpoint and delete the WAL whenever none was left open.
    assert deployment.databases(Path("/srv/db.sqlite3"))["default"]["CONN_MAX_AGE"] == 60
    env.setenv("DATABASE_CONN_MAX_AGE", "0")
    assert deployment.databases(Path("/srv/db.sqlite3"))["default"]["CONN_MAX_AGE"] == 0


def test_it_keeps_connections_open_a_while_without_a_pooler(env: pytest.MonkeyPatch) -> None:
    env.setenv("DATABASE_URL", PRIMARY)
    default = deployment.databases(Path("unused"))["default"]
    assert (default["HOST"], default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == ("db", 60, True)
    assert not default.get("DISABLE_SERVER_SIDE_CURSORS")


def test_it_gives_up_persistent_connections_server_cursors_and_prepared_statements_behind_pgbouncer(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("DATABASE_URL", PRIMARY)
    env.setenv("DATABASE_POOL", "pgbouncer")
    default = deployment.databases(Path("unused"))["default"]
    assert default["CONN_MAX_AGE"] == 0
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert default["OPTIONS"]["prepare_threshold"] is None


def test_it_refuses_an_unknown_pool_mode(env: pytest.MonkeyPatch) -> None:
    env.setenv("DATABASE_URL", PRIMARY)
    env.setenv("DATABASE_POOL", "pgpool")
    with pytest.raises(ValueError, match="DATABASE_POOL"):
        deployment.databases(Path("unused"))


def test_it_adds_the_replica_which_mirrors_the_primary_in_tests(env: pytest.MonkeyPatch) -> None:
    env.setenv("DATABASE_URL", PRIMARY)
    env.setenv("DATABASE_REPLICA_URL", REPLICA)
    env.setenv("DATABASE_POOL", "pgbouncer")
    databases = deployment.databases(Path("unused"))
    assert databases["replica"]["HOST"] == "replica"
    assert databases["replica"]["CONN_MAX_AGE"] == 0
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}


def test_a_replica_without_a_primary_url_is_ignored_on_sqlite(env: pytest.MonkeyPatch) -> None:
    env.setenv("DATABASE_REPLICA_URL", REPLICA)
    assert list(deployment.databases(Path("x.sqlite3"))) == ["default"]


class TestRouter:
    router = ReplicaRouter(replica=True)

    def test_reads_go_to_the_primary_unless_a_view_asks_for_the_replica(self) -> None:
        assert self.router.db_for_read(Incident) is None
        with replica_reads():
            assert self.router.db_for_read(Incident) == "replica"
        assert self.router.db_for_read(Incident) is None

    def test_writes_always_go_to_the_primary(self) -> None:
        with replica_reads():
            assert self.router.db_for_write(Incident) == "default"

    def test_without_a_replica_reads_stay_on_the_primary(self) -> None:
        with replica_reads():
            assert ReplicaRouter(replica=False).db_for_read(Incident) is None

    def test_the_router_looks_for_the_replica_in_the_settings(self) -> None:
        with replica_reads():  # the tests run without DATABASE_REPLICA_URL
            assert ReplicaRouter().db_for_read(Incident) is None

    def test_who_may_see_what_and_jobs_are_always_read_from_the_primary(self) -> None:
        from django.contrib.sessions.models import Session

        from buurtonderzoek.accounts.models import Membership, Team, User
        from buurtonderzoek.jobs.models import Job

        with replica_reads():
            assert [self.router.db_for_read(m) for m in (Session, User, Membership, Job)] == [None] * 4
            assert self.router.db_for_read(Team) == "replica"  # a team's name and buurten are no access rule

    def test_a_person_who_just_sent_a_form_reads_the_primary(self) -> None:
        with primary_reads(), replica_reads():
            assert self.router.db_for_read(Incident) is None

    def test_inside_a_transaction_on_the_primary_reads_stay_there(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)
        with replica_reads():
            assert self.router.db_for_read(Incident) is None

    def test_the_replica_is_never_migrated(self) -> None:
        assert self.router.allow_migrate("replica", "incidents") is False
        assert self.router.allow_migrate("default", "incidents") is True

    def test_the_decorator_routes_reads_only_while_the_view_runs(self) -> None:
        seen: list[str | None] = []

        @reads_from_replica
        def view(request: object) -> str:
            seen.append(self.router.db_for_read(Incident))
            return "ok"

        assert view(RequestFactory().get("/")) == "ok"
        assert seen == ["replica"]
        assert self.router.db_for_read(Incident) is None


@pytest.mark.django_db
def test_without_a_replica_sending_a_form_sets_no_cookie(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and STICKY_COOKIE not in response.cookies


def test_it_keeps_files_on_the_local_disk_by_default(env: pytest.MonkeyPatch) -> None:
    assert deployment.default_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_it_refuses_s3_without_a_bucket(env: pytest.MonkeyPatch) -> None:
    env.setenv("STORAGE", "s3")
    env.delenv("S3_BUCKET", raising=False)
    with pytest.raises(ValueError, match="S3_BUCKET"):
        deployment.default_storage()


def test_s3_storage_gives_private_links_that_expire(env: pytest.MonkeyPatch) -> None:
    env.setenv("STORAGE", "s3")
    env.setenv("S3_BUCKET", "buurtonderzoek")
    env.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    env.setenv("S3_ACCESS_KEY_ID", "minio")
    env.setenv("S3_SECRET_ACCESS_KEY", "minio-secret")
    env.setenv("S3_URL_SECONDS", "120")
    config = deployment.default_storage()
    storage = import_string(config["BACKEND"])(**config["OPTIONS"])
    # Signing a link needs no network: the URL names the bucket in the path and expires in two minutes.
    url = storage.url("verslagen/12.pdf")
    assert url.startswith("http://127.0.0.1:9000/buurtonderzoek/verslagen/12.pdf?")
    assert "X-Amz-Expires=120" in url and "X-Amz-Signature=" in url
    assert storage.default_acl is None and storage.file_overwrite is False


def test_the_default_storage_setting_is_what_files_are_written_through(tmp_path: Path) -> None:
    with override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}):
        name = storages["default"].save("x/verslag.pdf", ContentFile(b"%PDF-1.7"))
        assert storages["default"].open(name).read() == b"%PDF-1.7"


@pytest.mark.django_db
def test_the_health_check_answers_ok_when_database_and_cache_work(client: Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_health_check_says_what_is_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis weg")

    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/healthz")
    assert (response.status_code, response.content.decode()) == (503, "niet gezond: cache\n")


@pytest.mark.django_db
def test_the_health_check_is_not_redirected_to_https(client: Client) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 301
