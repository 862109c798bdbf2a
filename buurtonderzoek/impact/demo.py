"""Demo data for design voor impact: a driehoeksoverleg with actions in every state of the loop.

`seed_demo_impact(gemeente, gemeente_user=..., police_user=..., coordinators=[...])` is called by the
demo command after the monitor's two finished waves exist. The evaluated action (a burger
buurtonderzoek in the first team's buurten, the first action type of the library) runs between the two
waves, so its effect is computed from the demo's own monitor answers, whatever they say. Everything goes
through actions.py, as a real table would. Idempotent: a second call keeps what exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from buurtonderzoek.accounts.models import Team, User
from buurtonderzoek.impact import actions
from buurtonderzoek.impact.models import ActionStatus, ActionType, PartnerTable
from buurtonderzoek.places.models import Buurt, Gemeente

TABLE_NAME = "Driehoeksoverleg Lindenhoven"


def _agree(action: Any, users: Sequence[User], *, worth: dict[str, tuple[str, str]]) -> None:
    for user in users:
        member = actions.member_of(action.table, user)
        assert member is not None
        said, shows = worth[member.partner]
        actions.check_triangle(
            action, by=user, worth=said, shows_how=shows, value_score=4, quality_score=4, binding_score=4, agrees=True
        )


WORTH = {
    "gemeente": ("Grip: per buurt zien of mensen zich veiliger voelen", "Het monitorcijfer onveilig in de buurt"),
    "politie": ("Tijd: buren vragen rond in plaats van agenten", "Uren bespaard en bruikbare verslagen"),
    "buurtpreventie": ("Een vaste, zinvolle taak", "De politie laat weten wat met de verslagen gebeurde"),
}


@transaction.atomic
def seed_demo_impact(
    gemeente: Gemeente, *, gemeente_user: User, police_user: User, coordinators: Sequence[User]
) -> PartnerTable:
    existing = PartnerTable.objects.filter(gemeente=gemeente, name=TABLE_NAME).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    table = actions.create_table(gemeente, by=gemeente_user, name=TABLE_NAME, share_library=True)
    actions.add_member(table, by=gemeente_user, user=police_user, role="wijkagent")
    for coordinator in coordinators:
        actions.add_member(table, by=gemeente_user, user=coordinator, role="coördinator")
    partners = [gemeente_user, police_user, coordinators[0]]
    # The first coordinator's team runs the evaluated canvass; the other actions are elsewhere in the gemeente.
    team = Team.objects.filter(memberships__user=coordinators[0], gemeente=gemeente).first()
    north = list(team.buurten.order_by("code")) if team else []
    south = list(Buurt.objects.filter(gemeente=gemeente).exclude(pk__in=[b.pk for b in north]).order_by("code")[:2])
    north, south = north or south, south or north

    # Evaluated: ran between the two demo waves (monitor/demo.py: about 420 and 75 days ago).
    canvass = actions.propose_action(
        table,
        by=coordinators[0],
        title="Burger buurtonderzoek na elke woninginbraak",
        action_type=ActionType.CANVASS,
        buurten=north,
        problem="Na inbraken vraagt niemand rond; bewoners horen niets terug en voelen zich onveilig.",
        problem_indicator="unsafe_buurt",
        evidence="Communitymonitor: onveiligheidsgevoel in de buurt boven het landelijke cijfer.",
        plan="Binnen 48 uur na elke woninginbraak gaan twee vrijwilligers met de standaardvragenlijst langs de deuren.",
        starts_on=today - timedelta(days=370),
        ends_on=today - timedelta(days=90),
        effects=[
            {"kind": "indicator", "key": "unsafe_buurt", "direction": "down", "size": 5},
            {"kind": "indicator", "key": "watch_aware", "direction": "up", "size": 10},
            {"kind": "process", "key": "doors_visited", "direction": "up", "size": 300},
        ],
        commitments=[
            {
                "partner": "politie",
                "what": "Elk verslag binnen een week beoordelen",
                "due_on": today - timedelta(days=340),
            },
            {
                "partner": "gemeente",
                "what": "Flyers en vragenlijsten laten drukken",
                "due_on": today - timedelta(days=360),
            },
        ],
    )
    _agree(canvass, partners, worth=WORTH)
    for status in (ActionStatus.DISCUSSION, ActionStatus.AGREED, ActionStatus.RUNNING):
        actions.transition_action(canvass, to=status, by=gemeente_user)
    actions.add_update(canvass, by=coordinators[0], text="Eerste buurtonderzoek gelopen: 42 deuren, 3 camera's gemeld.")
    actions.transition_action(canvass, to=ActionStatus.EVALUATED, by=gemeente_user)

    # Running: agreed a month ago.
    running = actions.propose_action(
        table,
        by=gemeente_user,
        title="Avondrondes en betere verlichting",
        action_type=ActionType.PATROL,
        buurten=south,
        problem="Bewoners voelen zich 's avonds onveilig bij het winkelcentrum.",
        problem_indicator="unsafe_buurt",
        plan="Twee avondrondes per week; de gemeente vervangt zes lantaarnpalen.",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=150),
        effects=[{"kind": "indicator", "key": "mark_safety", "direction": "up", "size": 0.3}],
        commitments=[
            {"partner": "gemeente", "what": "Zes lantaarnpalen vervangen", "due_on": today + timedelta(days=2)},
            {"partner": "buurtpreventie", "what": "Rooster voor de avondrondes", "due_on": today + timedelta(days=20)},
        ],
    )
    _agree(running, [gemeente_user, police_user, coordinators[-1]], worth=WORTH)
    for status in (ActionStatus.DISCUSSION, ActionStatus.AGREED, ActionStatus.RUNNING):
        actions.transition_action(running, to=status, by=gemeente_user)

    # In discussion: the team has not agreed yet, and says why.
    talk = actions.propose_action(
        table,
        by=police_user,
        title="Camera-inventarisatie met Camera in Beeld",
        action_type=ActionType.INFORMATION,
        buurten=north[:1],
        problem="Bij inbraken ontbreekt vaak beeld, terwijl veel bewoners een deurbelcamera hebben.",
        plan="Vrijwilligers vragen bewoners hun camera aan te melden bij Camera in Beeld.",
        starts_on=today + timedelta(days=14),
        ends_on=today + timedelta(days=120),
        effects=[{"kind": "indicator", "key": "watch_trust", "direction": "up", "size": 0.2}],
    )
    actions.transition_action(talk, to=ActionStatus.DISCUSSION, by=police_user)
    _agree(talk, [gemeente_user, police_user], worth=WORTH)
    actions.check_triangle(
        talk,
        by=coordinators[0],
        worth="Contact met buren",
        shows_how="Aantal aangemelde camera's",
        value_score=3,
        quality_score=2,
        binding_score=2,
        agrees=False,
        comment="Vrijwilligers willen geen camerabeelden vragen; alleen de aanmelding uitleggen is wel goed.",
    )

    # An idea, and one that stopped with its reason.
    actions.propose_action(
        table,
        by=coordinators[-1],
        title="Buurtbarbecue om nieuwe vrijwilligers te werven",
        action_type=ActionType.COHESION,
        buurten=south,
        problem="Het team Zuid heeft te weinig leden om in tweetallen te lopen.",
        plan="Een barbecue in het park met informatie over buurtpreventie.",
        starts_on=today + timedelta(days=60),
        ends_on=today + timedelta(days=61),
    )
    stopped = actions.propose_action(
        table,
        by=gemeente_user,
        title="Hekken bij het fietspad",
        action_type=ActionType.PHYSICAL,
        buurten=north[:1],
        problem="Fietsendiefstal bij het station.",
        plan="Afsluitbare fietsenstalling.",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=100),
    )
    actions.transition_action(
        stopped, to=ActionStatus.STOPPED, by=gemeente_user, note="ProRail plaatst zelf een bewaakte stalling."
    )
    return table
