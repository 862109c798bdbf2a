"""gunicorn's settings for every web process: `gunicorn -c config/gunicorn.py config.wsgi --bind ... --workers N`.

deploy/compose.yaml, deploy/Dockerfile, the smoke test (tests/smoke/recipe.py) and the load benchmark
(bench/bench_load.py) all start gunicorn with this file, so what is measured is what runs.

- Threads (gthread): a visit sync spends two thirds of its time waiting for the database (on PostgreSQL
  each statement is a round trip and the commit waits for the WAL flush; on SQLite a writer waits for the
  write lock). With threads a worker serves other requests meanwhile. 50 phones syncing against 2 workers
  (docs/performance.md, "Belasting"): 2 x 4 threads carried about twice the visits of 2 sync workers.
- `worker_connections = threads` and no keep-alive: a worker accepts a connection only when it has a free
  thread. gthread otherwise accepts up to 1,000 connections per worker into its own queue, so one worker's
  queue grew while the other sat idle, which doubled the slowest answers (p99). Now waiting requests stay
  in the kernel's listen queue, which all workers take from in turn. The TLS proxy in front keeps the
  browsers' connections alive; between proxy and gunicorn a connection per request costs little on a local
  network.
- `timeout`: a request that takes a minute is a bug; slow work goes to the workers (docs/jobs.md).
- `gc.freeze()` once a worker has loaded the application: Python's full garbage collection otherwise walks
  every object of Django and the app again, pausing a request 110-230 ms about every third or fourth page of
  the national benchmark (docs/performance.md). What is loaded at start lives as long as the process anyway.
"""

from __future__ import annotations

import gc
import os
from typing import Any

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_connections = threads
keepalive = 0
timeout = 60
# --workers on the command line, or WEB_CONCURRENCY (gunicorn's own default); about 1 or 2 per CPU.


def post_worker_init(worker: Any) -> None:
    gc.freeze()
