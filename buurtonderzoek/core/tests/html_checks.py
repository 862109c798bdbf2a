"""Checks on rendered HTML that tests of many pages share."""

from __future__ import annotations

from html.parser import HTMLParser

REFERRING = ("aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage")


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, id)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in REFERRING and value:
                self.references += [(tag, name, ref) for ref in value.split()]


def dangling_references(html: str) -> list[str]:
    """Every aria-describedby (and the like) id that is not in the page: a screen reader would read nothing."""
    parser = _Ids()
    parser.feed(html)
    return [f"<{tag} {attr}={ref!r}>" for tag, attr, ref in parser.references if ref not in parser.ids]


def described_by_count(html: str) -> int:
    parser = _Ids()
    parser.feed(html)
    return sum(1 for _tag, attr, _ref in parser.references if attr == "aria-describedby")
