"""The demo's driehoeksoverleg: every state of the loop, one action evaluated on the demo's waves."""

from __future__ import annotations

import pytest

from buurtonderzoek.impact.demo import seed_demo_impact
from buurtonderzoek.impact.models import Action, ActionStatus
from buurtonderzoek.impact.tests.conftest import ImpactWorld
from buurtonderzoek.monitor.demo import seed_demo_monitor
from buurtonderzoek.questionnaires.models import QuestionnaireVersion

pytestmark = pytest.mark.django_db


def test_the_demo_table_has_actions_in_every_state_and_an_effect_from_the_demo_waves(
    iworld: ImpactWorld, version: QuestionnaireVersion
) -> None:
    w = iworld.world
    seed_demo_monitor(w.gemeente)
    table = seed_demo_impact(w.gemeente, gemeente_user=w.gert, police_user=w.petra, coordinators=[w.alice])
    statuses = set(Action.objects.filter(table=table).values_list("status", flat=True))
    assert statuses == {"idee", "in_overleg", "loopt", "geevalueerd", "gestopt"}
    evaluated = Action.objects.get(table=table, status=ActionStatus.EVALUATED)
    assert evaluated.action_type == "buurtonderzoek"
    result = evaluated.evaluation
    assert result["baseline"] and result["follow_up"]
    assert [i["key"] for i in result["indicators"]] == ["unsafe_buurt", "watch_aware"]
    assert all(i["words"] for i in result["indicators"])
    # Run again: nothing is added.
    count = Action.objects.count()
    seed_demo_impact(w.gemeente, gemeente_user=w.gert, police_user=w.petra, coordinators=[w.alice])
    assert Action.objects.count() == count
