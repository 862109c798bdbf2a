"""The field app's offline version comes from the static manifest, so every web process serves the same.

Each test process below is a separate Python process with production's static storage
(STATIC_MANIFEST=1), reading a staticfiles.json in a temporary STATIC_ROOT, as gunicorn's workers do.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from buurtonderzoek.canvass import field_views

ROOT = Path(settings.BASE_DIR)
PRINT_CONFIG = (
    "import django, json; django.setup();"
    "from buurtonderzoek.canvass.field_views import _build_source;"
    "print(json.dumps(json.loads(_build_source().split('const CONFIG = ', 1)[1].split(';\\n', 1)[0])))"
)


def collected(root: Path, hashed: dict[str, str]) -> Path:
    """A STATIC_ROOT as collectstatic leaves it, for the files the service worker names."""
    source = finders.find(field_views.SW_SOURCE)
    assert isinstance(source, str)
    (root / "js" / "field").mkdir(parents=True, exist_ok=True)
    shutil.copy(source, root / field_views.SW_SOURCE)
    manifest = {"version": "1.1", "paths": hashed, "hash": hashlib.sha256(json.dumps(hashed).encode()).hexdigest()[:12]}
    (root / "staticfiles.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def hashed_names(tag: str) -> dict[str, str]:
    names = [field_views.SW_SOURCE, *field_views.OFFLINE_FILES]
    return {name: name.replace(".", f".{tag}{i:04d}.", 1) for i, name in enumerate(names)}


def worker_config(static_root: Path) -> dict[str, object]:
    env = {**os.environ, "STATIC_MANIFEST": "1", "STATIC_ROOT": str(static_root), "DEBUG": "0", "SECRET_KEY": "x"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    out = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", PRINT_CONFIG], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_every_process_serves_the_version_the_manifest_gives(tmp_path: Path) -> None:
    names = hashed_names("a")
    root = collected(tmp_path / "static", names)
    first, second = worker_config(root), worker_config(root)
    assert first == second
    expected = hashlib.sha256(
        "".join(f"{name}={names[name]}\n" for name in (field_views.SW_SOURCE, *field_views.OFFLINE_FILES)).encode()
    ).hexdigest()[:16]
    assert first["version"] == expected
    # The pages' entry scripts are asked for by their hashed names, as the templates write them.
    assert settings.STATIC_URL + names["js/field/route.js"] in first["precache"]  # type: ignore[operator]


def test_a_release_that_changes_one_offline_file_changes_the_version(tmp_path: Path) -> None:
    before = worker_config(collected(tmp_path / "before", hashed_names("a")))
    changed = hashed_names("a")
    changed["js/field/outbox.js"] = "js/field/outbox.b0000.js"
    after = worker_config(collected(tmp_path / "after", changed))
    unrelated = {**hashed_names("a"), "css/unrelated.css": "css/unrelated.c0000.css"}
    same = worker_config(collected(tmp_path / "same", unrelated))
    assert before["version"] != after["version"]
    assert before["version"] == same["version"]
