"""Every URL pattern and API route, as every persona, with another organisation's objects and absurd values.

The patterns come from Django's URL resolver, so a new view is walked without anyone adding it here. Two
towns: Demodorp (alice coordinates, bob volunteers, petra police, gert gemeente) and Elders (charlie
coordinates, vera volunteers, olga police, mo gemeente), plus platform admins with and without 2FA. Each
town has a gemeente, a team with its coordinator's membership, a police unit and an incident. Each URL
parameter is looked up by what it names (the parameter's name, or the path segment before it: `incidenten/
<pk>` is an incident), so the walk uses the other town's real ids on any database engine. Every int
parameter gets the other town's id (when the town has such an object), 0, or a number past 64 bits; every
text parameter the other town's gemeente code, "x", or 300 characters.

Asserted: no 5xx anywhere (GET, and an empty POST), and no 2xx for a persona on a URL that names the
other town's objects unless the page is public (anonymous visitors get a 2xx too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.urls.resolvers import RegexPattern, RoutePattern

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team, User
from buurtonderzoek.accounts.tests.conftest import give_totp, log_in_with_code
from buurtonderzoek.accounts.tests.factories import MembershipFactory, PoliceUnitFactory, UserFactory
from buurtonderzoek.canvass.synthetic import create_addresses, street_grid
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.incidents.tests.fixtures import CENTRE_X, CENTRE_Y, central_address, make_incident, make_streets
from buurtonderzoek.places.models import Gemeente
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
    path: str = ""  # the pattern text, to tell what each parameter names


# What an int parameter names: by its own name, else by the path segment before it.
OBJECT_BY_PARAM = {"team_id": "team", "gemeente_id": "gemeente", "membership_id": "membership"}
OBJECT_BY_SEGMENT = {
    "incidenten": "incident",
    "incidents": "incident",
    "teams": "team",
    "team": "team",
    "gemeente": "gemeente",
    "gemeenten": "gemeente",
    "police-units": "police_unit",
}
# A town's objects: what each kind of parameter gets when a persona of the other town walks the URL.
Objects = dict[str, str]


def names(route: Route, param: str) -> str | None:
    """The kind of object an int parameter names, when each town has one; else None."""
    if param in OBJECT_BY_PARAM:
        return OBJECT_BY_PARAM[param]
    before = re.split(r"<[^>]*>|\(\?P<[^>]*>[^)]*\)", route.path.split(f"<int:{param}>")[0].split(f"(?P<{param}>")[0])
    segments = [part.strip("^$") for part in "".join(before).split("/") if part.strip("^$")]
    return OBJECT_BY_SEGMENT.get(segments[-1]) if segments else None


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
    resolver: URLResolver | None = None,
    namespace: str = "",
    inherited: tuple[tuple[str, str], ...] = (),
    prefix: str = "",
) -> Iterator[Route | str]:
    """Named routes; an unnamed one is yielded as its pattern text (so the test can name it)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        params = (*inherited, *_params(entry.pattern))
        path = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, ns, params, path)
        elif isinstance(entry, URLPattern):
            if entry.name:
                yield Route(f"{namespace}{entry.name}", tuple(dict(params).items()), path)
            else:
                yield str(entry.pattern)


def routes() -> list[Route]:
    return sorted(
        {r for r in walk() if isinstance(r, Route) and r.name.split(":")[-1] not in SKIP_NAMES}, key=lambda r: r.name
    )


def urls_for(route: Route, other: Objects, *, absurd: bool = True) -> list[tuple[str, bool]]:
    """(url, names the other town's objects) for the route: the other town's objects, then absurd values.

    The first variant is left out when an int parameter names something the towns do not have one each of
    (a visit, a print job): the absurd values reach those views' not-found paths."""
    kinds = {n: names(route, n) for n, k in route.params if k == "int"}
    variants: list[tuple[dict[str, str], bool]] = [
        ({n: (HUGE if k == "int" else "x") for n, k in route.params}, False),
        ({n: ("0" if k == "int" else "x" * 300) for n, k in route.params}, False),
    ]
    if all(kinds.values()):
        values = {n: (other[kinds[n] or ""] if k == "int" else other["code"]) for n, k in route.params}
        variants.insert(0, (values, True))
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


@dataclass
class Towns:
    personas: dict[str, tuple[User | None, int]]  # name -> (user, town): 1 Demodorp, 2 Elders, 0 both (admins)
    objects: dict[int, Objects]  # town -> what its URLs name


@pytest.fixture
def towns(world: World, django_capture_on_commit_callbacks: Any) -> Towns:
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

    def objects(gemeente: Gemeente, team: Team, incident: Incident, police_unit: PoliceUnit) -> Objects:
        coordinator = Membership.objects.filter(team=team, role=Role.COORDINATOR).first()
        assert coordinator is not None
        return {
            "code": gemeente.code,
            "gemeente": str(gemeente.pk),
            "team": str(team.pk),
            "membership": str(coordinator.pk),
            "incident": str(incident.pk),
            "police_unit": str(police_unit.pk),
        }

    town_objects = {
        1: objects(world.gemeente, world.team, first, world.unit),
        2: objects(world.other_gemeente, world.other_team, second, unit),
    }
    # Ids that mean something in one town must not also name the other town's object of the same kind.
    assert all(town_objects[1][kind] != town_objects[2][kind] for kind in town_objects[1])
    personas: dict[str, tuple[User | None, int]] = {
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
    return Towns(personas, town_objects)


def test_the_walk_sees_every_view() -> None:
    # Unnamed patterns cannot be reversed: name them, so the walk below reaches them. Known: our admin login
    # (allauth's, config/urls.py) and the admin's redirect from <object_id>/ to its change page.
    unnamed = {r for r in walk() if isinstance(r, str)}
    assert unnamed <= {"admin/login/", "<path:object_id>/", "(?P<url>.*)$"}, unnamed
    assert len(routes()) > 250


def test_each_parameter_is_looked_up_by_what_it_names() -> None:
    by_name = {route.name: route for route in routes()}
    assert names(by_name["incident_detail"], "pk") == "incident"
    assert names(by_name["api-field-conflicts"], "pk") == "incident"
    assert names(by_name["team_member_role"], "membership_id") == "membership"
    assert names(by_name["api-police-unit-detail"], "pk") == "police_unit"
    assert names(by_name["monitor:team_summary"], "pk") == "team"
    assert names(by_name["grip"], "gemeente_id") == "gemeente"
    assert names(by_name["canvass_choose_visit"], "visit_pk") is None
    assert names(by_name["report_detail"], "pk") is None
    other = {"incident": "7", "code": "GM0001", "team": "8", "gemeente": "9", "membership": "5", "police_unit": "6"}
    assert urls_for(by_name["incident_detail"], other, absurd=False) == [("/incidenten/7/", True)]
    # A visit id neither town has: only the absurd values, never a made-up "foreign" id.
    assert all(not foreign for _url, foreign in urls_for(by_name["canvass_choose_visit"], other))


def test_no_url_gives_a_500_or_leaks_another_towns_objects(towns: Towns) -> None:
    all_routes = routes()
    anonymous_ok: dict[str, bool] = {}
    errors: list[str] = []
    leaks: list[str] = []
    # Anonymous visitors walk both towns' URLs: what they may open is public, for everyone.
    for persona, (user, town) in [("anonymous", (None, 2)), *towns.personas.items()]:
        client = Client(raise_request_exception=False)
        if user is not None:
            if persona == "admin":
                log_in_with_code(client, user)
            else:
                client.force_login(user)
        for route in all_routes:
            # Absurd values for a few personas (enough to reach every code path): keeps the walk quick.
            # Each persona walks the other town's objects (admins: town 2's, which they may see).
            other = towns.objects[1 if town == 2 else 2]
            for url, foreign in urls_for(route, other, absurd=persona in ABSURD_FOR):
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
