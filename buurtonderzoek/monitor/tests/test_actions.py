from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.monitor import actions, aggregates, codes, indicators
from buurtonderzoek.monitor.demo import generate_answers
from buurtonderzoek.monitor.models import InvitationCode, Response, ResponseStatus, ResultCell, Source, WaveBuurt
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, issue_codes

pytestmark = pytest.mark.django_db


def test_it_creates_a_wave_with_households_per_buurt_and_an_audit_event(mworld: MonitorWorld) -> None:
    rows = WaveBuurt.objects.filter(wave=mworld.wave)
    assert rows.count() == 6
    assert {r.households for r in rows} == {40}
    assert ResultCell.objects.filter(wave=mworld.wave).count() == 12
    assert AuditEvent.objects.filter(object_type="monitor.Wave", object_id=str(mworld.wave.pk)).exists()


def test_it_refuses_buurten_of_another_gemeente(mworld: MonitorWorld) -> None:
    from buurtonderzoek.accounts.tests.factories import BuurtFactory

    elsewhere = BuurtFactory.create(wijk__gemeente=mworld.world.other_gemeente)
    with pytest.raises(ValidationError) as error:
        actions.create_wave(
            mworld.world.gemeente,
            by=mworld.world.gert,
            name="Fout",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            version=mworld.version,
            buurten=[elsewhere],
            target_per_buurt=10,
        )
    assert "buurten" in error.value.message_dict


def test_it_stores_codes_as_keyed_hashes_only(mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    stored = InvitationCode.objects.get()
    assert code not in stored.code_hash
    assert stored.code_hash == codes.hash_code(code)
    assert [f.name for f in InvitationCode._meta.get_fields() if "address" in f.name] == []


def test_it_accepts_a_code_typed_with_spaces_dashes_and_lower_case(mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    typed = " " + codes.display(code).lower() + " "
    response = actions.claim_code(typed)
    assert response.buurt == mworld.buurten[0]
    assert response.source == Source.INVITED


def test_it_returns_the_same_response_when_a_resident_comes_back(mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    first = actions.claim_code(code)
    actions.save_section(
        first, "unsafe", {"unsafe_general": "ja", "unsafe_general_frequency": "soms"}, next_section="marks"
    )
    again = actions.claim_code(code)
    assert again.pk == first.pk
    assert again.section == "marks"
    assert again.answers["unsafe_general_frequency"] == "soms"


def test_it_refuses_unknown_and_malformed_codes(mworld: MonitorWorld) -> None:
    with pytest.raises(actions.CodeRejected, match="kennen we niet"):
        actions.claim_code("ABCD-EFGH-JKMN")
    with pytest.raises(actions.CodeRejected, match="Deze code kennen we niet in deze vorm"):
        actions.claim_code("0000-1111")


def test_it_refuses_codes_outside_the_wave_period(mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    with pytest.raises(actions.CodeRejected, match="afgesloten"):
        actions.claim_code(code, today=mworld.wave.ends_on + timedelta(days=1))
    with pytest.raises(actions.CodeRejected, match="nog niet geopend"):
        actions.claim_code(code, today=mworld.wave.starts_on - timedelta(days=1))


def test_it_drops_answers_hidden_by_skip_logic(mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    response = actions.claim_code(code)
    response = actions.save_section(
        response, "unsafe", {"unsafe_general": "nee", "unsafe_general_frequency": "vaak", "unsafe_buurt": "nee"}
    )
    assert "unsafe_general_frequency" not in response.answers


def test_it_completes_once_and_adds_the_scores_to_the_cell(mworld: MonitorWorld, answer) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    response = answer(code, unsafe_buurt="ja", mark_safety=6)
    assert response.status == ResponseStatus.COMPLETED
    assert response.scores["unsafe_buurt"] == 1.0
    assert response.scores["mark_safety"] == 6.0
    cell = ResultCell.objects.get(wave=mworld.wave, buurt=mworld.buurten[0], source=Source.INVITED)
    assert cell.respondents == 1
    assert cell.moments["mark_safety"] == [1, 6.0, 36.0]
    with pytest.raises(actions.CodeRejected, match="al ingevuld"):
        actions.claim_code(code)
    with pytest.raises(actions.ResponseClosed):
        actions.complete_response(response)


def test_it_refuses_to_complete_without_the_required_answers(mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    response = actions.claim_code(code)
    with pytest.raises(actions.ResponseIncomplete) as error:
        actions.complete_response(response)
    assert "unsafe_general" in error.value.answer_errors
    assert Response.objects.get(pk=response.pk).status == ResponseStatus.IN_PROGRESS


def test_incremental_cells_equal_a_one_pass_rebuild(mworld: MonitorWorld, answer) -> None:
    plain = issue_codes(mworld.wave, mworld.buurten[1], 12)
    for seed, code in enumerate(plain):
        answer(code, seed=seed)
    incremental = {
        (c.buurt_id, c.source): (c.respondents, c.moments) for c in ResultCell.objects.filter(wave=mworld.wave)
    }
    aggregates.rebuild_cells(mworld.wave)
    rebuilt = {(c.buurt_id, c.source): (c.respondents, c.moments) for c in ResultCell.objects.filter(wave=mworld.wave)}
    assert rebuilt.keys() == incremental.keys()
    for key, (count, moments) in rebuilt.items():
        assert incremental[key][0] == count
        assert incremental[key][1].keys() == moments.keys()
        for indicator, values in moments.items():
            assert incremental[key][1][indicator] == pytest.approx(values)


def test_public_link_answers_are_kept_apart(mworld: MonitorWorld) -> None:
    response = actions.start_public_response(mworld.wave, mworld.buurten[2])
    assert response.source == Source.PUBLIC and response.invitation is None
    answers = generate_answers(mworld.version.parsed, random.Random(3))
    for section in mworld.version.parsed.sections:
        actions.save_section(response, section.id, {q.id: answers[q.id] for q in section.questions if q.id in answers})
    actions.complete_response(response)
    public = ResultCell.objects.get(wave=mworld.wave, buurt=mworld.buurten[2], source=Source.PUBLIC)
    invited = ResultCell.objects.get(wave=mworld.wave, buurt=mworld.buurten[2], source=Source.INVITED)
    assert (public.respondents, invited.respondents) == (1, 0)


def test_public_link_must_be_enabled(mworld: MonitorWorld) -> None:
    actions.set_public_link(mworld.wave, by=mworld.world.gert, enabled=False)
    with pytest.raises(actions.CodeRejected):
        actions.start_public_response(mworld.wave, mworld.buurten[0])


def test_voiding_a_print_run_withdraws_only_unused_codes(mworld: MonitorWorld, answer) -> None:
    plain = issue_codes(mworld.wave, mworld.buurten[0], 3)
    answer(plain[0])
    run = InvitationCode.objects.first().print_run  # type: ignore[union-attr]
    assert actions.void_print_run(run, by=mworld.world.gert) == 2
    assert mworld.wave.wave_buurten.get(buurt=mworld.buurten[0]).codes_issued == 1
    # The resident is told the code was withdrawn and what to do, not that it was mistyped.
    with pytest.raises(actions.CodeRejected, match="Deze code is ingetrokken") as refused:
        actions.claim_code(plain[1])
    assert "nieuwste brief" in refused.value.messages[0] and "kennen we niet" not in refused.value.messages[0]
    with pytest.raises(actions.CodeRejected, match="al ingevuld"):
        actions.claim_code(plain[0])  # the answered code keeps its answers


def test_it_records_pulse_answers_from_a_canvass_apart(mworld: MonitorWorld) -> None:
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    canvass = QuestionnaireVersion.objects.latest_published("buurtonderzoek")
    response = actions.record_pulse(
        buurt=mworld.buurten[0],
        version=canvass,
        answers={"unsafe_buurt": "ja", "mark_safety": 5, "witness_name": "niet bewaren"},
    )
    assert response is not None
    assert response.source == Source.PULSE and response.wave == mworld.wave
    assert "witness_name" not in response.answers
    assert response.scores == {"unsafe_buurt": 1.0, "mark_safety": 5.0}
    assert actions.record_pulse(buurt=mworld.buurten[0], version=canvass, answers={"other": 1}) is None


def test_it_scores_the_standard_questionnaire_the_cbs_way(version) -> None:
    answers = {
        "unsafe_general": "nee",
        "unsafe_buurt": "ja",
        "unsafe_buurt_frequency": "vaak",
        "mark_safety": 8,
        "buurt_change": "achteruit",
        "cohesion_know_each_other": 5,  # reversed: strongly agree that people hardly know each other
        "cohesion_pleasant": 4,
        "cohesion_togetherness": 3,
        "cohesion_at_home": 5,
        "cohesion_away": 4,
        "cohesion_help_each_other": 2,
        "nuisance_speeding": "vaak",
        "nuisance_dog_mess": "soms",
        "victim_bike_theft": "ja",
        "reported_bike_theft": "nee",
        "victim_burglary": "nee",
        "watch_aware": "weet_niet",
    }
    scores = indicators.score(version.parsed, answers)
    assert scores["unsafe_general"] == 0.0
    assert scores["unsafe_general_often"] == 0.0  # never unsafe, so not often either
    assert scores["unsafe_buurt_often"] == 1.0
    assert scores["buurt_change_achteruit"] == 1.0 and scores["buurt_change_vooruit"] == 0.0
    # The six VM 2021 statements on 0-1: (1 - 1), 0.75, 0.5, 1, 0.75, 0.25 -> mean 3.25 / 6 on 0-10.
    assert scores["cohesion_vm2021"] == pytest.approx(10 * 3.25 / 6)
    assert "cohesion" not in scores  # the pre-2021 four-statement key belongs to version 1
    assert scores["nuisance_speeding"] == 1.0 and scores["nuisance_dog_mess"] == 0.0
    assert scores["victimisation_bike_theft"] == 1.0 and scores["reported_bike_theft"] == 0.0
    assert "reported_burglary" not in scores
    assert "watch_aware" not in scores  # "weet niet" is not in the denominator
    assert "mark_liveability" not in scores


def test_it_lists_the_indicators_with_national_reference_points(version) -> None:
    found = {i.key: i for i in indicators.indicators_for(version.parsed)}
    assert found["unsafe_buurt"].reference == 0.14 and found["unsafe_buurt"].not_comparable  # 2019, old series
    assert found["unsafe_general"].reference == 0.35 and not found["unsafe_general"].not_comparable
    assert found["mark_safety"].reference is None  # no verified national figure: none shown
    assert found["mark_liveability"].reference == 7.6
    cohesion = found["cohesion_vm2021"]
    assert cohesion.reference == 6.4 and not cohesion.not_comparable
    assert cohesion.reference_source == "CBS Veiligheidsmonitor 2021, reeks vanaf 2021, schaal van 6 stellingen"
    assert "cohesion" not in found
    assert {"nuisance_speeding", "victimisation_burglary", "reported_burglary", "watch_trust"} <= found.keys()


def test_a_second_wave_in_the_same_buurt_and_period_is_refused_in_dutch(mworld: MonitorWorld) -> None:
    from datetime import timedelta

    from django.core.exceptions import ValidationError

    start, end = mworld.wave.starts_on, mworld.wave.ends_on
    fields: dict[str, Any] = {"by": mworld.world.gert, "version": mworld.version, "target_per_buurt": 20}
    with pytest.raises(ValidationError) as refused:
        actions.create_wave(
            mworld.world.gemeente, name="Dubbel", starts_on=end, ends_on=end + timedelta(days=30),
            buurten=[mworld.buurten[1], mworld.buurten[4]], **fields,
        )  # fmt: skip
    message = refused.value.message_dict["buurten"][0]
    assert "Voorjaar" in message and "Buurt A2, Buurt B2" in message and "twee brieven" in message
    # After the first wave ends, the same buurten can be measured again; and the first wave cannot be
    # stretched over the second.
    later = actions.create_wave(
        mworld.world.gemeente, name="Najaar", starts_on=end + timedelta(days=1), ends_on=end + timedelta(days=40),
        buurten=[mworld.buurten[1]], **fields,
    )  # fmt: skip
    with pytest.raises(ValidationError) as stretched:
        actions.update_wave(
            mworld.wave, by=mworld.world.gert, name="Voorjaar", starts_on=start,
            ends_on=end + timedelta(days=5), target_per_buurt=20,
        )  # fmt: skip
    assert later.name in stretched.value.message_dict["ends_on"][0]
