"""The standard canvass questionnaire (slug `buurtonderzoek`), following DOMAIN.md section 4.

The door outcome (gesproken, niet thuis, ...) is recorded by the visit itself; this questionnaire
is what is asked once someone is spoken to. Skip logic keeps it short: everything about persons,
vehicles and flight only appears after "ja, ik heb iets gezien".

Changing this schema? Loading it again (`manage.py load_standard_questionnaires`, or a new data
migration that calls the loader) publishes it as a new version; existing answers keep pointing at
the version they answered.
"""

from __future__ import annotations

from typing import Any

from buurtonderzoek.questionnaires.standard.common import (
    YES_NO,
    YES_NO_UNKNOWN,
    Q,
    both,
    equals,
    multiple,
    question,
    section,
    single,
    text,
)

SLUG = "buurtonderzoek"
TITLE = "Buurtonderzoek: standaardvragenlijst"

SEEN = equals("seen_anything", "ja")
UNKNOWN = ["onbekend", "Onbekend"]
PROVENANCE = [
    ["eigen_waarneming", "Zelf gezien of gehoord"],
    ["camera", "Op camerabeelden gezien"],
    ["van_anderen", "Van anderen gehoord"],
]
CERTAINTY = [["zeker", "Zeker"], ["redelijk_zeker", "Redelijk zeker"], ["onzeker", "Onzeker"]]
TRANSPORT = [
    ["te_voet", "Te voet"],
    ["fiets", "Fiets"],
    ["scooter", "Scooter of brommer"],
    ["motor", "Motor"],
    ["auto", "Auto"],
    ["bestelbus", "Bestelbus"],
    ["ov", "Openbaar vervoer"],
    ["anders", "Anders"],
    UNKNOWN,
]


def _detail(qid: str, qtype: str, label: str, **extra: Any) -> Q:
    return question(qid, qtype, label, meta={"profiling": "detail"}, **extra)


def person_block() -> Q:
    """The signalement block. Behaviour comes first: a description starts with what someone did."""
    children: list[Q] = [
        text(
            "behaviour",
            "Wat deed de persoon?",
            hint="Begin bij het gedrag: bijvoorbeeld 'trok aan deurklinken van auto's', 'rende weg met een tas'.",
            multiline=True,
            required=True,
            meta={"profiling": "behaviour"},
        ),
        single(
            "gender",
            "Geslacht",
            [["man", "Man"], ["vrouw", "Vrouw"], UNKNOWN],
            meta={"profiling": "basic"},
        ),
        question(
            "age_range",
            "range",
            "Geschatte leeftijd (van - tot en met, in jaren)",
            min=0,
            max=110,
            integer=True,
            unit="jaar",
            meta={"profiling": "basic"},
        ),
        _detail(
            "height", "range", "Geschatte lengte (van - tot en met, in cm)", min=100, max=230, integer=True, unit="cm"
        ),
        _detail(
            "build",
            "single",
            "Postuur",
            choices=[["slank", "Slank"], ["normaal", "Normaal"], ["breed", "Breed"], ["zwaar", "Zwaar"], UNKNOWN],
        ),
        _detail(
            "hair_colour",
            "single",
            "Haarkleur",
            choices=[
                ["zwart", "Zwart"],
                ["donkerbruin", "Donkerbruin"],
                ["lichtbruin", "Lichtbruin"],
                ["blond", "Blond"],
                ["rood", "Rood"],
                ["grijs", "Grijs of wit"],
                ["geverfd", "Geverfd (opvallende kleur)"],
                ["niet_zichtbaar", "Niet zichtbaar (bedekt)"],
                UNKNOWN,
            ],
        ),
        _detail(
            "hair_length",
            "single",
            "Haarlengte",
            choices=[["kaal", "Kaal"], ["kort", "Kort"], ["halflang", "Halflang"], ["lang", "Lang"], UNKNOWN],
        ),
        _detail("hair_style", "text", "Kapsel", hint="Bijvoorbeeld krullen, staart, vlechtjes, opgeschoren zijkanten."),
        _detail(
            "facial_hair",
            "single",
            "Gezichtsbeharing",
            choices=[
                ["geen", "Geen"],
                ["stoppels", "Stoppels"],
                ["snor", "Snor"],
                ["sik", "Sik"],
                ["baard", "Baard"],
                UNKNOWN,
            ],
        ),
        _detail(
            "glasses",
            "single",
            "Bril",
            choices=[["bril", "Bril"], ["zonnebril", "Zonnebril"], ["geen", "Geen bril"], UNKNOWN],
        ),
        _detail(
            "face_covering",
            "multiple",
            "Gezichtsbedekking",
            choices=[
                ["geen", "Geen"],
                ["bivakmuts", "Bivakmuts"],
                ["capuchon", "Capuchon op"],
                ["mondkapje", "Mondkapje"],
                ["sjaal", "Sjaal of col voor de mond"],
                ["helm", "Helm"],
                ["anders", "Anders"],
            ],
        ),
        _detail("notable_features", "text", "Opvallend aan het gezicht", hint="Bijvoorbeeld een litteken, moedervlek."),
        _detail("headwear", "text", "Hoofddeksel", hint="Pet, muts, helm: kleur en opdruk."),
        _detail("top_type", "text", "Jas of bovenkleding", hint="Bijvoorbeeld hoodie, trainingsjack, parka."),
        _detail("top_colour", "text", "Kleur bovenkleding"),
        _detail("top_brand", "text", "Merk bovenkleding", hint="Bijvoorbeeld een logo dat u zag."),
        _detail("top_print", "text", "Opdruk, strepen of andere opvallende dingen aan de bovenkleding"),
        _detail(
            "trousers", "text", "Broek", hint="Soort en kleur, bijvoorbeeld zwarte trainingsbroek met witte strepen."
        ),
        _detail("shoes", "text", "Schoenen", hint="Soort, kleur, merk."),
        _detail("bag", "text", "Tas of rugzak"),
        _detail("marks", "text", "Tatoeages, littekens of piercings", hint="Waar en hoe ze eruitzagen."),
        _detail("gait", "text", "Manier van lopen of bewegen", hint="Bijvoorbeeld mank, snel, slenterend."),
        text(
            "language",
            "Taal of accent dat u hoorde",
            hint="Alleen wat u echt hoorde. Geef geen afkomst op basis van uiterlijk.",
            meta={"profiling": "language"},
        ),
        _detail("objects", "text", "Voorwerpen bij zich", hint="Gereedschap, buit, een fiets aan de hand."),
        text(
            "appearance",
            "Huidskleur of uiterlijk",
            hint="Alleen samen met andere concrete kenmerken. Gebruik geen herkomstlabels zoals 'buitenlands type'.",
            meta={"profiling": "appearance"},
        ),
        question("first_seen", "time", "Voor het eerst gezien om", meta={"profiling": "other"}),
        question("last_seen", "time", "Voor het laatst gezien om", meta={"profiling": "other"}),
        single("transport", "Vervoer", TRANSPORT, meta={"profiling": "other"}),
        text("person_direction", "Welke kant ging de persoon op?", meta={"profiling": "other"}),
        single(
            "provenance",
            "Hoe weet u dit?",
            PROVENANCE,
            required=True,
            meta={"profiling": "other"},
        ),
        single("certainty", "Hoe zeker bent u?", CERTAINTY, required=True, meta={"profiling": "other"}),
    ]
    return question(
        "persons",
        "repeat",
        "Personen",
        block="person",
        hint="Eén blok per persoon. Begin bij wat de persoon deed.",
        add_label="Persoon toevoegen",
        item_label="Persoon",
        max_count=20,
        relevant=both(SEEN, {">": [{"var": "persons_count"}, 0]}),
        children=children,
    )


def vehicle_block() -> Q:
    children: list[Q] = [
        single(
            "vehicle_type",
            "Soort voertuig",
            [
                ["auto", "Auto"],
                ["bestelbus", "Bestelbus"],
                ["vrachtwagen", "Vrachtwagen"],
                ["scooter", "Scooter of brommer"],
                ["motor", "Motor"],
                ["fiets", "Fiets"],
                ["anders", "Anders"],
                UNKNOWN,
            ],
            required=True,
        ),
        text(
            "plate",
            "Kenteken",
            hint="Ook een deel is nuttig. Schrijf een teken dat u niet weet als *, bijvoorbeeld 12-AB*-3.",
            max_length=20,
        ),
        single(
            "plate_complete",
            "Is het kenteken volledig?",
            [["volledig", "Volledig"], ["deels", "Gedeeltelijk"]],
            relevant={"not": {"empty": {"var": "plate"}}},
        ),
        single(
            "plate_country",
            "Land van het kenteken",
            [
                ["NL", "Nederland"],
                ["BE", "België"],
                ["DE", "Duitsland"],
                ["FR", "Frankrijk"],
                ["GB", "Verenigd Koninkrijk"],
                ["PL", "Polen"],
                ["anders", "Ander land"],
                UNKNOWN,
            ],
            hint="Het land op de kentekenplaat (de landcode), niet een gok naar de bestuurder.",
        ),
        text("make_model", "Merk en model"),
        text("vehicle_colour", "Kleur"),
        text("vehicle_marks", "Opschriften, stickers of schade"),
        question("occupants", "number", "Aantal inzittenden", min=0, max=60, integer=True),
        question("vehicle_time", "time", "Hoe laat zag u het voertuig?"),
        text("vehicle_direction", "Welke kant reed het op?"),
        single("vehicle_provenance", "Hoe weet u dit?", PROVENANCE, required=True),
        single("vehicle_certainty", "Hoe zeker bent u?", CERTAINTY, required=True),
    ]
    return question(
        "vehicles",
        "repeat",
        "Voertuigen",
        block="vehicle",
        hint="Eén blok per voertuig (auto, bestelbus, scooter, fiets).",
        add_label="Voertuig toevoegen",
        item_label="Voertuig",
        max_count=20,
        relevant=both(SEEN, equals("vehicles_seen", "ja")),
        children=children,
    )


def schema() -> dict[str, Any]:
    sections: list[Q] = [
        section(
            "door",
            "Aan de deur",
            [
                question(
                    "intro",
                    "note",
                    "Stel u voor, vertel dat u van het buurtpreventieteam bent en waarom u aanbelt. Vraag geen naam: "
                    "die noteren we alleen als iemand toestemming geeft om gebeld te worden.",
                ),
                single(
                    "respondent_type",
                    "Met wie spreekt u?",
                    [["bewoner", "Bewoner"], ["bezoeker", "Bezoeker"], ["bedrijf", "Bedrijf of winkel"]],
                    required=True,
                ),
                single(
                    "privacy_notice_shown",
                    "Heeft u de privacyverklaring laten zien of uitgelegd?",
                    YES_NO,
                    required=True,
                ),
                text(
                    "privacy_notice_version",
                    "Versie van de privacyverklaring",
                    required=True,
                    max_length=40,
                    relevant=equals("privacy_notice_shown", "ja"),
                    hint="De app vult dit zelf in.",
                    meta={"prefill": "context.privacy_notice_version"},
                ),
            ],
        ),
        section(
            "observations",
            "Waarnemingen",
            [
                single(
                    "present",
                    "Was u thuis of in de buurt in de tijd dat het gebeurde?",
                    YES_NO_UNKNOWN,
                    required=True,
                ),
                single("seen_anything", "Heeft u iets ongewoons gezien of gehoord?", YES_NO, required=True),
                text(
                    "what",
                    "Wat zag of hoorde u?",
                    multiline=True,
                    required=True,
                    relevant=SEEN,
                    hint="Beschrijf wat er gebeurde, in de woorden van de bewoner.",
                ),
                question("what_time", "time", "Hoe laat was dat (ongeveer)?", relevant=SEEN),
                question("what_point", "point", "Waar was dat? Wijs het aan op de kaart.", relevant=SEEN),
                text(
                    "what_place", "Of beschrijf de plek", relevant=SEEN, hint="Bijvoorbeeld 'achterom bij nummer 12'."
                ),
                question(
                    "persons_count",
                    "number",
                    "Hoeveel personen zag u?",
                    min=0,
                    max=20,
                    integer=True,
                    relevant=SEEN,
                ),
                person_block(),
                single("vehicles_seen", "Zag u een voertuig dat erbij hoorde?", YES_NO, relevant=SEEN),
                vehicle_block(),
                text(
                    "flight_direction",
                    "Welke kant gingen ze op? (vluchtrichting of route)",
                    relevant=SEEN,
                    multiline=True,
                ),
            ],
        ),
        section(
            "incident_specific",
            "Vragen bij dit soort incident",
            [
                text(
                    "bike_make",
                    "Zag u iemand met een fiets of scooter die erop leek? Merk en type:",
                    incident_types=["fietsdiefstal", "scooterdiefstal"],
                ),
                text(
                    "bike_colour",
                    "Kleur van die fiets of scooter",
                    incident_types=["fietsdiefstal", "scooterdiefstal"],
                ),
                single(
                    "bike_lock",
                    "Zag of hoorde u iemand een slot openbreken (knippen, zagen, slijpen)?",
                    YES_NO_UNKNOWN,
                    incident_types=["fietsdiefstal", "scooterdiefstal"],
                ),
                text(
                    "bike_lock_details",
                    "Wat zag of hoorde u bij het slot, en wanneer?",
                    incident_types=["fietsdiefstal", "scooterdiefstal"],
                    relevant=equals("bike_lock", "ja"),
                ),
                text(
                    "car_taken",
                    "Zag u iemand iets uit een auto halen of wegdragen? Wat?",
                    incident_types=["autokraak"],
                    hint="Bijvoorbeeld een navigatiesysteem, airbag, tas.",
                ),
                single(
                    "car_damage",
                    "Zag u schade aan auto's, zoals een ingeslagen ruit of een geforceerd slot?",
                    YES_NO_UNKNOWN,
                    incident_types=["autokraak"],
                ),
                text(
                    "car_damage_details",
                    "Welke auto('s) en welke schade?",
                    incident_types=["autokraak"],
                    relevant=equals("car_damage", "ja"),
                ),
                single(
                    "entry_point",
                    "Zag u iemand bij een deur, raam of schuur? Waar?",
                    [
                        ["voordeur", "Voordeur"],
                        ["achterdeur", "Achterdeur of achterom"],
                        ["raam", "Raam"],
                        ["balkon", "Balkon of dak"],
                        ["schuur", "Schuur of garage"],
                        ["anders", "Ergens anders"],
                        ["nee", "Nee, niets gezien"],
                    ],
                    incident_types=["woninginbraak", "poging_woninginbraak"],
                ),
                single(
                    "sounds_heard",
                    "Hoorde u geluiden, zoals brekend glas, boren of een alarm?",
                    YES_NO_UNKNOWN,
                    incident_types=["woninginbraak", "poging_woninginbraak"],
                ),
                text(
                    "sounds_details",
                    "Welke geluiden, en hoe laat?",
                    incident_types=["woninginbraak", "poging_woninginbraak"],
                    relevant=equals("sounds_heard", "ja"),
                ),
            ],
        ),
        section(
            "before",
            "De dagen ervoor",
            [
                single(
                    "unusual_before",
                    "Viel u in de dagen ervoor iets op? Bijvoorbeeld mensen die rondkeken, onbekende voertuigen of "
                    "iemand die aan deuren voelde.",
                    YES_NO,
                ),
                text(
                    "unusual_before_what",
                    "Wat viel op, en wanneer?",
                    multiline=True,
                    required=True,
                    relevant=equals("unusual_before", "ja"),
                ),
                single(
                    "other_witnesses",
                    "Weet u wie er nog iets gezien kan hebben? Bijvoorbeeld buren, bezorgers of hondenuitlaters.",
                    YES_NO,
                ),
                text(
                    "other_witnesses_who",
                    "Wie of waar?",
                    required=True,
                    relevant=equals("other_witnesses", "ja"),
                    hint="Een omschrijving of adres is genoeg, geen namen of telefoonnummers van anderen.",
                ),
            ],
        ),
        section(
            "cameras",
            "Camera's",
            [
                single(
                    "has_camera",
                    "Heeft u een camera of deurbelcamera die de straat, de ingang of de oprit filmt?",
                    YES_NO,
                    required=True,
                ),
                multiple(
                    "camera_view",
                    "Wat filmt de camera?",
                    [
                        ["straat", "Straat"],
                        ["ingang", "Ingang of voordeur"],
                        ["oprit", "Oprit"],
                        ["achterom", "Tuin of achterom"],
                    ],
                    relevant=equals("has_camera", "ja"),
                ),
                text("camera_direction", "Welke kant kijkt de camera op?", relevant=equals("has_camera", "ja")),
                question(
                    "camera_retention_days",
                    "number",
                    "Hoeveel dagen bewaart de camera de beelden?",
                    min=0,
                    max=365,
                    integer=True,
                    relevant=equals("has_camera", "ja"),
                    hint="Weinig dagen? Dan is het urgent: geef het meteen door aan de coördinator.",
                    meta={"lead": "camera_retention"},
                ),
                single(
                    "camera_in_beeld",
                    "Is de camera aangemeld bij Camera in Beeld van de politie?",
                    YES_NO_UNKNOWN,
                    relevant=equals("has_camera", "ja"),
                ),
                single(
                    "camera_share",
                    "Wilt u de beelden delen met de politie? (Niet met het buurtpreventieteam.)",
                    YES_NO_UNKNOWN,
                    relevant=equals("has_camera", "ja"),
                    meta={"lead": "camera_share"},
                ),
                question(
                    "camera_note",
                    "note",
                    "Beelden worden nooit in deze app gezet. Als de bewoner wil delen, neemt de politie contact op.",
                    relevant=equals("has_camera", "ja"),
                ),
            ],
        ),
        section(
            "consent",
            "Toestemming en terugkoppeling",
            [
                single(
                    "contact_consent",
                    "Mag de politie contact met u opnemen over wat u zag?",
                    YES_NO,
                    required=True,
                ),
                text(
                    "contact_name",
                    "Naam",
                    required=True,
                    max_length=150,
                    relevant=equals("contact_consent", "ja"),
                    meta={"personal": "contact"},
                ),
                single(
                    "contact_method",
                    "Hoe wilt u benaderd worden?",
                    [["telefoon", "Telefoon"], ["email", "E-mail"]],
                    required=True,
                    relevant=equals("contact_consent", "ja"),
                ),
                text(
                    "contact_phone",
                    "Telefoonnummer",
                    input="tel",
                    required=True,
                    max_length=30,
                    relevant=both(equals("contact_consent", "ja"), equals("contact_method", "telefoon")),
                    meta={"personal": "contact"},
                ),
                text(
                    "contact_email",
                    "E-mailadres",
                    input="email",
                    required=True,
                    max_length=254,
                    relevant=both(equals("contact_consent", "ja"), equals("contact_method", "email")),
                    meta={"personal": "contact"},
                ),
                single("wants_outcome", "Wilt u horen wat er uit het buurtonderzoek komt?", YES_NO),
                text(
                    "outcome_email",
                    "E-mailadres voor de uitkomst",
                    input="email",
                    max_length=254,
                    relevant=both(equals("wants_outcome", "ja"), {"!=": [{"var": "contact_consent"}, "ja"]}),
                    hint="Alleen voor het afloopbericht. Leeg laten kan: de uitkomst komt ook op de buurtpagina.",
                    meta={"personal": "contact"},
                ),
            ],
        ),
        section(
            "pulse",
            "Veiligheid in de buurt (kort)",
            [
                single(
                    "pulse_ok",
                    "Mag ik nog drie korte vragen stellen over veiligheid in uw buurt? (Mag ook nee.)",
                    YES_NO,
                ),
                single(
                    "unsafe_buurt",
                    "Voelt u zich wel eens onveilig in uw eigen buurt?",
                    YES_NO,
                    relevant=equals("pulse_ok", "ja"),
                    meta={"indicator": "unsafe_buurt", "kind": "proportion", "value": "ja"},
                ),
                question(
                    "mark_safety",
                    "scale",
                    "Welk rapportcijfer geeft u voor de veiligheid in uw buurt?",
                    min=1,
                    max=10,
                    choices=[[1, "zeer onveilig"], [10, "zeer veilig"]],
                    relevant=equals("pulse_ok", "ja"),
                    meta={"indicator": "mark_safety", "kind": "mean"},
                ),
                single(
                    "buurt_change",
                    "Is uw buurt het afgelopen jaar vooruitgegaan, gelijk gebleven of achteruitgegaan?",
                    [["vooruit", "Vooruitgegaan"], ["gelijk", "Gelijk gebleven"], ["achteruit", "Achteruitgegaan"]],
                    relevant=equals("pulse_ok", "ja"),
                    meta={"indicator": "buurt_change", "kind": "distribution"},
                ),
            ],
        ),
    ]
    return {
        "title": TITLE,
        "meta": {"origin_label_check": "all_text", "purpose": "canvass"},
        "sections": sections,
    }
