"""The documentation keeps up with the code: settings, the README's first commands, links.

Settings are read with `envstr/envbool/envint/envlist("NAME", ...)`; each one must be listed in
.env.example and in the README's configuration table, and neither may list a setting nobody reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENV_CALL = re.compile(r"\benv(?:str|bool|int|list)\(\s*\"([A-Z][A-Z0-9_]*)\"")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def settings_read_by_the_code() -> set[str]:
    sources = [ROOT / "config" / "settings.py"]
    sources += [
        path
        for path in (ROOT / "buurtonderzoek").rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]
    names: set[str] = set()
    for path in sources:
        names |= set(ENV_CALL.findall(path.read_text(encoding="utf-8")))
    return names


def settings_in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def settings_in_readme_table() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", text, flags=re.MULTILINE))


def test_it_finds_the_settings_the_code_reads() -> None:
    # Guards the regular expression: if it stopped matching, the checks below would pass on nothing.
    assert {"SECRET_KEY", "DATABASE_URL", "MAP_TILE_URL"} <= settings_read_by_the_code()


def test_it_lists_every_setting_in_env_example() -> None:
    missing = settings_read_by_the_code() - settings_in_env_example()
    assert not missing, f"add to .env.example with its default: {sorted(missing)}"


def test_it_lists_no_setting_in_env_example_that_nothing_reads() -> None:
    stale = settings_in_env_example() - settings_read_by_the_code()
    assert not stale, f"remove from .env.example (no longer read): {sorted(stale)}"


def test_it_documents_every_setting_in_the_readme() -> None:
    missing = settings_read_by_the_code() - settings_in_readme_table()
    assert not missing, f"add to the configuration table in README.md: {sorted(missing)}"


def test_it_documents_no_setting_in_the_readme_that_nothing_reads() -> None:
    stale = settings_in_readme_table() - settings_read_by_the_code()
    assert not stale, f"remove from the configuration table in README.md: {sorted(stale)}"


def test_it_starts_the_readme_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_section = text.split("\n## ")[1]
    assert first_section.startswith("Start\n")
    block = re.search(r"```sh\n(.*?)```", first_section, flags=re.DOTALL)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


@pytest.mark.parametrize(
    "document",
    ["README.md", "CHANGELOG.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))],
)
def test_it_links_only_to_files_that_exist(document: str) -> None:
    path = ROOT / document
    broken = [
        target
        for target in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8"))
        if "://" not in target and not target.startswith("mailto:") and not (path.parent / target).exists()
    ]
    assert not broken, f"{document} links to missing files: {broken}"
