"""Every persona against every visibility queryset and the team access helper."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from buurtonderzoek.accounts.access import (
    get_team_for_user,
    roles_of,
    visible_gemeenten,
    visible_police_units,
    visible_teams,
)
from buurtonderzoek.accounts.actions import invite_member
from buurtonderzoek.accounts.models import Invitation, Role
from buurtonderzoek.accounts.tests.factories import UserFactory
from conftest import World

pytestmark = pytest.mark.django_db

PERSONAS = ["alice", "bob", "petra", "gert", "charlie", "admin", "anonymous", "nobody"]


def persona(world: World, name: str):
    if name == "anonymous":
        return AnonymousUser()
    if name == "nobody":
        return UserFactory.create(email="nobody@example.nl")
    return getattr(world, name)


TEAMS = {
    "alice": {"team"},
    "bob": {"team"},
    "petra": {"team"},
    "gert": {"team"},
    "charlie": {"other_team"},
    "admin": {"team", "other_team"},
    "anonymous": set(),
    "nobody": set(),
}
GEMEENTEN = {
    "alice": {"gemeente"},
    "bob": {"gemeente"},
    "petra": {"gemeente"},
    "gert": {"gemeente"},
    "charlie": {"other_gemeente"},
    "admin": {"gemeente", "other_gemeente"},
    "anonymous": set(),
    "nobody": set(),
}
UNITS = {
    "alice": {"unit"},
    "bob": {"unit"},
    "petra": {"unit"},
    "gert": {"unit"},
    "charlie": set(),
    "admin": {"unit"},
    "anonymous": set(),
    "nobody": set(),
}
# get_team_for_user(team of Demodorp): "ok", 403 or 404, for read, write and member-only pages.
TEAM_ACCESS = {
    #           read   write  member
    "alice": ("ok", "ok", "ok"),
    "bob": ("ok", 403, "ok"),
    "petra": ("ok", 403, 403),
    "gert": ("ok", 403, 403),
    "charlie": (404, 404, 404),
    "admin": ("ok", "ok", "ok"),
    "anonymous": (404, 404, 404),
    "nobody": (404, 404, 404),
}


def ids(world: World, names: set[str]) -> set[int]:
    return {getattr(world, name).pk for name in names}


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_each_persona_only_their_teams(world: World, name: str) -> None:
    user = persona(world, name)
    assert set(visible_teams(user).values_list("pk", flat=True)) == ids(world, TEAMS[name])


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_each_persona_only_their_gemeenten(world: World, name: str) -> None:
    user = persona(world, name)
    assert set(visible_gemeenten(user).values_list("pk", flat=True)) == ids(world, GEMEENTEN[name])


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_each_persona_only_their_police_units(world: World, name: str) -> None:
    user = persona(world, name)
    assert set(visible_police_units(user).values_list("pk", flat=True)) == ids(world, UNITS[name])


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("mode", ["read", "write", "member"])
def test_it_guards_a_team_per_persona(world: World, name: str, mode: str) -> None:
    user = persona(world, name)
    expected = TEAM_ACCESS[name][["read", "write", "member"].index(mode)]
    kwargs = {"write": mode == "write", "member": mode == "member"}
    if expected == "ok":
        assert get_team_for_user(user, world.team.pk, **kwargs) == world.team
    elif expected == 403:
        with pytest.raises(PermissionDenied):
            get_team_for_user(user, world.team.pk, **kwargs)
    else:
        with pytest.raises(Http404):
            get_team_for_user(user, world.team.pk, **kwargs)


def test_it_gives_404_for_a_team_that_does_not_exist(world: World) -> None:
    with pytest.raises(Http404):
        get_team_for_user(world.admin, 999_999)


def test_querysets_list_each_row_once_for_users_with_several_paths(world: World) -> None:
    # alice also works for the gemeente: two join paths to the same team must not duplicate it.
    from buurtonderzoek.accounts.tests.factories import MembershipFactory

    MembershipFactory.create(user=world.alice, municipal=True, gemeente=world.gemeente)
    assert list(visible_teams(world.alice).values_list("pk", flat=True)) == [world.team.pk]
    assert list(visible_gemeenten(world.alice).values_list("pk", flat=True)) == [world.gemeente.pk]


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("alice", {Role.COORDINATOR}),
        ("bob", {Role.VOLUNTEER}),
        ("petra", {Role.POLICE}),
        ("gert", {Role.MUNICIPAL}),
        ("admin", {"admin"}),
        ("anonymous", set()),
        ("nobody", set()),
    ],
)
def test_it_knows_each_personas_roles(world: World, name: str, roles: set[str]) -> None:
    assert roles_of(persona(world, name)) == roles


@pytest.mark.parametrize(("name", "sees"), [(n, n in {"alice", "admin"}) for n in PERSONAS])
def test_only_coordinators_and_admins_see_a_teams_invitations(world: World, name: str, sees: bool) -> None:
    invite_member(world.team, by=world.alice, email="new@example.nl", role=Role.VOLUNTEER)
    invite_member(world.other_team, by=world.charlie, email="other@example.nl", role=Role.VOLUNTEER)
    visible = set(Invitation.objects.visible_to(persona(world, name)).values_list("email", flat=True))
    if name == "admin":
        assert visible == {"new@example.nl", "other@example.nl"}
    elif name == "charlie":
        assert visible == {"other@example.nl"}
    else:
        assert visible == ({"new@example.nl"} if sees else set())
