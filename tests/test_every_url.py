"""Every URL pattern and API route, as every persona, with another organisation's objects and absurd values.

The patterns come from Django's URL resolver, so a new view is walked without anyone adding it here. Two
towns: Demodorp (alice coordinates, bob volunteers, petra police, gert gemeente) and Elders (charlie
coordinates, vera volunteers, olga police, mo gemeente), plus platform admins with and without 2FA. Each
town has one incident and one team; town 1's objects were made first and have pk 1, town 2's pk 2, and the
gemeente codes are GM9999 and GM9998. Every int parameter gets the other town's pk, 0, or a number past
64 bits; every text parameter the other town's code, "x", or 300 characters.

Asserted: no 5xx anywhere (GET, and an empty POST), and no 2xx for a persona on a URL that names the
other town's objects unless the page is public (anonymous visitors get a 2xx too).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.urls.resolvers import RegexPattern, RoutePattern

from buurtonderzoek.accounts.models import Membership, Role, User
from buurtonderzoek.accounts.tests.conftest import give_totp, log_in_with_code
from buurtonderzoek.accounts.tests.factories import MembershipFactory, PoliceUnitFactory, UserFactory
from buurtonderzoek.canvass.synthetic import create_addresses, street_grid
from buurtonderzoek.incidents.tests.fixtures import CENTRE_X, CENTRE_Y, central_address, make_incident, make_streets
from conftest import World

pytestmark = [pytest.mark.django_db]

HUGE = "99999999999999999999"
# Views that change the session itself (the walk would lose its login) or stream for ever.
SKIP_NAMES = {"account_logout", "set_language"}
ABSURD_FOR = {"anonymous", "alice", "petra", "admin"}


@dataclass(frozen=True)
class Route:
    name: str  # namespaced name for reverse()
    params: tuple[tuple[str, str], ...]  # (name, kind): kind is "int" or "str"


def _params(pattern: Any) -> list[tuple[str, str]]:
    if isinstance(pattern, RoutePattern):
        kinds = {
            name: ("int" if type(conv).__name__ == "IntConverter" else "str")
            for name, conv in pattern.converters.items()
        }
        return list(kinds.items())
    assert isinstance(pattern, RegexPattern)
    regex = pattern.regex.pattern
    return [
        (name, "int" if f"(?P<{name}>\\d+)" in regex or f"(?P<{name}>[0-9]+)" in regex else "str")
        for name in pattern.regex.groupindex
    ]


def walk(
    resolver: URLResolver | None = None, namespace: str = "", inherited: tuple[tuple[str, str], ...] = ()
) -> Iterator[Route | str]:
    """Named routes; an unnamed one is yielded as its pattern text (so the test can name it)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        params = (*inherited, *_params(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, ns, params)
        elif isinstance(entry, URLPattern):
            if entry.name:
                yield Route(f"{namespace}{entry.name}", tuple(dict(params).items()))
            else:
                yield str(entry.pattern)


def routes() -> list[Route]:
    return sorted(
        {r for r in walk() if isinstance(r, Route) and r.name.split(":")[-1] not in SKIP_NAMES}, key=lambda r: r.name
    )


def urls_for(route: Route, town: int, *, absurd: bool = True) -> list[tuple[str, bool]]:
    """(url, names the other town's objects) for the route: the other town's values, then absurd ones."""
    other = 2 if town == 1 else 1
    code = "GM9998" if town == 1 else "GM9999"
    variants: list[tuple[dict[str, str], bool]] = [
        ({n: (str(other) if k == "int" else code) for n, k in route.params}, True),
        ({n: (HUGE if k == "int" else "x") for n, k in route.params}, False),
        ({n: ("0" if k == "int" else "x" * 300) for n, k in route.params}, False),
    ]
    if not absurd:
        variants = variants[:1]
    if not route.params:
        variants = [({}, False)]
    found = []
    for kwargs, foreign in variants:
        if "format" in kwargs:
            kwargs["format"] = "json"
        try:
            found.append((reverse(route.name, kwargs=kwargs), foreign and any(n != "format" for n, _k in route.params)))
        except NoReverseMatch:
            continue
    return found


@pytest.fixture
def towns(world: World, django_capture_on_commit_callbacks: Any) -> dict[str, tuple[User | None, int]]:
    """Persona name -> (user, town). Town 1 is Demodorp, town 2 Elders; 0 means both (admins)."""
    make_streets(world.gemeente.code)
    # The same small grid once more for Elders, with its own address ids.
    create_addresses(
        street_grid(centre_x=CENTRE_X, centre_y=CENTRE_Y, half_size_m=60, flats=1, seed=2),
        gemeente_code=world.other_gemeente.code,
        woonplaats="Elders",
        id_prefix="88",
    )
    with django_capture_on_commit_callbacks(execute=False):
        first = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
        second = make_incident(world.other_team, by=world.charlie, address=central_address(world.other_gemeente.code))
    assert (world.team.pk, world.other_team.pk, first.pk, second.pk) == (1, 2, 1, 2)
    unit = PoliceUnitFactory.create(name="Basisteam Elders")
    unit.gemeenten.add(world.other_gemeente)
    vera = MembershipFactory.create(role=Role.VOLUNTEER, team=world.other_team).user
    olga = MembershipFactory.create(police=True, police_unit=unit).user
    mo = MembershipFactory.create(municipal=True, gemeente=world.other_gemeente).user
    bare_admin = UserFactory.create(email="beheer2@example.nl", is_staff=True, is_superuser=True)
    no_role = UserFactory.create(email="niemand@example.nl")
    for user in (world.petra, world.gert, olga, mo):
        give_totp(user)
    assert not Membership.objects.filter(user=no_role).exists()
    return {
        "anonymous": (None, 1),
        "alice": (world.alice, 1),
        "bob": (world.bob, 1),
        "petra": (world.petra, 1),
        "gert": (world.gert, 1),
        "charlie": (world.charlie, 2),
        "vera": (vera, 2),
        "olga": (olga, 2),
        "mo": (mo, 2),
        "no_role": (no_role, 1),
        "admin": (world.admin, 0),
        "admin_without_2fa": (bare_admin, 0),
    }


def test_the_walk_sees_every_view() -> None:
    # Unnamed patterns cannot be reversed: name them, so the walk below reaches them. Known: our admin login
    # (allauth's, config/urls.py) and the admin's redirect from <object_id>/ to its change page.
    unnamed = {r for r in walk() if isinstance(r, str)}
    assert unnamed <= {"admin/login/", "<path:object_id>/", "(?P<url>.*)$"}, unnamed
    assert len(routes()) > 250


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the walk names each town's objects by id 1 and 2; only SQLite restarts ids in every test",
)
def test_no_url_gives_a_500_or_leaks_another_towns_objects(towns: dict[str, tuple[User | None, int]]) -> None:
    all_routes = routes()
    anonymous_ok: dict[str, bool] = {}
    errors: list[str] = []
    leaks: list[str] = []
    # Anonymous visitors walk both towns' URLs: what they may open is public, for everyone.
    for persona, (user, town) in [("anonymous", (None, 2)), *towns.items()]:
        client = Client(raise_request_exception=False)
        if user is not None:
            if persona == "admin":
                log_in_with_code(client, user)
            else:
                client.force_login(user)
        for route in all_routes:
            # Absurd values for a few personas (enough to reach every code path): keeps the walk quick.
            for url, foreign in urls_for(route, town or 1, absurd=persona in ABSURD_FOR):
                response = client.get(url)
                status = response.status_code
                if status >= 500:
                    errors.append(f"{persona} GET {url} -> {status}")
                if persona == "anonymous":
                    anonymous_ok[url] = anonymous_ok.get(url, False) or 200 <= status < 300
                elif foreign and town and 200 <= status < 300 and not anonymous_ok.get(url, False):
                    leaks.append(f"{persona} GET {url} -> {status}")
                if persona in ("anonymous", "alice", "admin"):
                    posted = client.post(url, {})
                    if posted.status_code >= 500:
                        errors.append(f"{persona} POST {url} -> {posted.status_code}")
    assert not errors, "\n".join(errors)
    assert not leaks, "\n".join(leaks)
