"""The production recipe (deploy/) agrees with the code: it sets only settings the app reads, runs the
processes the docs name, and installs the locked dependencies. (No container runtime in CI: the smoke
test starts the same processes on this machine instead, with tests/smoke/recipe.py.)

Without a Docker daemon the compose file is checked as far as it can be offline: Debian's docker-compose
(Makefile APT_PACKAGES) validates it against the Compose schema and resolves the variables, which needs
no daemon; the tests below check what a schema cannot (pinned images, health checks behind every
"service_healthy", the pooler's port, the same processes as the smoke test)."""

from __future__ import annotations

import gc
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import gunicorn
from tests.smoke import recipe
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
    assert web["command"].startswith("gunicorn -c config/gunicorn.py config.wsgi") and "--workers 3" in web["command"]
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
SMOKE = (ROOT / "tests" / "smoke" / "recipe.py").read_text(encoding="utf-8")


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


def test_every_web_process_starts_with_the_gunicorn_settings_the_benchmark_measured() -> None:
    """compose, the image, the smoke test and bench_load.py all read config/gunicorn.py, so the threads and
    the connection limit measured under load (docs/performance.md) are what runs."""
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert '"gunicorn", "-c", "config/gunicorn.py", "config.wsgi"' in dockerfile
    assert "config/gunicorn.py" in (ROOT / "bench" / "bench_load.py").read_text(encoding="utf-8")
    assert "from config.gunicorn import" in (ROOT / "bench" / "load_probe.py").read_text(encoding="utf-8")
    assert gunicorn.worker_class == "gthread" and gunicorn.threads > 1
    # A worker takes a connection only when a thread is free; the rest wait in the shared listen queue.
    assert gunicorn.worker_connections == gunicorn.threads and gunicorn.keepalive == 0
    assert "post_worker_init" in (ROOT / "bench" / "load_probe.py").read_text(encoding="utf-8")


def test_a_web_worker_keeps_what_it_loaded_out_of_the_garbage_collectors_full_passes() -> None:
    gc.unfreeze()
    try:
        gunicorn.post_worker_init(None)
        assert gc.get_freeze_count() > 1000  # Django and the app, loaded by this test run
    finally:
        gc.unfreeze()


def test_the_recipe_runs_the_processes_the_smoke_test_starts(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    # The smoke test starts `gunicorn -c config/gunicorn.py config.wsgi` and `manage.py db_worker` against
    # PgBouncer in transaction mode with the same startup parameters ignored: the compose file runs those
    # very things, as many web processes and workers, with the same gunicorn options.
    assert '"gunicorn", "-c", "config/gunicorn.py", "config.wsgi"' in SMOKE and '"manage.py", "db_worker"' in SMOKE
    assert services["web"]["command"].startswith("gunicorn -c config/gunicorn.py config.wsgi ")
    assert services["worker"]["command"].startswith("python manage.py db_worker ")
    for option in ('"--access-logfile", "-"',):
        assert option in SMOKE and option.replace('"', "").replace(",", "") in services["web"]["command"], option
    assert (
        services["web"]["deploy"]["replicas"],
        services["worker"]["deploy"]["replicas"],
    ) == (recipe.WEB_PROCESSES, recipe.WORKERS)
    smoke_ini = dict(re.findall(r"^(pool_mode|ignore_startup_parameters) = (.+)$", SMOKE, flags=re.M))
    pooler = services["pgbouncer"]["environment"]
    assert smoke_ini == {
        "pool_mode": pooler["POOL_MODE"],
        "ignore_startup_parameters": pooler["IGNORE_STARTUP_PARAMETERS"],
    }


def test_the_smoke_test_sets_the_app_up_as_compose_does(resolved: dict[str, Any]) -> None:
    # The settings that connect the parts: the same switches (S3 storage, one trusted TLS proxy), the
    # same kinds of URL, and nothing the app does not read.
    compose = resolved["services"]["web"]["environment"]
    smoke = recipe.app_environment(
        "https://localhost:8443", "postgres://db/x", "redis://cache:6379/0", "http://s3:9000"
    )
    for name in ("STORAGE", "BEHIND_PROXY", "TRUSTED_PROXY_COUNT", "S3_BUCKET"):
        assert smoke[name] == str(compose[name]), name
    connecting = {name for name in compose if name.startswith(("S3_", "DATABASE_URL", "REDIS_URL", "SITE_URL"))}
    assert connecting <= set(smoke)
    process_only = {"DJANGO_SETTINGS_MODULE", "PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONUNBUFFERED"}
    assert set(smoke) - process_only - settings_read_by_the_code() == set()


def test_the_smoke_test_runs_the_deployed_caddyfile_with_local_upstreams() -> None:
    local = recipe.caddyfile("localhost:8443", [9001, 9002], 9080)
    assert "reverse_proxy 127.0.0.1:9001 127.0.0.1:9002 {" in local and "web:8000" not in local
    deployed = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    for directive in ("lb_policy least_conn", "health_uri /healthz", "Strict-Transport-Security", "max_size 25MB"):
        assert directive in deployed and directive in local, directive


@pytest.mark.parametrize("which", ["deploy", "smoke"])
def test_caddy_accepts_the_caddyfile(which: str, tmp_path: Path) -> None:
    # Debian's caddy (Makefile APT_PACKAGES) parses it offline, as the caddy image would at start-up.
    caddy = shutil.which("caddy")
    assert caddy, "caddy (Debian package) is missing: `make setup` installs it"
    path = tmp_path / "Caddyfile"
    if which == "deploy":
        path.write_text((ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8"), encoding="utf-8")
    else:
        path.write_text(recipe.caddyfile("localhost:8443", [9001, 9002], 9080), encoding="utf-8")
    result = subprocess.run(  # noqa: S603
        [caddy, "adapt", "--config", str(path), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "SITE_DOMAIN": "buurtonderzoek.example.nl", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    adapted = json.loads(result.stdout)
    routes = json.dumps(adapted["apps"]["http"]["servers"])
    assert '"handler": "reverse_proxy"' in routes
    hosts = "buurtonderzoek.example.nl" if which == "deploy" else "localhost"
    assert f'"{hosts}"' in routes
