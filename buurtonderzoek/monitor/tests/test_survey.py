"""The resident's survey pages (no account), and the public and team summaries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.monitor import codes
from buurtonderzoek.monitor.models import Response, ResponseStatus, Source
from buurtonderzoek.monitor.survey import SESSION_KEY
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, issue_codes

pytestmark = pytest.mark.django_db

SECTION = reverse("monitor:survey_section")


def start(client: Client, code: str):
    return client.post(reverse("monitor:survey_start"), {"code": code})


def test_the_qr_link_fills_in_the_code_without_using_it(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    page = client.get(reverse("monitor:survey_code_link", args=[code])).content.decode()
    assert codes.display(code) in page
    assert not Response.objects.exists()


def test_a_code_starts_the_survey_at_the_first_block(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    assert start(client, code)["Location"] == SECTION
    page = client.get(SECTION).content.decode()
    assert "Stap 1 van 7" in page and "Gevoel van veiligheid" in page
    assert 'name="unsafe_general"' in page


def test_an_unknown_code_gets_a_dutch_explanation(client: Client, mworld: MonitorWorld) -> None:
    page = start(client, "ABCD-EFGH-JKMN").content.decode()
    assert "Deze code kennen we niet" in page
    page = start(client, "12").content.decode()
    assert "Een code heeft 12 tekens" in page


def test_a_block_must_be_complete_before_the_next(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    start(client, code)
    response = client.post(SECTION, {"section": "unsafe", "action": "next", "unsafe_general": "ja"})
    assert response.status_code == 200
    assert "Kies een antwoord." in response.content.decode()


def test_a_resident_stops_and_continues_with_the_same_code(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    start(client, code)
    client.post(SECTION, {"section": "unsafe", "action": "next", "unsafe_general": "nee", "unsafe_buurt": "ja"})
    paused = client.post(SECTION, {"section": "marks", "action": "pause", "mark_safety": "6"})
    assert "Uw antwoorden zijn bewaard" in paused.content.decode()
    assert SESSION_KEY not in client.session  # a shared computer does not keep the survey open
    assert client.get(SECTION)["Location"] == reverse("monitor:survey_start")

    other = Client()
    assert start(other, codes.display(code).lower())["Location"] == SECTION
    page = other.get(SECTION).content.decode()
    assert "Stap 2 van 7" in page
    assert 'value="6" data-question="mark_safety" id="id_mark_safety_5" checked' in page


def test_the_last_block_sends_the_answers_once(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    start(client, code)
    client.post(SECTION, {"section": "unsafe", "action": "next", "unsafe_general": "nee", "unsafe_buurt": "nee"})
    for section in ("marks", "cohesion", "nuisance", "victimisation"):
        assert client.post(SECTION, {"section": section, "action": "next"}).status_code == 302
    assert client.post(SECTION, {"section": "watch", "action": "next", "watch_aware": "nee"}).status_code == 302
    # Last: the two optional questions about the respondent, with why we ask and a way not to say.
    about = client.get(SECTION).content.decode()
    assert "Stap 7 van 7" in about and "Over uzelf" in about and "U mag ze overslaan" in about
    assert "Waarom vragen we dit?" in about and about.count("Zeg ik liever niet") >= 2
    done = client.post(SECTION, {"section": "about_you", "action": "next", "age_group": "45_64", "sex": "liever_niet"})
    assert done["Location"] == reverse("monitor:survey_done")
    assert "Bedankt" in client.get(done["Location"]).content.decode()
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED
    assert response.scores["unsafe_buurt"] == 0.0 and response.scores["watch_aware"] == 0.0
    assert response.answers["age_group"] == "45_64" and response.answers["sex"] == "liever_niet"
    assert "age_group" not in response.scores  # background questions are no indicators
    assert "al ingevuld" in start(client, code).content.decode()


def test_the_questions_about_yourself_may_be_skipped(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    start(client, code)
    first = client.get(SECTION).content.decode()
    assert "15 jaar of ouder" in first  # the VM measures persons of 15 and older: one of them answers
    client.post(SECTION, {"section": "unsafe", "action": "next", "unsafe_general": "nee", "unsafe_buurt": "nee"})
    for section in ("marks", "cohesion", "nuisance", "victimisation", "watch"):
        assert client.post(SECTION, {"section": section, "action": "next"}).status_code == 302
    done = client.post(SECTION, {"section": "about_you", "action": "next"})
    assert done["Location"] == reverse("monitor:survey_done")
    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED and "age_group" not in response.answers


def test_going_back_keeps_the_answers(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    start(client, code)
    client.post(
        SECTION,
        {
            "section": "unsafe",
            "action": "next",
            "unsafe_general": "ja",
            "unsafe_general_frequency": "soms",
            "unsafe_buurt": "nee",
        },
    )
    back = client.post(SECTION, {"section": "marks", "action": "previous", "mark_safety": "8"})
    assert back["Location"] == f"{SECTION}?stap=unsafe"
    assert Response.objects.get().answers == {
        "unsafe_general": "ja",
        "unsafe_general_frequency": "soms",
        "unsafe_buurt": "nee",
        "mark_safety": 8,
    }


def test_the_public_link_asks_for_the_buurt_and_keeps_answers_apart(client: Client, mworld: MonitorWorld) -> None:
    url = reverse("monitor:survey_public", args=[mworld.wave.public_token])
    assert "In welke buurt woont u?" in client.get(url).content.decode()
    assert "Kies uw buurt of vul uw postcode in" in client.post(url, {}).content.decode()
    postcode = f"9{mworld.buurten[1].pk % 1000:03d}AB"  # conftest.make_addresses
    assert client.post(url, {"postcode": postcode.lower()})["Location"] == SECTION
    response = Response.objects.get()
    assert (response.source, response.buurt, response.invitation) == (Source.PUBLIC, mworld.buurten[1], None)
    assert postcode not in str(response.answers)


def test_a_closed_public_link_says_so(client: Client, mworld: MonitorWorld) -> None:
    mworld.wave.public_link_enabled = False
    mworld.wave.save()
    response = client.get(reverse("monitor:survey_public", args=[mworld.wave.public_token]))
    assert response.status_code == 410
    assert "niet open" in response.content.decode()


def test_codes_only_work_during_the_wave(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    mworld.wave.starts_on = timezone.localdate() + timedelta(days=2)
    mworld.wave.ends_on = timezone.localdate() + timedelta(days=20)
    mworld.wave.save()
    assert "nog niet geopend" in start(client, code).content.decode()


def test_the_survey_is_available_in_english(client: Client, mworld: MonitorWorld) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    start(client, code)
    client.post(reverse("set_language"), {"language": "en", "next": SECTION})
    page = client.get(SECTION).content.decode()
    assert 'lang="en"' in page


def test_the_survey_uses_english_question_texts_when_the_version_has_them(client: Client, mworld: MonitorWorld) -> None:
    from buurtonderzoek.monitor.survey import _translate
    from buurtonderzoek.questionnaires.forms import section_form_class

    schema = {
        "sections": [
            {
                "id": "s",
                "title": "Veiligheid",
                "en": {"title": "Safety"},
                "questions": [
                    {
                        "id": "q",
                        "type": "single",
                        "label": "Voelt u zich veilig?",
                        "en": {"label": "Do you feel safe?", "choices": {"ja": "Yes"}},
                        "choices": [["ja", "Ja"], ["nee", "Nee"]],
                    }
                ],
            }
        ]
    }
    form = section_form_class(schema, "s")()
    assert _translate(form, form.section, "en") == "Safety"
    assert form.fields["q"].label == "Do you feel safe?"
    assert list(form.fields["q"].choices) == [("ja", "Yes"), ("nee", "Nee")]  # type: ignore[attr-defined]


# --- Summaries ----------------------------------------------------------------------------------


@pytest.fixture
def finished(mworld: MonitorWorld, fill) -> MonitorWorld:
    fill(mworld.wave, {b.pk: 14 for b in mworld.buurten})
    today = timezone.localdate()
    mworld.wave.starts_on, mworld.wave.ends_on = today - timedelta(days=30), today - timedelta(days=2)
    mworld.wave.save()
    return mworld


def test_the_buurt_summary_is_public_and_shows_finished_waves(client: Client, finished: MonitorWorld) -> None:
    page = client.get(reverse("monitor:buurt_summary", args=[finished.buurten[0].code])).content.decode()
    assert "Voorjaar" in page
    assert "Rapportcijfer veiligheid buurt" in page and "data-value" in page
    # Residents see where each national figure comes from, and which weighting the figures use.
    assert "CBS Veiligheidsmonitor 2023, reeks vanaf 2021" in page
    assert "Weging:" in page and "Huishoudgewichten per buurt" in page


def test_the_buurt_summary_leaves_out_running_waves(client: Client, mworld: MonitorWorld, fill) -> None:
    fill(mworld.wave, {b.pk: 14 for b in mworld.buurten})
    page = client.get(reverse("monitor:buurt_summary", args=[mworld.buurten[0].code])).content.decode()
    assert "nog geen afgeronde metingen" in page
    assert "data-value" not in page


def test_an_unknown_buurt_is_not_found(client: Client, mworld: MonitorWorld) -> None:
    assert client.get(reverse("monitor:buurt_summary", args=["BU00000000"])).status_code == 404


def test_the_team_summary_requires_login(client: Client, finished: MonitorWorld) -> None:
    response = client.get(reverse("monitor:team_summary", args=[finished.world.team.pk]))
    assert reverse("account_login") in response["Location"]


def test_the_team_summary_is_hidden_from_outsiders(client: Client, finished: MonitorWorld) -> None:
    client.force_login(finished.world.charlie)
    assert client.get(reverse("monitor:team_summary", args=[finished.world.team.pk])).status_code == 404


def test_the_team_summary_shows_the_teams_buurten(client: Client, finished: MonitorWorld) -> None:
    client.force_login(finished.world.bob)
    page = client.get(reverse("monitor:team_summary", args=[finished.world.team.pk])).content.decode()
    assert finished.buurten[0].name in page
    assert finished.buurten[3].name not in page
    assert "data-value" in page
