"""The production recipe (deploy/) agrees with the code: it sets only settings the app reads, runs the
processes the docs name, and installs the locked dependencies. (No container runtime in CI: the smoke
test, tests/smoke, starts the same processes on this machine instead.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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
