"""Walk a site as one person: follow every link the pages offer, as far as they lead.

Used by the dead-end test (no link a persona is offered may end in a 4xx) and by the browser walk that
runs axe-core on every page a persona can reach. Links are found with Python's HTML parser; pages of
the same URL pattern are opened at most `per_route` times (a list of 300 visits would otherwise be
walked 300 times for the same template).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Links that end the session, change it for the rest of the walk, or are files, not pages.
SKIP_PREFIXES = ("/static/", "/media/", "/accounts/logout/", "/i18n/", "/admin/logout/")
SKIP_ROUTE_NAMES = {"account_logout", "set_language"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html: str, base: str) -> list[str]:
    """Same-site paths (with query) that the page links to, fragments dropped."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:")):
            continue
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path and not path.startswith(SKIP_PREFIXES):
            found.append(path)
    return found


def route_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "?"
    return match.view_name


@dataclass
class Walk:
    pages: dict[str, str] = field(default_factory=dict)  # HTML page url -> route name
    dead_ends: list[str] = field(default_factory=list)  # "source -> link: status"


def crawl(
    client: Client, starts: list[str], *, per_route: int = 2, limit: int = 400, skip: tuple[str, ...] = ()
) -> Walk:
    """Open `starts`, then every link found, breadth first; pages under `skip` are neither opened nor judged."""
    walk = Walk()
    seen: set[str] = set(starts)
    opened_per_route: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque((start, "(start)") for start in starts)
    while queue and len(walk.pages) < limit:
        url, source = queue.popleft()
        name = route_name(url)
        if name in SKIP_ROUTE_NAMES or url.startswith(skip):
            continue
        response = client.get(url, follow=True)
        status = response.status_code
        if status >= 400:
            walk.dead_ends.append(f"{source} -> {url}: {status}")
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        if "text/html" not in response.get("Content-Type", ""):
            continue
        final_name = route_name(final)
        if opened_per_route.get(final_name, 0) >= per_route or final in walk.pages:
            continue
        opened_per_route[final_name] = opened_per_route.get(final_name, 0) + 1
        walk.pages[final] = final_name
        for link in links_in(response.content.decode(), final):
            if link not in seen:
                seen.add(link)
                queue.append((link, final))
    return walk
