"""deploy/compose.yaml's topology as plain processes on this machine (docs/deployment.md, "Zonder Docker").

The same programs the compose file runs, each as its own process on a free port, logging to its own file:

    Caddy (TLS, deploy/Caddyfile)  ->  gunicorn x2 (2 workers each)  ->  PgBouncer (transaction pooling)
                                        db_worker x2 (tasks + scheduled jobs)       -> PostgreSQL
                                        Redis (the shared cache), moto's S3 server (the generated files)

PostgreSQL is the machine's own cluster (SMOKE_POSTGRES, default 127.0.0.1:5432, user postgres): the
database `bo_smoke` is made afresh, migrated straight (as compose's `migrate` service does) and given the
demo town. Everything else is started here and stopped again.

By hand, for a demo (Ctrl-C stops it all):

    .venv/bin/python -m tests.smoke.recipe

The smoke test (tests/smoke/test_smoke.py) uses `running()` and walks a journey through it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import boto3
import psycopg

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PG_ADMIN = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "bo_smoke"
BUCKET = "buurtonderzoek"
# Debian's packages (Makefile APT_PACKAGES); without pgbouncer the app talks to PostgreSQL directly.
PGBOUNCER = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else "")
CADDY = shutil.which("caddy") or ""
REDIS_SERVER = shutil.which("redis-server") or ""
WEB_PROCESSES = 2  # gunicorn processes behind Caddy, as compose's `web` replicas
WEB_WORKERS = 2  # gunicorn workers in each
WORKERS = 2  # db_worker processes, as compose's `worker` replicas
# moto accepts any key; these only have to be the same for the app and the test.
S3_KEY, S3_SECRET = "smoke-access-key", "smoke-secret-key"


class ProcessFailed(RuntimeError):
    """A process of the topology did not start: the message names it and ends with its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


@dataclass
class Topology:
    url: str  # https://localhost:<port>, through Caddy
    ca: Path  # Caddy's local root certificate: what a client trusts for `url`
    env: dict[str, str]  # the web processes' and workers' environment
    logs: Path
    s3_endpoint: str
    web_ports: list[int]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    folder: Path | None = None

    def log(self, name: str) -> str:
        return tail(self.logs / f"{name}.log", 10**9)

    def s3(self) -> object:
        """A boto3 client for the bucket the app writes its files to."""
        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        )

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603 (our programs, our arguments)
            command,
            cwd=ROOT,
            env=env if env is not None else self.env,
            stdout=(self.logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            # Ctrl-C reaches only this program, which then stops the others in order (stop()).
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def wait_for(self, name: str, check: Callable[[], bool], what: str, seconds: float = 120) -> None:
        """Until `check()` is true; fails at once, naming `name`, when that process has exited."""
        deadline = time.monotonic() + seconds
        process = self.processes.get(name)
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise ProcessFailed(
                    f"{name} exited with code {process.returncode} before {what}; "
                    f"{self.logs / (name + '.log')}:\n{tail(self.logs / (name + '.log'))}"
                )
            try:
                if check():
                    return
            except (OSError, urllib.error.URLError, psycopg.OperationalError):
                pass  # not up yet
            time.sleep(0.5)
        raise ProcessFailed(f"{name}: timed out after {seconds:.0f} s waiting until {what}\n{self.all_logs()}")

    def all_logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{tail(p)}" for p in sorted(self.logs.glob("*.log")))

    def stop(self) -> None:
        # In reverse order of starting: the proxy first, the stores last, when nothing uses them any more.
        for process in reversed(self.processes.values()):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes.values()):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def http_ok(url: str, *, host: str = "", context: ssl.SSLContext | None = None) -> bool:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310 (ours)
    with urllib.request.urlopen(request, timeout=10, context=context) as response:  # noqa: S310
        return bool(response.status == 200)


def manage(env: dict[str, str], *args: str, timeout: int = 900) -> str:
    done = subprocess.run(  # noqa: S603 (our interpreter, our command)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise ProcessFailed(f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def app_environment(site_url: str, database_url: str, redis_url: str, s3_endpoint: str) -> dict[str, str]:
    """Production settings (DEBUG off), as compose's x-app block, without what a pytest run set."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    static_root = Path(os.environ.get("STATIC_ROOT", ROOT / "var" / "static"))
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "smoke-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DEBUG": "0",
            # Caddy passes the browser's Host (localhost:<port>) on; the health checks ask with the same.
            "ALLOWED_HOSTS": "localhost",
            "SITE_URL": site_url,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "STORAGE": "s3",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": S3_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            # Caddy terminates TLS and is the only proxy: trust its X-Forwarded-Proto and -For. The secure
            # cookies and the HTTPS redirect keep their production defaults (on). No CSRF_TRUSTED_ORIGINS
            # (compose sets it as a spare): here the origin check passes only if the app sees https.
            "BEHIND_PROXY": "1",
            "TRUSTED_PROXY_COUNT": "1",
            # The hashed files of `collectstatic` when CI made them, else plain names.
            "STATIC_MANIFEST": "1" if (static_root / "staticfiles.json").exists() else "0",
            "STATIC_ROOT": str(static_root),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def caddyfile(site: str, upstreams: list[int], http_port: int) -> str:
    """deploy/Caddyfile itself, with this machine's upstreams for `web:8000` and a few global options:
    no admin endpoint, no plain-HTTP listener on port 80, no attempt to install the local CA system-wide."""
    deployed = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy web:8000 {" in deployed, "deploy/Caddyfile no longer proxies to web:8000"
    local = deployed.replace(
        "reverse_proxy web:8000 {", "reverse_proxy " + " ".join(f"127.0.0.1:{p}" for p in upstreams) + " {"
    ).replace("{$SITE_DOMAIN}", site)
    options = f"""{{
	admin off
	skip_install_trust
	default_bind 127.0.0.1
	http_port {http_port}
	auto_https disable_redirects
}}

"""
    return options + local


@contextmanager
def running(logs: Path) -> Iterator[Topology]:
    """Start the whole topology (minutes: migrations and the demo town), yield it, stop it."""
    for program, package in ((CADDY, "caddy"), (REDIS_SERVER, "redis-server")):
        if not program:
            raise ProcessFailed(f"{package} is not installed: `make system-deps` installs it")
    logs.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="recipe-"))
    folder.chmod(0o755)  # PgBouncer runs as postgres and reads its files from here
    https_port, redis_port, s3_port = free_port(), free_port(), free_port()
    web_ports = [free_port() for _ in range(WEB_PROCESSES)]
    site = f"localhost:{https_port}"
    s3_endpoint = f"http://127.0.0.1:{s3_port}"
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    direct_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{DATABASE}"
    env = app_environment(f"https://{site}", direct_url, redis_url, s3_endpoint)
    caddy_data = folder / "caddy"
    topology = Topology(
        url=f"https://{site}",
        ca=caddy_data / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt",
        env=env,
        logs=logs,
        s3_endpoint=s3_endpoint,
        web_ports=web_ports,
        folder=folder,
    )
    try:
        # The stores: Redis (a cache: nothing kept) and the S3 server with the app's private bucket.
        topology.start(
            "redis",
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        )
        topology.wait_for("redis", lambda: _redis_answers(redis_port), "Redis answers")
        topology.start("s3", [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)])
        topology.wait_for("s3", lambda: http_ok(s3_endpoint + "/moto-api/"), "the S3 server answers")
        topology.s3().create_bucket(Bucket=BUCKET)  # type: ignore[attr-defined]

        # PostgreSQL: a fresh database, migrated straight (not through the pooler) and given the demo town.
        try:
            with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=10) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {DATABASE}")
        except psycopg.OperationalError as error:
            raise ProcessFailed(f"PostgreSQL at {PG_ADMIN} does not answer (.ci/run starts it): {error}") from error
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "compilemessages", "--ignore=.venv", "-v0")
        manage(env, "demo")

        if PGBOUNCER:
            pooled = _start_pgbouncer(topology, folder)
            env.update(DATABASE_URL=pooled, DATABASE_POOL="pgbouncer")

        # The web processes, as compose's `web` command, and the workers, as its `worker` command.
        for number, port in enumerate(web_ports, 1):
            topology.start(
                f"web-{number}",
                [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(WEB_WORKERS), "--access-logfile", "-"],
            )  # fmt: skip
        for number in range(1, WORKERS + 1):
            topology.start(
                f"worker-{number}",
                [PYTHON, "manage.py", "db_worker", "--interval", "0.5", "--worker-id", f"recipe-worker-{number}"],
            )
        for number, port in enumerate(web_ports, 1):
            # Straight to gunicorn, plain HTTP, as Caddy's health checks ask (/healthz is not redirected).
            healthz = partial(http_ok, f"http://127.0.0.1:{port}/healthz", host=site)
            topology.wait_for(f"web-{number}", healthz, "/healthz is 200")

        # The TLS proxy in front, with its own certificate authority for localhost.
        http_port = free_port()
        (folder / "Caddyfile").write_text(caddyfile(site, web_ports, http_port), encoding="utf-8")
        caddy_env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(caddy_data),
            "XDG_DATA_HOME": str(caddy_data / "data"),
            "XDG_CONFIG_HOME": str(caddy_data / "config"),
        }
        topology.start(
            "caddy", [CADDY, "run", "--config", str(folder / "Caddyfile"), "--adapter", "caddyfile"], env=caddy_env
        )
        topology.wait_for(
            "caddy",
            lambda: topology.ca.exists() and http_ok(topology.url + "/healthz", context=topology.tls()),
            "it answers over https",
        )
        yield topology
    finally:
        topology.stop()


def _redis_answers(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")


def _start_pgbouncer(topology: Topology, folder: Path) -> str:
    """PgBouncer in transaction-pooling mode in front of bo_smoke, as deploy/compose.yaml runs it."""
    port = free_port()
    (folder / "users.txt").write_text('"postgres" ""\n', encoding="utf-8")
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
{DATABASE} = host=127.0.0.1 port=5432 dbname={DATABASE}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 8
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
""",
        encoding="utf-8",
    )
    for name in ("users.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    # PgBouncer refuses to run as root: as the postgres user, which can read the folder.
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
    topology.start("pgbouncer", [PGBOUNCER, *as_user, str(folder / "pgbouncer.ini")])
    url = f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    def answers() -> bool:
        with psycopg.connect(url, prepare_threshold=None, connect_timeout=5) as connection:
            return connection.execute("SELECT 1").fetchone() == (1,)

    topology.wait_for("pgbouncer", answers, "PgBouncer answers")
    return url


def main() -> None:
    logs = Path(tempfile.mkdtemp(prefix="recipe-logs-"))
    print(f"Starting (migrations and the demo town take a few minutes); logs in {logs}", flush=True)
    with running(logs) as topology:
        print(
            f"\n{topology.url}  (Caddy's local CA: {topology.ca}; curl --cacert it, or accept it in the browser)\n"
            f"web processes on {', '.join(str(p) for p in topology.web_ports)}, S3 at {topology.s3_endpoint}\n"
            "log in as coordinator@demo.buurtonderzoek.nl / demo-wachtwoord-2026. Ctrl-C stops everything.",
            flush=True,
        )
        try:
            while all(process.poll() is None for process in topology.processes.values()):
                time.sleep(1)
            stopped = [name for name, process in topology.processes.items() if process.poll() is not None]
            print(f"stopped by itself: {', '.join(stopped)}; see {logs}", file=sys.stderr)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
