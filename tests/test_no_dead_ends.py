"""No dead ends: every link a page offers leads somewhere the person who sees it may go.

The demo town (`manage.py demo`) has every kind of object in every state, and one account per role. As each
of them (and as an anonymous visitor), the walk starts at the start page and follows every link on every
page it reaches (`tests/crawl.py`), and asserts that none of them answers 4xx: a page must not offer a
volunteer the route overview of a canvass without a route for them (404), the police "Mijn bezoeken" of a
team they do not walk for (403), or a closed survey's public link (410).

Django's admin is walked only at its front page: its pages are Django's own, and walking all of them would
take minutes.
"""

from __future__ import annotations

import pytest
from django.test import Client

from buurtonderzoek.accounts.models import User
from buurtonderzoek.accounts.tests.conftest import log_in_with_code
from buurtonderzoek.dashboards.demo import DEMO_USERS, build_demo
from tests.crawl import crawl

pytestmark = [pytest.mark.django_db]

SECOND_FACTOR_ROLES = {"police", "municipal", "admin"}


def client_for(email: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if email is not None:
        user = User.objects.get(email=email)
        role = next(d.role for d in DEMO_USERS if d.email == email)
        if role in SECOND_FACTOR_ROLES:
            log_in_with_code(client, user)  # as after typing the code: no second-factor prompt on the way
        else:
            client.force_login(user)
    return client


def test_no_link_anyone_is_offered_leads_to_a_4xx() -> None:
    build_demo(progress=False)
    dead_ends: list[str] = []
    walked: dict[str, int] = {}
    for email in [None, *(d.email for d in DEMO_USERS)]:
        walk = crawl(client_for(email), ["/start/" if email else "/"], skip=("/admin/",))
        walked[email or "anonymous"] = len(walk.pages)
        dead_ends += [f"{email or 'anonymous'}: {dead_end}" for dead_end in walk.dead_ends]
    assert not dead_ends, "\n".join(dead_ends)
    # A walk that stopped at the start page proves nothing: each role reaches its working pages.
    assert walked["anonymous"] >= 3
    assert all(walked[d.email] >= 10 for d in DEMO_USERS), walked
