"""The production recipe (deploy/) agrees with the code: it sets only settings the app reads, runs the
processes the docs name, and installs the locked dependencies. (No container runtime in CI: the smoke
test, tests/smoke, starts the same processes on this machine instead.)

Without a Docker daemon the compose file is checked as far as it can be offline: Debian's docker-compose
(Makefile APT_PACKAGES) validates it against the Compose schema and resolves the variables, which needs
no daemon; the tests below check what a schema cannot (pinned images, health checks behind every
"service_healthy", the pooler's port, the same processes as the smoke test)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_docs import settings_read_by_the_code

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "migrate")


def test_it_has_every_part_the_deployment_guide_names() -> None:
    assert {"caddy", "web", "worker", "migrate", "postgres", "pgbouncer", "redis", "minio"} <= set(SERVICES)


def test_the_app_containers_set_only_settings_the_app_reads() -> None:
    read = settings_read_by_the_code()
    for name in APP_SERVICES:
        unknown = set(SERVICES[name]["environment"]) - read
        assert not unknown, f"{name}: {sorted(unknown)}"


def test_web_and_workers_run_several_processes_through_the_pooler() -> None:
    web, worker = SERVICES["web"], SERVICES["worker"]
    assert web["command"].startswith("gunicorn config.wsgi") and "--workers 3" in web["command"]
    assert worker["command"].startswith("python manage.py db_worker")
    assert "--no-scheduler" not in worker["command"]  # the workers run the scheduled jobs
    for service in (web, worker):
        assert service["deploy"]["replicas"] >= 2
        assert service["environment"]["DATABASE_POOL"] == "pgbouncer"
        assert "@pgbouncer:6432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["STORAGE"] == "s3"
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert SERVICES["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"


def test_migrations_bypass_the_pooler() -> None:
    env = SERVICES["migrate"]["environment"]
    assert "@postgres:5432/" in env["DATABASE_URL"] and env["DATABASE_POOL"] == ""


def test_the_proxy_checks_the_apps_health_url() -> None:
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy web:8000" in caddyfile and "health_uri /healthz" in caddyfile


def test_the_image_installs_the_locked_runtime_dependencies_with_hashes() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"pip install [^\n]*--require-hashes[^\n]*-r requirements/runtime.txt", dockerfile)
    assert "collectstatic" in dockerfile


# Exact releases only: 2.10.2, 16.8, v1.25.2-p0 (PgBouncer 1.25.2, image build 0), RELEASE.2025-05-24T17-08-30Z.
EXACT_TAG = re.compile(r"^(v?\d+(\.\d+)+(-p\d+)?|RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)$")
SMOKE = (ROOT / "tests" / "smoke" / "test_smoke.py").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The compose file as `docker compose` would run it: validated, with deploy/env.example filled in."""
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose (Debian package) is missing: `make setup` installs it"
    env = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8")
    env = re.sub(r"^(SECRET_KEY|POSTGRES_PASSWORD|MINIO_ROOT_PASSWORD)=$", r"\1=test-secret", env, flags=re.M)
    env_file = tmp_path_factory.mktemp("compose") / ".env"
    env_file.write_text(env, encoding="utf-8")
    result = subprocess.run(  # noqa: S603
        [tool, "-f", str(ROOT / "deploy" / "compose.yaml"), "--env-file", str(env_file), "config"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_docker_compose_refuses_the_file_without_the_secrets(tmp_path: Path) -> None:
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose (Debian package) is missing: `make setup` installs it"
    (tmp_path / ".env").write_text((ROOT / "deploy" / "env.example").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(  # noqa: S603
        [tool, "-f", str(ROOT / "deploy" / "compose.yaml"), "--env-file", str(tmp_path / ".env"), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    # The first empty secret it meets (the order of the services varies) stops it, naming the file to fill in.
    assert result.returncode != 0
    assert re.search(r"set (SECRET_KEY|POSTGRES_PASSWORD|MINIO_ROOT_PASSWORD) in deploy/\.env", result.stderr)


def test_every_image_is_pinned_to_an_exact_release(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        repository, _, tag = service["image"].rpartition(":")
        assert repository and tag and tag != "latest", f"{name}: {service['image']}"
        if "build" in service:
            assert repository == "buurtonderzoek" and tag == "local", name  # built here, tagged by APP_VERSION
        else:
            assert EXACT_TAG.match(tag), f"{name}: {service['image']} is not an exact release"
    assert "latest" not in (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", (ROOT / "deploy" / "Dockerfile").read_text(), re.M)


def test_the_exact_tag_pattern_refuses_floating_tags() -> None:
    # Guards the pattern above: a major version alone is not a release.
    assert [bool(EXACT_TAG.match(t)) for t in ("7", "16", "2", "latest", "7.4", "v1.25.2-p0")] == [
        False, False, False, False, True, True,
    ]  # fmt: skip


def test_what_others_wait_for_to_be_healthy_has_a_health_check(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    waited_for = set()
    for service in services.values():
        for other, condition in service.get("depends_on", {}).items():
            if condition["condition"] == "service_healthy":
                waited_for.add(other)
                assert services[other].get("healthcheck", {}).get("test"), other
            elif condition["condition"] == "service_completed_successfully":
                assert services[other]["restart"] == "no", other  # a one-off job, not a service
    assert {"postgres", "pgbouncer", "redis", "minio"} <= waited_for
    assert services["web"]["healthcheck"]["test"][-1].endswith("urlopen('http://localhost:8000/healthz', timeout=5)")


def test_the_pooler_listens_where_the_app_connects(resolved: dict[str, Any]) -> None:
    pooler = resolved["services"]["pgbouncer"]
    port = pooler["environment"]["LISTEN_PORT"]
    assert f"-p {port}" in " ".join(pooler["healthcheck"]["test"])
    for name in ("web", "worker"):
        assert f"@pgbouncer:{port}/" in resolved["services"][name]["environment"]["DATABASE_URL"], name


def test_the_recipe_runs_the_processes_the_smoke_test_starts(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    # The smoke test starts `gunicorn config.wsgi` and `manage.py db_worker` against PgBouncer in
    # transaction mode with the same startup parameters ignored: the compose file runs those very things.
    assert '"gunicorn", "config.wsgi"' in SMOKE and '"manage.py", "db_worker"' in SMOKE
    assert services["web"]["command"].startswith("gunicorn config.wsgi ")
    assert services["worker"]["command"].startswith("python manage.py db_worker ")
    smoke_ini = dict(re.findall(r"^(pool_mode|ignore_startup_parameters) = (.+)$", SMOKE, flags=re.M))
    pooler = services["pgbouncer"]["environment"]
    assert smoke_ini == {
        "pool_mode": pooler["POOL_MODE"],
        "ignore_startup_parameters": pooler["IGNORE_STARTUP_PARAMETERS"],
    }
