"""Which database each query of the heavy pages goes to, with a read replica configured (core/dbrouter.py).

The replica here is a second real connection to the test database (a test mirror of the primary), so
every query is recorded on the alias Django sent it to. The tests are transactional: what a test writes
is committed, so the replica connection sees it, as a real replica would a moment later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.core.dbrouter import REPLICA, STICKY_COOKIE
from buurtonderzoek.dashboards.grip import refresh_area_months
from buurtonderzoek.dashboards.models import AreaRefresh
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.tests.fixtures import CanvassSetup
from buurtonderzoek.handoff.tests.test_reports import many_reports
from buurtonderzoek.jobs.models import Job
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import World

BOTH = ["default", REPLICA]
pytestmark = pytest.mark.django_db(transaction=True, databases=BOTH)

# Never read from the replica: who is logged in and what they may do, and jobs (listed right after asking).
PRIMARY_ONLY = r"django_session|accounts_user|accounts_membership|accounts_apitoken|mfa_authenticator|axes_\w+"
PRIMARY_ONLY += r"|jobs_job|django_tasks_\w+"
# What the primary may still be asked on a replica page: those, and the get_or_create of the grip roll-up's
# refresh state (it may write, so Django sends it to the primary).
ON_PRIMARY = PRIMARY_ONLY + "|dashboards_arearefresh"


def is_table(pattern: str, sql: str) -> bool:
    return re.fullmatch(f'"?({pattern})"?', main_table(sql)) is not None


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A "replica" alias: a second connection to the primary's test database, as DATABASE_REPLICA_URL adds."""
    default = connections["default"].settings_dict
    settings.DATABASES[REPLICA] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    yield
    with django_db_blocker.unblock():
        connections[REPLICA].close()
        # A transactional test empties every table when it ends: put back what the migrations published,
        # for the tests that run after these (as conftest.py does for browser tests).
        load_standard_questionnaires()
    del connections[REPLICA]
    del settings.DATABASES[REPLICA]


@pytest.fixture(autouse=True)
def _standard_questionnaires(db: None) -> None:
    load_standard_questionnaires()  # the previous test's flush removed them


@contextmanager
def recorded() -> Iterator[list[tuple[str, str]]]:
    """(alias, SQL) of every query on either connection, in the order they ran."""
    queries: list[tuple[str, str]] = []

    def recorder(alias: str) -> Callable[..., Any]:
        def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            queries.append((alias, sql))
            return execute(sql, params, many, context)

        return record

    with ExitStack() as stack:
        for alias in BOTH:
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield queries


def main_table(sql: str) -> str:
    """The table a statement is about: its outermost FROM (not a subquery's), or what it inserts or updates."""
    write = re.match(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+("?\w+"?)', sql)
    if write:
        return write.group(1)
    depth = 0
    for token in re.finditer(r'[()]|\bFROM\s+("?\w+"?)', sql):
        if token.group(0) in "()":
            depth += 1 if token.group(0) == "(" else -1
        elif depth == 0:
            return token.group(1)
    return sql[:40]


def kind(sql: str) -> str:
    return sql.lstrip().split(None, 1)[0].upper()


@pytest.fixture
def report_inbox(world: World, canvass_setup: CanvassSetup) -> None:
    report = actions.submit_report(canvass_setup.incident, by=world.alice)
    many_reports(report, 5)
    give_totp(world.gert)
    # The roll-up the grip page reads was just recounted (the background job), so the page only reads.
    refresh_area_months(world.gemeente)
    AreaRefresh.objects.filter(gemeente=world.gemeente).update(requested_at=None)


def pages(world: World) -> list[tuple[str, str]]:
    g = world.gemeente.pk
    return [
        ("gert", reverse("start_municipal")),
        ("gert", reverse("grip", args=[g])),
        ("gert", reverse("grip_teams", args=[g])),
        ("gert", reverse("grip_monitor", args=[g])),
        ("gert", reverse("api-grip", args=[g])),
        ("gert", reverse("api-team-health", args=[g])),
        ("petra", reverse("start_police")),
        ("petra", reverse("police_totals")),
        ("petra", reverse("report_list")),
        ("petra", reverse("api-report-list")),
        ("petra", reverse("api-police-totals")),
        ("alice", reverse("start_coordinator")),
    ]


def test_the_heavy_pages_read_their_figures_from_the_replica_and_who_may_see_them_from_the_primary(
    world: World, report_inbox: None
) -> None:
    for persona, url in pages(world):
        client = Client()
        client.force_login(getattr(world, persona))
        with recorded() as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        on_replica = [sql for alias, sql in queries if alias == REPLICA]
        on_primary = [sql for alias, sql in queries if alias == "default"]
        assert on_replica, f"{url}: nothing read from the replica"
        # The replica is only read, and never for who is logged in or what they may do.
        assert {kind(sql) for sql in on_replica} == {"SELECT"}, url
        assert not [sql for sql in on_replica if is_table(PRIMARY_ONLY, sql)], url
        # The primary answers only those questions: the page's own figures all came from the replica.
        assert [sql for sql in on_primary if not is_table(ON_PRIMARY, sql)] == [], url
        assert STICKY_COOKIE not in response.cookies, url  # a GET does not stick anyone to the primary


def test_after_sending_a_form_the_same_browser_reads_the_primary_for_a_few_seconds(
    world: World, report_inbox: None
) -> None:
    client = Client()
    client.force_login(world.petra)
    # Petra asks for the quarterly value report (a job), and is sent back to the totals page that lists it.
    with recorded() as queries:
        response = client.post(reverse("police_value_report"), {"van": "2026-01-01", "tot": "2026-03-31"})
    assert response.status_code == 302
    cookie = response.cookies[STICKY_COOKIE]
    assert (cookie["max-age"], cookie["httponly"], cookie["samesite"]) == (settings.REPLICA_STICKY_SECONDS, True, "Lax")
    assert [alias for alias, _sql in queries if alias == REPLICA] == []  # a POST writes and reads the primary
    assert Job.objects.filter(requested_by=world.petra).count() == 1

    with recorded() as queries:
        page = client.get(response["Location"])
    assert page.status_code == 200
    assert {alias for alias, _sql in queries} == {"default"}  # her own job, from where it was written
    assert "Waarderapport" in page.content.decode() or "waarderapport" in page.content.decode()

    # Once the cookie has expired (the browser drops it), the page reads the replica again.
    del client.cookies[STICKY_COOKIE]
    with recorded() as queries:
        assert client.get(response["Location"]).status_code == 200
    assert REPLICA in {alias for alias, _sql in queries}


def test_a_page_that_writes_reads_the_primary_from_then_on(world: World, report_inbox: None) -> None:
    # The roll-up is out of date: the grip page asks for a recount (a write: the request time, and here,
    # with the tests' immediate task backend, the recount itself). Whatever it reads after that comes
    # from the primary, which has its own write; a lagging replica might not.
    AreaRefresh.objects.filter(gemeente=world.gemeente).update(refreshed_at=None, requested_at=None)
    client = Client()
    client.force_login(world.gert)
    with recorded() as queries:
        assert client.get(reverse("grip", args=[world.gemeente.pk])).status_code == 200
    first_write = next(i for i, (alias, sql) in enumerate(queries) if kind(sql) in ("INSERT", "UPDATE", "DELETE"))
    assert queries[first_write][0] == "default"
    assert [sql for alias, sql in queries[first_write:] if alias == REPLICA] == []
    assert [alias for alias, sql in queries if kind(sql) != "SELECT" and alias == REPLICA] == []
    refreshed = AreaRefresh.objects.get(gemeente=world.gemeente)
    assert refreshed.requested_at is not None and refreshed.refreshed_at is not None


def test_a_revoked_membership_is_refused_at_once(world: World, report_inbox: None) -> None:
    client = Client()
    client.force_login(world.gert)
    assert client.get(reverse("grip", args=[world.gemeente.pk])).status_code == 200
    Membership.objects.filter(user=world.gert, role=Role.MUNICIPAL).delete()
    with recorded() as queries:
        assert client.get(reverse("grip", args=[world.gemeente.pk])).status_code == 403
    membership_reads = [alias for alias, sql in queries if main_table(sql).strip('"') == "accounts_membership"]
    assert membership_reads and set(membership_reads) == {"default"}
