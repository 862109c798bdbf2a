"""The lock files (requirements/*.txt, made by `make lock`) cover pyproject.toml: a dependency added to
pyproject without re-locking would be missing from every fresh install, CI's included."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
    assert match, spec
    return canonical(match.group(0))


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    return {canonical(name): version for name, version in re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", text, re.M)}


def test_every_runtime_dependency_and_the_s3_extra_is_pinned_in_the_runtime_lock() -> None:
    wanted = {requirement_name(s) for s in PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["s3"]}
    assert wanted - set(pins("runtime.txt")) == set()


def test_every_dependency_is_pinned_in_the_development_lock_at_the_runtime_version() -> None:
    groups = PYPROJECT["optional-dependencies"].values()
    wanted = {requirement_name(s) for s in PYPROJECT["dependencies"]} | {
        requirement_name(s) for group in groups for s in group
    }
    dev, runtime = pins("dev.txt"), pins("runtime.txt")
    assert wanted - set(dev) == set()
    assert {name: dev.get(name) for name in runtime} == runtime


def test_every_pin_carries_a_hash() -> None:
    for lock in ("runtime.txt", "dev.txt"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements" / lock).read_text(encoding="utf-8"))
        unhashed = [e.split()[0] for e in entries if "==" in e.split("\n")[0] and "--hash=sha256:" not in e]
        assert unhashed == [], lock


def test_dropped_packages_stay_dropped() -> None:
    # ADR 0008: no rules defined, no filters; the vendored Alpine.js went too.
    assert {"rules", "django-filter"} & set(pins("dev.txt")) == set()
    assert not list((ROOT / "static" / "vendor").glob("alpinejs@*"))
