"""The standard Communitymonitor questionnaire (slug `communitymonitor`), DOMAIN.md section 6.

Wording follows the CBS Veiligheidsmonitor so results compare with national figures. One section
per screen. Every question that feeds a statistic carries `meta.indicator` (see
docs/questionnaire-engine.md for the keys and how they are scored).
"""

from __future__ import annotations

from typing import Any

from buurtonderzoek.questionnaires.standard.common import YES_NO, Q, equals, question, section, single

SLUG = "communitymonitor"
TITLE = "Communitymonitor veiligheid"

FREQUENCY = [["vaak", "Vaak"], ["soms", "Soms"], ["zelden", "Zelden"]]
NUISANCE_FREQUENCY = [["vaak", "Komt vaak voor"], ["soms", "Komt soms voor"], ["nooit", "Komt (bijna) nooit voor"]]
AGREEMENT = [
    [1, "Helemaal mee oneens"],
    [2, "Mee oneens"],
    [3, "Niet mee eens, niet mee oneens"],
    [4, "Mee eens"],
    [5, "Helemaal mee eens"],
]
MARK_LABELS = [[1, "zeer slecht"], [10, "uitstekend"]]

# (item key, statement, reversed): the four CBS social cohesion statements. Agreement with a
# reversed statement means *less* cohesion.
COHESION = [
    ("know_each_other", "De mensen kennen elkaar in deze buurt nauwelijks.", True),
    ("pleasant", "De mensen gaan in deze buurt op een prettige manier met elkaar om.", False),
    ("togetherness", "Ik woon in een gezellige buurt waar mensen elkaar helpen en dingen samen doen.", False),
    ("at_home", "Ik voel me thuis bij de mensen die in deze buurt wonen.", False),
]
NUISANCE = [
    ("speeding", "Te hard rijden"),
    ("dog_mess", "Hondenpoep op straat"),
    ("litter", "Rommel of zwerfafval op straat"),
    ("youth_groups", "Groepen jongeren die overlast veroorzaken"),
    ("drug_dealing", "Drugshandel"),
    ("burglary", "Inbraak in woningen"),
]
OFFENCES = [
    ("bike_theft", "Diefstal van uw fiets"),
    ("theft_from_car", "Diefstal uit of vanaf uw auto"),
    ("burglary", "Inbraak of een poging tot inbraak in uw woning"),
    ("vandalism", "Vernieling aan uw auto, woning of andere spullen"),
    ("violence", "Bedreiging of geweld"),
]


def _unsafe(prefix: str, question_text: str, indicator: str) -> list[Q]:
    return [
        single(
            prefix,
            question_text,
            YES_NO,
            required=True,
            meta={"indicator": indicator, "kind": "proportion", "value": "ja"},
        ),
        single(
            f"{prefix}_frequency",
            "Hoe vaak komt dat voor?",
            FREQUENCY,
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
                *_unsafe("unsafe_general", "Voelt u zich wel eens onveilig?", "unsafe_general"),
                *_unsafe("unsafe_buurt", "Voelt u zich wel eens onveilig in uw eigen buurt?", "unsafe_buurt"),
            ],
        ),
        section(
            "marks",
            "Uw buurt in cijfers",
            [
                question(
                    "mark_safety",
                    "scale",
                    "Welk rapportcijfer (1 tot en met 10) geeft u voor de veiligheid in uw buurt?",
                    min=1,
                    max=10,
                    choices=MARK_LABELS,
                    meta={"indicator": "mark_safety", "kind": "mean"},
                ),
                question(
                    "mark_liveability",
                    "scale",
                    "Welk rapportcijfer (1 tot en met 10) geeft u voor de leefbaarheid van uw buurt: hoe prettig "
                    "is het er om te wonen?",
                    min=1,
                    max=10,
                    choices=MARK_LABELS,
                    meta={"indicator": "mark_liveability", "kind": "mean"},
                ),
                single(
                    "buurt_change",
                    "Is uw buurt het afgelopen jaar vooruitgegaan, gelijk gebleven of achteruitgegaan?",
                    [
                        ["vooruit", "Vooruitgegaan"],
                        ["gelijk", "Gelijk gebleven"],
                        ["achteruit", "Achteruitgegaan"],
                        ["weet_niet", "Weet niet"],
                    ],
                    meta={"indicator": "buurt_change", "kind": "distribution"},
                ),
            ],
        ),
        section(
            "cohesion",
            "De mensen in uw buurt",
            [
                question(
                    "cohesion_intro",
                    "note",
                    "Hoe erg bent u het eens of oneens met de volgende uitspraken over uw buurt?",
                ),
                *[
                    question(
                        f"cohesion_{key}",
                        "scale",
                        statement,
                        min=1,
                        max=5,
                        choices=AGREEMENT,
                        meta={"indicator": "cohesion", "kind": "scale", "item": key, "reversed": reversed_item},
                    )
                    for key, statement, reversed_item in COHESION
                ],
            ],
        ),
        section(
            "nuisance",
            "Overlast in uw buurt",
            [
                question("nuisance_intro", "note", "Hoe vaak komen de volgende dingen in uw buurt voor?"),
                *[
                    single(
                        f"nuisance_{key}",
                        label,
                        NUISANCE_FREQUENCY,
                        meta={"indicator": "nuisance", "kind": "distribution", "item": key, "value": "vaak"},
                    )
                    for key, label in NUISANCE
                ],
                single(
                    "nuisance_priority",
                    "Welk van deze problemen moet volgens u als eerste worden aangepakt?",
                    [*[[key, label] for key, label in NUISANCE], ["geen", "Geen van deze"]],
                    meta={"indicator": "nuisance_priority", "kind": "distribution"},
                ),
            ],
        ),
        section(
            "victimisation",
            "Slachtofferschap in de afgelopen 12 maanden",
            [
                question(
                    "victimisation_intro",
                    "note",
                    "Is u in de afgelopen 12 maanden het volgende overkomen? Het gaat om wat u of uw huishouden "
                    "zelf is overkomen, in of buiten uw buurt.",
                ),
                *[
                    item
                    for key, label in OFFENCES
                    for item in (
                        single(
                            f"victim_{key}",
                            label,
                            YES_NO,
                            meta={"indicator": "victimisation", "kind": "proportion", "item": key, "value": "ja"},
                        ),
                        single(
                            f"reported_{key}",
                            "Heeft u dit bij de politie gemeld of aangegeven?",
                            YES_NO,
                            relevant=equals(f"victim_{key}", "ja"),
                            meta={"indicator": "reported", "kind": "proportion", "item": key, "value": "ja"},
                        ),
                    )
                ],
            ],
        ),
        section(
            "watch",
            "Buurtpreventie",
            [
                single(
                    "watch_aware",
                    "Weet u of er in uw buurt een buurtpreventieteam actief is?",
                    [["ja", "Ja, dat is er"], ["nee", "Nee, dat is er niet"], ["weet_niet", "Weet ik niet"]],
                    meta={"indicator": "watch_aware", "kind": "proportion", "value": "ja"},
                ),
                question(
                    "watch_trust",
                    "scale",
                    "Hoeveel vertrouwen heeft u in het buurtpreventieteam?",
                    min=1,
                    max=5,
                    choices=[[1, "Helemaal geen vertrouwen"], [3, "Neutraal"], [5, "Veel vertrouwen"]],
                    relevant=equals("watch_aware", "ja"),
                    meta={"indicator": "watch_trust", "kind": "mean"},
                ),
                single(
                    "watch_join",
                    "Zou u zelf mee willen doen aan buurtpreventie?",
                    [["ja", "Ja"], ["misschien", "Misschien"], ["nee", "Nee"]],
                    meta={"indicator": "watch_join", "kind": "distribution"},
                ),
            ],
        ),
    ]
    return {"title": TITLE, "meta": {"purpose": "monitor", "reference": "CBS Veiligheidsmonitor"}, "sections": sections}
