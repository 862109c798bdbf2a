"""The standard Communitymonitor questionnaire (slug `communitymonitor`), DOMAIN.md section 6.

Wording follows the CBS Veiligheidsmonitor so results compare with national figures; the English
follows the CBS Safety Monitor. One section per screen. Every question that feeds a statistic
carries `meta.indicator` (see docs/questionnaire-engine.md for the keys and how they are scored).
Every text is Dutch with its English next to it (`en=`, choice triples; see common.py).
"""

from __future__ import annotations

from typing import Any

from buurtonderzoek.questionnaires.standard.common import YES_NO, Choice, Q, equals, question, section, single

SLUG = "communitymonitor"
TITLE = "Communitymonitor veiligheid"
TITLE_EN = "Community safety monitor"

FREQUENCY: list[Choice] = [("vaak", "Vaak", "Often"), ("soms", "Soms", "Sometimes"), ("zelden", "Zelden", "Rarely")]
NUISANCE_FREQUENCY: list[Choice] = [
    ("vaak", "Komt vaak voor", "Happens often"),
    ("soms", "Komt soms voor", "Happens sometimes"),
    ("nooit", "Komt (bijna) nooit voor", "(Almost) never happens"),
]
AGREEMENT: list[Choice] = [
    (1, "Helemaal mee oneens", "Strongly disagree"),
    (2, "Mee oneens", "Disagree"),
    (3, "Niet mee eens, niet mee oneens", "Neither agree nor disagree"),
    (4, "Mee eens", "Agree"),
    (5, "Helemaal mee eens", "Strongly agree"),
]
MARK_LABELS: list[Choice] = [(1, "zeer slecht", "very poor"), (10, "uitstekend", "excellent")]

# (item key, statement, English, reversed): the social cohesion statements of the CBS
# Veiligheidsmonitor from 2021 on (six statements; docs/monitor.md says which wording is verified
# against which source). Agreement with a reversed statement means *less* cohesion. Version 1 of this
# questionnaire asked the four pre-2021 statements under the indicator key `cohesion`; the six form
# the new key `cohesion_vm2021`, so the two scales are never compared with each other.
COHESION = [
    (
        "know_each_other",
        "De mensen kennen elkaar in deze buurt nauwelijks.",
        "People in this neighbourhood hardly know each other.",
        True,
    ),
    (
        "pleasant",
        "De mensen gaan in deze buurt op een prettige manier met elkaar om.",
        "People in this neighbourhood get along with each other in a pleasant way.",
        False,
    ),
    (
        "togetherness",
        "Ik woon in een gezellige buurt, waar veel saamhorigheid is.",
        "I live in a friendly neighbourhood with a strong sense of togetherness.",
        False,
    ),
    (
        "at_home",
        "Ik voel me thuis bij de mensen die in deze buurt wonen.",
        "I feel at home with the people who live in this neighbourhood.",
        False,
    ),
    (
        "away",
        "Als ik op vakantie zou gaan of langere tijd afwezig zou zijn, zou ik mijn buren vragen een oogje in het "
        "zeil te houden.",
        "If I went on holiday or were away for a longer time, I would ask my neighbours to keep an eye on things.",
        False,
    ),
    (
        "help_each_other",
        "Ik woon in een buurt waar mensen elkaar helpen en dingen samen doen.",
        "I live in a neighbourhood where people help each other and do things together.",
        False,
    ),
]
COHESION_INDICATOR = "cohesion_vm2021"
# The statements keep the CBS wording; a word above B1 level (docs/taal.md) is explained in a help text.
COHESION_HINTS: dict[str, tuple[str, str]] = {
    "togetherness": (
        "Saamhorigheid: het gevoel dat de mensen in de buurt bij elkaar horen.",
        "Togetherness: the feeling that the people in the neighbourhood belong together.",
    ),
}
# Age bands as in the CBS kerncijfers (weighting.AGE_BANDS) and sex as CBS counts it; both optional.
AGE_GROUPS: list[Choice] = [
    ("15_24", "15 tot 25 jaar", "15 to 24 years"),
    ("25_44", "25 tot 45 jaar", "25 to 44 years"),
    ("45_64", "45 tot 65 jaar", "45 to 64 years"),
    ("65_plus", "65 jaar of ouder", "65 years or older"),
    ("liever_niet", "Zeg ik liever niet", "I'd rather not say"),
]
SEX: list[Choice] = [
    ("man", "Man", "Male"),
    ("vrouw", "Vrouw", "Female"),
    ("anders", "Anders", "Other"),
    ("liever_niet", "Zeg ik liever niet", "I'd rather not say"),
]
# (item key, Dutch, English)
NUISANCE: list[Choice] = [
    ("speeding", "Te hard rijden", "Speeding"),
    ("dog_mess", "Hondenpoep op straat", "Dog mess on the street"),
    ("litter", "Rommel of zwerfafval op straat", "Rubbish or litter on the street"),
    ("youth_groups", "Groepen jongeren die overlast veroorzaken", "Groups of young people causing a nuisance"),
    ("drug_dealing", "Drugshandel", "Drug dealing"),
    ("burglary", "Inbraak in woningen", "Burglary of homes"),
]
OFFENCES: list[Choice] = [
    ("bike_theft", "Diefstal van uw fiets", "Theft of your bicycle"),
    ("theft_from_car", "Diefstal uit of vanaf uw auto", "Theft from or off your car"),
    ("burglary", "Inbraak of een poging tot inbraak in uw woning", "A burglary or attempted burglary at your home"),
    ("vandalism", "Vernieling aan uw auto, woning of andere spullen", "Damage to your car, home or other property"),
    ("violence", "Bedreiging of geweld", "Threats or violence"),
]


def _unsafe(prefix: str, question_text: str, english: str, indicator: str) -> list[Q]:
    return [
        single(
            prefix,
            question_text,
            YES_NO,
            en=english,
            required=True,
            meta={"indicator": indicator, "kind": "proportion", "value": "ja"},
        ),
        single(
            f"{prefix}_frequency",
            "Hoe vaak komt dat voor?",
            FREQUENCY,
            en="How often does that happen?",
            relevant=equals(prefix, "ja"),
            meta={"indicator": f"{indicator}_frequency", "kind": "distribution"},
        ),
    ]


def schema() -> dict[str, Any]:
    sections: list[Q] = [
        section(
            "unsafe",
            "Gevoel van veiligheid",
            [
                question(
                    "who_answers",
                    "note",
                    "Deze vragenlijst is voor iemand van 15 jaar of ouder. Wonen er meer mensen in uw huis? Dan "
                    "vult één persoon van 15 jaar of ouder de vragen in.",
                    en="This questionnaire is for someone aged 15 or older. Do more people live in your home? Then "
                    "one person aged 15 or older answers the questions.",
                ),
                *_unsafe(
                    "unsafe_general", "Voelt u zich wel eens onveilig?", "Do you ever feel unsafe?", "unsafe_general"
                ),
                *_unsafe(
                    "unsafe_buurt",
                    "Voelt u zich wel eens onveilig in uw eigen buurt?",
                    "Do you ever feel unsafe in your own neighbourhood?",
                    "unsafe_buurt",
                ),
            ],
            en="Feelings of safety",
        ),
        section(
            "marks",
            "Uw buurt in cijfers",
            [
                question(
                    "mark_safety",
                    "scale",
                    "Welk rapportcijfer (1 tot en met 10) geeft u voor de veiligheid in uw buurt?",
                    en="What score (from 1 to 10) would you give the safety in your neighbourhood?",
                    min=1,
                    max=10,
                    choices=MARK_LABELS,
                    meta={"indicator": "mark_safety", "kind": "mean"},
                ),
                question(
                    "mark_liveability",
                    "scale",
                    "Welk rapportcijfer (1 tot en met 10) geeft u uw buurt als plek om te wonen: hoe prettig is "
                    "het er om te wonen?",
                    en="What score (from 1 to 10) would you give your neighbourhood as a place to live: how pleasant "
                    "is it to live there?",
                    min=1,
                    max=10,
                    choices=MARK_LABELS,
                    meta={"indicator": "mark_liveability", "kind": "mean"},
                ),
                single(
                    "buurt_change",
                    "Is uw buurt het afgelopen jaar vooruitgegaan, gelijk gebleven of achteruitgegaan?",
                    [
                        ("vooruit", "Vooruitgegaan", "Improved"),
                        ("gelijk", "Gelijk gebleven", "Stayed the same"),
                        ("achteruit", "Achteruitgegaan", "Got worse"),
                        ("weet_niet", "Weet niet", "Don't know"),
                    ],
                    en="Over the past year, has your neighbourhood improved, stayed the same or got worse?",
                    meta={"indicator": "buurt_change", "kind": "distribution"},
                ),
            ],
            en="Your neighbourhood in scores",
        ),
        section(
            "cohesion",
            "De mensen in uw buurt",
            [
                question(
                    "cohesion_intro",
                    "note",
                    "Hoe erg bent u het eens of oneens met de volgende uitspraken over uw buurt?",
                    en="To what extent do you agree or disagree with the following statements about your "
                    "neighbourhood?",
                ),
                *[
                    question(
                        f"cohesion_{key}",
                        "scale",
                        statement,
                        en=english,
                        min=1,
                        max=5,
                        choices=AGREEMENT,
                        **(
                            {"hint": COHESION_HINTS[key][0], "en_hint": COHESION_HINTS[key][1]}
                            if key in COHESION_HINTS
                            else {}
                        ),
                        meta={
                            "indicator": COHESION_INDICATOR,
                            "kind": "scale",
                            "item": key,
                            "reversed": reversed_item,
                        },
                    )
                    for key, statement, english, reversed_item in COHESION
                ],
            ],
            en="The people in your neighbourhood",
        ),
        section(
            "nuisance",
            "Overlast in uw buurt",
            [
                question(
                    "nuisance_intro",
                    "note",
                    "Hoe vaak komen de volgende dingen in uw buurt voor?",
                    en="How often do the following things happen in your neighbourhood?",
                ),
                *[
                    single(
                        f"nuisance_{key}",
                        label,
                        NUISANCE_FREQUENCY,
                        en=english,
                        meta={"indicator": "nuisance", "kind": "distribution", "item": key, "value": "vaak"},
                    )
                    for key, label, english in NUISANCE
                ],
                single(
                    "nuisance_priority",
                    "Welk van deze problemen moet volgens u als eerste worden aangepakt?",
                    [*NUISANCE, ("geen", "Geen van deze", "None of these")],
                    en="Which of these problems do you think should be tackled first?",
                    meta={"indicator": "nuisance_priority", "kind": "distribution"},
                ),
            ],
            en="Nuisance in your neighbourhood",
        ),
        section(
            "victimisation",
            "Wat is u overkomen in de afgelopen 12 maanden?",
            [
                question(
                    "victimisation_intro",
                    "note",
                    "Is u in de afgelopen 12 maanden het volgende overkomen? Het gaat om wat u of uw huishouden "
                    "zelf is overkomen, in of buiten uw buurt.",
                    en="Has any of the following happened to you in the past 12 months? This is about what happened "
                    "to you or your household, in or outside your neighbourhood.",
                ),
                *[
                    item
                    for key, label, english in OFFENCES
                    for item in (
                        single(
                            f"victim_{key}",
                            label,
                            YES_NO,
                            en=english,
                            meta={"indicator": "victimisation", "kind": "proportion", "item": key, "value": "ja"},
                        ),
                        single(
                            f"reported_{key}",
                            "Heeft u dit bij de politie gemeld of aangegeven?",
                            YES_NO,
                            en="Did you report this to the police?",
                            relevant=equals(f"victim_{key}", "ja"),
                            meta={"indicator": "reported", "kind": "proportion", "item": key, "value": "ja"},
                        ),
                    )
                ],
            ],
            en="What happened to you in the past 12 months?",
        ),
        section(
            "watch",
            "Buurtpreventie",
            [
                single(
                    "watch_aware",
                    "Weet u of er in uw buurt een buurtpreventieteam actief is?",
                    [
                        ("ja", "Ja, dat is er", "Yes, there is one"),
                        ("nee", "Nee, dat is er niet", "No, there is not"),
                        ("weet_niet", "Weet ik niet", "I don't know"),
                    ],
                    en="Do you know whether there is an active neighbourhood watch team in your neighbourhood?",
                    meta={"indicator": "watch_aware", "kind": "proportion", "value": "ja"},
                ),
                question(
                    "watch_trust",
                    "scale",
                    "Hoeveel vertrouwen heeft u in het buurtpreventieteam?",
                    en="How much trust do you have in the neighbourhood watch team?",
                    min=1,
                    max=5,
                    choices=[
                        (1, "Helemaal geen vertrouwen", "No trust at all"),
                        (3, "Neutraal", "Neutral"),
                        (5, "Veel vertrouwen", "A lot of trust"),
                    ],
                    relevant=equals("watch_aware", "ja"),
                    meta={"indicator": "watch_trust", "kind": "mean"},
                ),
                single(
                    "watch_join",
                    "Zou u zelf mee willen doen aan buurtpreventie?",
                    [("ja", "Ja", "Yes"), ("misschien", "Misschien", "Maybe"), ("nee", "Nee", "No")],
                    en="Would you like to take part in the neighbourhood watch yourself?",
                    meta={"indicator": "watch_join", "kind": "distribution"},
                ),
            ],
            en="Neighbourhood watch",
        ),
        section(
            "about_you",
            "Over uzelf",
            [
                question(
                    "about_you_why",
                    "note",
                    "Tot slot twee vragen over uzelf. U mag ze overslaan. Waarom vragen we dit? Niet iedereen vult "
                    "de vragenlijst in. Met uw leeftijd en of u man of vrouw bent, kunnen we de antwoorden eerlijk "
                    "laten meetellen, zodat de uitkomst past bij wie er echt in de buurt woont. We kunnen u hiermee "
                    "niet herkennen.",
                    en="Finally, two questions about yourself. You may skip them. Why do we ask? Not everyone fills "
                    "in the questionnaire. With your age and whether you are a man or a woman, we can count the "
                    "answers fairly, so that the result fits who really lives in the neighbourhood. This cannot be "
                    "used to recognise you.",
                ),
                single(
                    "age_group",
                    "Hoe oud bent u?",
                    AGE_GROUPS,
                    en="How old are you?",
                    meta={"weighting": "age"},
                ),
                single(
                    "sex",
                    "Bent u een man of een vrouw?",
                    SEX,
                    en="Are you a man or a woman?",
                    meta={"weighting": "sex"},
                ),
            ],
            en="About yourself",
        ),
    ]
    return {
        "title": TITLE,
        # `series`: the CBS Veiligheidsmonitor series whose definitions this version follows.
        "meta": {"purpose": "monitor", "reference": "CBS Veiligheidsmonitor", "series": "vm2021"},
        "en": {"title": TITLE_EN},
        "sections": sections,
    }
