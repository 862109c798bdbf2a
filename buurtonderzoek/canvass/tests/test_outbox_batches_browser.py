"""The outbox cuts the queue into batches the server takes: at most 200 visits and about 1 MB each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import _fresh_cache, browser, new_page  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SIZES = """
async (spec) => {
  const { batchesOf } = await import("/static/js/field/outbox.js");
  const queue = spec.map(([n, bytes]) => Array.from({ length: n }, (_, i) => ({
    client_uuid: `${bytes}-${i}`, answers: { note: "x".repeat(bytes) } }))).flat();
  return batchesOf(queue).map((batch) => [batch.length, JSON.stringify({ visits: batch }).length]);
}
"""


def test_long_answers_go_in_several_batches_under_the_servers_limit(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
) -> None:
    page = new_page("phone")
    page.goto("/")
    batches = page.evaluate(SIZES, [[5, 600_000]])
    assert [count for count, _size in batches] == [1, 1, 1, 1, 1]
    batches = page.evaluate(SIZES, [[30, 100_000]])
    assert all(size < 1_100_000 for _count, size in batches)
    assert sum(count for count, _size in batches) == 30 and len(batches) == 4


def test_many_small_visits_go_two_hundred_at_a_time(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
) -> None:
    page = new_page("phone")
    page.goto("/")
    assert [count for count, _size in page.evaluate(SIZES, [[450, 10]])] == [200, 200, 50]
