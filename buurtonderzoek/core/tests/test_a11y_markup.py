"""Accessibility defects measured in issue 12, held down by checks on the templates and the served pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SCREEN_TEMPLATES = [p for p in TEMPLATES.rglob("*.html") if "pdf" not in p.name and "pdf" not in p.parts]


def tags(pattern: str) -> list[tuple[Path, str]]:
    return [(path, tag) for path in SCREEN_TEMPLATES for tag in re.findall(pattern, path.read_text())]


def test_every_scrollable_table_can_be_scrolled_with_the_keyboard() -> None:
    # WCAG 2.1.1 (axe scrollable-region-focusable): at phone width wide tables scroll sideways; a wrapper that
    # takes focus scrolls with the arrow keys, and as a named region a screen reader says what it holds.
    wrappers = tags(r'<div class="table-scroll"[^>]*>')
    assert len(wrappers) > 30
    for path, tag in wrappers:
        assert 'role="region"' in tag and 'tabindex="0"' in tag, (path, tag)
        name = re.search(r'aria-labelledby="([^"]+)"', tag)
        assert name is not None, (path, tag)
        assert f'id="{name.group(1)}"' in path.read_text(), (path, tag)  # a caption or heading names it


def test_no_map_claims_to_be_an_image() -> None:
    # Leaflet puts links and buttons in the map: role=img would hide them from screen readers (nested-interactive).
    maps = tags(r'<div id="[a-z-]*map"[^>]*>')
    assert len(maps) >= 7
    for path, tag in maps:
        assert 'role="img"' not in tag and "aria-label=" in tag, (path, tag)


def test_the_map_attribution_is_readable_and_looks_like_a_link() -> None:
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    rule = re.search(r"\.map\.leaflet-container \.leaflet-control-attribution a \{([^}]*)\}", css)
    assert rule is not None and "text-decoration: underline" in rule.group(1) and "var(--brand)" in rule.group(1)
    background = re.search(r"\.map\.leaflet-container \.leaflet-control-attribution \{([^}]*)\}", css)
    assert background is not None and "background: var(--paper)" in background.group(1)


@pytest.mark.django_db
def test_favicon_ico_is_served_and_pages_name_their_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    target = response["Location"]
    assert target.startswith(settings.STATIC_URL) and target.endswith("favicon.ico")
    icon = Path(settings.BASE_DIR) / "static" / target.removeprefix(settings.STATIC_URL)
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert f'<link rel="icon" href="{target}"' in client.get("/").content.decode()
