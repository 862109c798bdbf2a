"""Factories with named traits, shared by every app's tests."""

from __future__ import annotations

import factory

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team, User
from buurtonderzoek.places.models import Buurt, Gemeente, Wijk


class GemeenteFactory(factory.django.DjangoModelFactory[Gemeente]):
    class Meta:
        model = Gemeente
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"GM{9000 + n:04d}")
    name = factory.Sequence(lambda n: f"Gemeente {n}")


class WijkFactory(factory.django.DjangoModelFactory[Wijk]):
    class Meta:
        model = Wijk

    gemeente = factory.SubFactory(GemeenteFactory)
    code = factory.Sequence(lambda n: f"WK{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"Wijk {n}")


class BuurtFactory(factory.django.DjangoModelFactory[Buurt]):
    class Meta:
        model = Buurt

    wijk = factory.SubFactory(WijkFactory)
    gemeente = factory.SelfAttribute("wijk.gemeente")
    code = factory.Sequence(lambda n: f"BU{90000000 + n:08d}")
    name = factory.Sequence(lambda n: f"Buurt {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", "wachtwoord-voor-tests")

    @factory.post_generation  # type: ignore[untyped-decorator]
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Buurtpreventie {n}")
    gemeente = factory.SubFactory(GemeenteFactory)


class PoliceUnitFactory(factory.django.DjangoModelFactory[PoliceUnit]):
    class Meta:
        model = PoliceUnit

    name = factory.Sequence(lambda n: f"Basisteam {n}")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.VOLUNTEER
    team = factory.SubFactory(TeamFactory)

    class Params:
        coordinator = factory.Trait(role=Role.COORDINATOR)
        police = factory.Trait(role=Role.POLICE, team=None, police_unit=factory.SubFactory(PoliceUnitFactory))
        municipal = factory.Trait(role=Role.MUNICIPAL, team=None, gemeente=factory.SubFactory(GemeenteFactory))
