"""The rules of the driehoeksoverleg, in actions.py and below it (model, database)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from buurtonderzoek.core.models import AppendOnlyError, AuditEvent
from buurtonderzoek.handoff.models import Notification
from buurtonderzoek.impact import actions
from buurtonderzoek.impact.models import (
    ActionStatus,
    ActionTransition,
    Commitment,
    ExpectedEffect,
    FrozenError,
    Partner,
    TriangleCheck,
)
from buurtonderzoek.impact.tests.conftest import ImpactWorld, agree_all, propose

pytestmark = pytest.mark.django_db


def _check(iw: ImpactWorld, action: object, user: object, *, agrees: bool = True, comment: str = "") -> TriangleCheck:
    return actions.check_triangle(
        action,  # type: ignore[arg-type]
        by=user,
        worth="Minder woninginbraken",
        shows_how="Het cijfer in de monitor",
        value_score=4,
        quality_score=3,
        binding_score=5,
        agrees=agrees,
        comment=comment,
    )


def test_members_sit_at_the_table_for_the_partner_their_membership_gives(iw: ImpactWorld) -> None:
    seats = {m.user.email: m.partner for m in iw.table.members.select_related("user")}
    assert seats == {
        "gert@example.nl": Partner.GEMEENTE,
        "petra@example.nl": Partner.POLITIE,
        "alice@example.nl": Partner.BUURTPREVENTIE,
    }


def test_an_outsider_cannot_be_seated_nor_propose(iw: ImpactWorld) -> None:
    with pytest.raises(ValidationError, match="werkt niet voor"):
        actions.add_member(iw.table, by=iw.world.gert, user=iw.world.charlie, role="coördinator")
    with pytest.raises(PermissionDenied):
        actions.propose_action(
            iw.table,
            by=iw.world.charlie,
            title="x",
            buurten=iw.buurten[:1],
            problem="p",
            plan="p",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        )


def test_any_partner_proposes_and_the_history_starts_with_idee(iw: ImpactWorld) -> None:
    action = actions.propose_action(
        iw.table,
        by=iw.world.petra,
        title="Buurtonderzoek na elke inbraak",
        buurten=iw.buurten[:1],
        problem="Inbraken",
        plan="Binnen 48 uur aanbellen",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=90),
        action_type="buurtonderzoek",
        effects=[{"kind": "process", "key": "doors_visited", "direction": "up", "size": 200}],
        commitments=[
            {"partner": "politie", "what": "Verslagen binnen een week beoordelen", "due_on": timezone.localdate()}
        ],
    )
    assert action.proposed_partner == Partner.POLITIE and action.status == ActionStatus.IDEA
    assert [t.to_status for t in action.transitions.all()] == ["idee"]
    assert Commitment.objects.filter(action=action, partner="politie").count() == 1
    assert AuditEvent.objects.filter(object_type="impact.Action", object_id=str(action.pk)).exists()


def test_a_buurt_outside_the_area_is_refused_in_dutch(iw: ImpactWorld) -> None:
    from buurtonderzoek.accounts.tests.factories import BuurtFactory

    elsewhere = BuurtFactory.create(wijk__gemeente=iw.world.other_gemeente)
    with pytest.raises(ValidationError, match="valt buiten het gebied"):
        propose(iw, buurten=[elsewhere])


def test_agreement_needs_one_agreeing_representative_of_each_partner(iw: ImpactWorld) -> None:
    action = propose(iw)
    actions.transition_action(action, to="in_overleg", by=iw.world.gert)
    _check(iw, action, iw.world.gert)
    _check(iw, action, iw.world.petra)
    with pytest.raises(ValidationError, match="buurtpreventie"):
        actions.transition_action(action, to="afgesproken", by=iw.world.gert)
    _check(iw, action, iw.world.alice, agrees=False, comment="Te weinig vrijwilligers op avonden")
    with pytest.raises(ValidationError, match="Nog niet akkoord: buurtpreventie"):
        actions.transition_action(action, to="afgesproken", by=iw.world.gert)
    _check(iw, action, iw.world.alice, agrees=True)
    actions.transition_action(action, to="afgesproken", by=iw.world.alice)
    action.refresh_from_db()
    assert action.status == ActionStatus.AGREED and action.agreed_at is not None
    # Every check is kept, the earlier "not agreed" with its reason too.
    assert [c.agrees for c in action.checks.filter(partner="buurtpreventie")] == [False, True]
    assert TriangleCheck.objects.get(agrees=False).comment == "Te weinig vrijwilligers op avonden"
    # The others were told.
    assert Notification.objects.filter(user=iw.world.gert, title__contains="afgesproken").exists()


def test_a_later_disagreement_withdraws_a_partners_agreement(iw: ImpactWorld) -> None:
    action = propose(iw)
    for user in (iw.world.gert, iw.world.petra, iw.world.alice):
        _check(iw, action, user)
    _check(iw, action, iw.world.petra, agrees=False, comment="Geen capaciteit dit kwartaal")
    assert actions.missing_partners(action) == ["politie"]


def test_disagreeing_needs_a_reason(iw: ImpactWorld) -> None:
    with pytest.raises(ValidationError, match="waarom"):
        _check(iw, propose(iw), iw.world.petra, agrees=False)


def test_stopping_needs_a_reason_that_is_kept(iw: ImpactWorld) -> None:
    action = propose(iw)
    with pytest.raises(ValidationError, match="waarom de actie stopt"):
        actions.transition_action(action, to="gestopt", by=iw.world.gert)
    actions.transition_action(action, to="gestopt", by=iw.world.gert, note="Buurt kiest voor een andere aanpak")
    action.refresh_from_db()
    assert action.status == "gestopt" and action.stop_reason == "Buurt kiest voor een andere aanpak"
    with pytest.raises(ValidationError, match="kan niet naar"):
        actions.transition_action(action, to="loopt", by=iw.world.gert)


def test_the_history_is_append_only(iw: ImpactWorld) -> None:
    row = ActionTransition.objects.filter(action=propose(iw)).first()
    assert row is not None
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        ActionTransition.objects.all().delete()


def test_the_expected_effect_can_change_before_agreement_but_not_after(iw: ImpactWorld) -> None:
    action = propose(iw, size=5)
    actions.update_action(
        action,
        by=iw.world.petra,
        effects=[{"kind": "indicator", "key": "unsafe_buurt", "direction": "down", "size": 8}],
    )
    assert ExpectedEffect.objects.get(action=action).size == 8
    agree_all(iw, action)
    with pytest.raises(ValidationError, match="liggen vast"):
        actions.update_action(
            action, by=iw.world.gert, effects=[{"kind": "indicator", "key": "cohesion", "direction": "up", "size": 1}]
        )
    with pytest.raises(ValidationError, match="liggen vast"):
        actions.update_action(action, by=iw.world.gert, ends_on=action.ends_on + timedelta(days=30))
    assert list(ExpectedEffect.objects.filter(action=action).values_list("key", "size")) == [("unsafe_buurt", 8.0)]


def test_the_model_refuses_to_change_a_frozen_expected_effect(iw: ImpactWorld) -> None:
    action = propose(iw)
    agree_all(iw, action)
    effect = ExpectedEffect.objects.get(action=action)
    effect.size = 1
    with pytest.raises(FrozenError):
        effect.save()
    with pytest.raises(FrozenError):
        effect.delete()
    with pytest.raises(FrozenError):
        ExpectedEffect.objects.filter(action=action).update(size=1)
    with pytest.raises(FrozenError):
        ExpectedEffect(action=action, kind="indicator", key="cohesion", direction="up", size=1).save()


def test_the_database_refuses_raw_sql_on_a_frozen_expected_effect(iw: ImpactWorld) -> None:
    action = propose(iw)
    agree_all(iw, action)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE impact_expectedeffect SET size = 1 WHERE action_id = %s", [action.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO impact_expectedeffect (action_id, kind, key, direction, size) "
            "VALUES (%s, 'indicator', 'cohesion', 'up', 1)",
            [action.pk],
        )
    assert ExpectedEffect.objects.get(action=action).size == 5


def test_commitments_due_soon_are_reminded_once(iw: ImpactWorld) -> None:
    today = timezone.localdate()
    action = propose(
        iw,
        commitments=[
            {"partner": "politie", "what": "Surveillance inplannen", "due_on": today + timedelta(days=2)},
            {"partner": "gemeente", "what": "Extra verlichting", "due_on": today + timedelta(days=30)},
        ],
    )
    assert actions.send_commitment_reminders() == 0  # not agreed yet: nothing to remind
    agree_all(iw, action)
    assert actions.send_commitment_reminders() == 1
    assert Notification.objects.filter(user=iw.world.petra, title__contains="Surveillance inplannen").count() == 1
    assert actions.send_commitment_reminders() == 0
