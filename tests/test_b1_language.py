"""Plain Dutch (B1) for volunteers and residents: no hard word without its explanation, errors say what to do.

The word list and the rules live in one place, docs/taal.toml (docs/taal.md explains them to writers).
What is read, as a volunteer or a resident meets it:
- the pages, rendered by the real views on the demo town: the front page, public alert pages, alert
  subscription, the privacy statement, the public impact summary, the public monitor summary, the tip form,
  every screen of the resident survey (also after an empty "Volgende"), and the field app's pages;
- the field app's own texts (the Dutch strings of static/js/field and of the questionnaire renderer and
  engine, which build the visit form on the phone) and the visit questionnaire's questions, help texts and
  answers, each question as the phone shows it.

A hard word may stay only when its explanation stands within 200 characters of it, the first time it appears
on a page (the monitor's CBS wording must stay; its help text explains). Every error message a person can get
holds an action word ("Vul", "Kies", "Probeer"...) and none of the vague phrases ("Dit veld is verplicht").
All problems are collected before the test fails, so one run lists everything to rewrite.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from buurtonderzoek.questionnaires.standard import canvass as canvass_questionnaire
from buurtonderzoek.questionnaires.standard import monitor as monitor_questionnaire

ROOT = Path(__file__).resolve().parent.parent
RULES = tomllib.loads((ROOT / "docs" / "taal.toml").read_text(encoding="utf-8"))
WINDOW = 200  # characters before or after a hard word in which its explanation must stand

# Field app texts that are error messages: they say something failed or is not allowed.
FAILURE = re.compile(r"lukte niet|niet gelukt|\bfout\b|mag niet|\bmag op\b.*\bgeen\b|kan niet|bestaat niet|gesloten")
# Parts of a page that are not our Dutch: code, data typed by people, the other language's switch.
SKIP_TAGS = {"script", "style", "code", "pre", "noscript"}
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


@dataclass(frozen=True)
class Word:
    hard: str
    plain: str
    explanations: tuple[str, ...]
    whole: bool

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(r"\b" + re.escape(self.hard) + (r"\b" if self.whole else ""))


WORDS = [
    Word(w["moeilijk"].lower(), w["gewoon"], tuple(e.lower() for e in w["uitleg"]), w.get("heel", False))
    for w in RULES["woord"]
]
ACTION_WORDS = re.compile(r"\b(" + "|".join(map(re.escape, RULES["fout"]["doewoorden"])) + r")\b", re.IGNORECASE)
VAGUE = [v.lower() for v in RULES["fout"]["vaag"]]
NOT_FOR_PEOPLE = set(RULES["fout"]["niet_voor_mensen"])


def hard_words(text: str, where: str) -> list[str]:
    """The first use of each listed word in `text` must have one of its explanations next to it."""
    lowered = " ".join(text.split()).lower()
    found = []
    for word in WORDS:
        match = word.pattern.search(lowered)
        if match is None:
            continue
        at = match.start()
        nearby = lowered[max(0, at - WINDOW) : at + len(word.hard) + WINDOW]
        if any(explanation in nearby for explanation in word.explanations):
            continue
        context = " ".join(text.split())[max(0, at - 40) : at + 60]
        found.append(f"{where}: '{word.hard}' without explanation; write '{word.plain}' ... «{context}»")
    return found


def vague_error(message: str, where: str) -> list[str]:
    text = " ".join(message.split())
    if not text or text in NOT_FOR_PEOPLE:
        return []
    lowered = text.lower()
    vague = [v for v in VAGUE if v in lowered]
    if vague:
        return [f"{where}: error «{text}» is vague ({vague[0]}); say what to do"]
    if not ACTION_WORDS.search(text):
        return [f"{where}: error «{text}» does not say what to do (no action word from docs/taal.toml)"]
    return []


class _Text(HTMLParser):
    """The words a person reads on a page, and its error messages apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.errors: list[str] = []
        self._skip = 0
        self._error_depth = 0  # inside an element that holds error messages
        self._stack: list[tuple[str, bool, bool]] = []  # tag, skipped, error holder
        self._error: list[str] = []
        self._hidden_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        skipped = tag in SKIP_TAGS or (values.get("lang") or "nl").split("-")[0] != "nl"
        is_error = (tag == "li" and self._within("errorlist")) or "message-error" in classes
        # Read out, not shown: "Fout:" before an error message belongs to the page, not to the message.
        self._hidden_label = "visually-hidden" in classes
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col"):
            self._attributes(tag, values)
            return
        self._stack.append((tag + "." + ".".join(classes), skipped, is_error))
        if skipped:
            self._skip += 1
        if is_error:
            self._error_depth += 1
            self._error = []
        self._attributes(tag, values)

    def _within(self, css_class: str) -> bool:
        return any(css_class in entry[0].split(".")[1:] for entry in self._stack)

    def _attributes(self, tag: str, values: dict[str, str | None]) -> None:
        if self._skip:
            return
        for name in ATTRIBUTES:
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            name, skipped, is_error = self._stack.pop()
            self._hidden_label = False
            if skipped:
                self._skip -= 1
            if is_error:
                self._error_depth -= 1
                self.errors.append(" ".join(self._error))
            if name.split(".")[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._error_depth and not self._hidden_label:
            self._error.append(data)


@dataclass
class Reading:
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    errors: int = 0

    def page(
        self, client: Client, url: str, *, data: dict[str, Any] | None = None, errors: bool = False, status: int = 200
    ) -> str:
        response = client.post(url, data or {}) if data is not None else client.get(url)
        assert response.status_code == status, f"{url}: {response.status_code}"
        html = response.content.decode()
        self.read_html(html, f"{'POST ' if data is not None else ''}{url}", errors=errors)
        return html

    def read_html(self, html: str, where: str, *, errors: bool = False) -> None:
        parser = _Text()
        parser.feed(html)
        self.pages += 1
        self.problems += hard_words(" ".join(parser.parts), where)
        for message in parser.errors:
            self.errors += 1
            self.problems += vague_error(message, where)
        if errors:
            assert parser.errors, f"{where}: expected error messages, found none"


def test_the_writers_guide_lists_the_same_words_as_the_test() -> None:
    """docs/taal.md shows writers the table the test uses: same hard words, same plain words."""
    guide = (ROOT / "docs" / "taal.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([^|]+?)…? \| ([^|]+) \|$", guide, flags=re.MULTILINE))
    assert {word.hard: word.plain for word in WORDS} == {k: v for k, v in rows.items() if k not in ("moeilijk", "---")}


# The field app's texts -----------------------------------------------------------------------------------


def _strings_in(source: str) -> Iterator[str]:
    """The Dutch strings a field app script shows: t("..."), tn("...", "..."), the keys of its EN table."""
    for match in re.finditer(r"\btn?\(\s*\"((?:[^\"\\]|\\.)+)\"(?:,\s*\"((?:[^\"\\]|\\.)+)\")?", source):
        yield match.group(1)
        if match.group(2) and not match.group(2).startswith("%"):
            yield match.group(2)
    table = re.search(r"const EN = \{(.*?)\n\};", source, flags=re.DOTALL)
    if table:
        yield from re.findall(r"^\s*\"((?:[^\"\\]|\\.)+)\":", table.group(1), flags=re.MULTILINE)


def field_app_strings() -> dict[str, set[str]]:
    """File -> the Dutch texts it shows. The renderer's Dutch interface texts too (its `nl` table)."""
    found: dict[str, set[str]] = {}
    for path in [
        *sorted((ROOT / "static" / "js" / "field").glob("*.js")),
        ROOT / "static" / "js" / "questionnaire" / "engine.js",
        ROOT / "static" / "js" / "questionnaire" / "render.js",
    ]:
        source = path.read_text(encoding="utf-8")
        strings = set(_strings_in(source))
        if path.name == "render.js":
            dutch = re.search(r"\bnl: \{(.*?)\n  \},", source, flags=re.DOTALL)
            assert dutch, "render.js: the Dutch interface table moved; update this test"
            strings |= set(re.findall(r":\s*\"([^\"]+)\"", dutch.group(1)))
        found[path.relative_to(ROOT).as_posix()] = strings
    return found


def engine_messages() -> set[str]:
    """The questionnaire engine's messages (mirrored in engine.js): all of them are errors."""
    source = (ROOT / "static" / "js" / "questionnaire" / "engine.js").read_text(encoding="utf-8")
    table = re.search(r"const EN = \{(.*?)\n\};", source, flags=re.DOTALL) or re.search(
        r"en: \{(.*?)\n  \},", source, flags=re.DOTALL
    )
    assert table, "engine.js: the message table moved; update this test"
    return set(re.findall(r"^\s*\"((?:[^\"\\]|\\.)+)\":", table.group(1), flags=re.MULTILINE))


def questions(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from questions(item.get("children", []))


def question_texts(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(question id, what the phone or the survey screen shows for it: label, help text, answers)."""
    for section in schema["sections"]:
        yield section["id"], section["title"]
        for q in questions(section["questions"]):
            parts = [q.get("label", ""), q.get("hint", ""), q.get("add_label", "")]
            parts += [str(choice[1]) for choice in q.get("choices", [])]  # [value, Dutch, {"en": ...}]
            yield q["id"], " ".join(part for part in parts if part)


def test_the_field_app_texts_and_the_visit_questions_are_plain_dutch() -> None:
    problems: list[str] = []
    strings = field_app_strings()
    engine = engine_messages()
    for path, texts in strings.items():
        for text in sorted(texts):
            problems += hard_words(text, path)
            if text in engine or FAILURE.search(text.lower()):
                problems += vague_error(text, path)
    for qid, text in question_texts(canvass_questionnaire.schema()):
        problems += hard_words(text, f"visit questionnaire {qid}")
    # The survey's questions keep the CBS wording; a hard word there is explained in the help text.
    for qid, text in question_texts(monitor_questionnaire.schema()):
        problems += hard_words(text, f"survey questionnaire {qid}")
    assert sum(len(texts) for texts in strings.values()) > 80, "the field app's texts were not found"
    assert len(engine) > 20, "the engine's messages were not found"
    assert not problems, "\n".join(problems)


# Error messages a resident or volunteer can get from the forms of these pages, also the ones the page walk
# below does not provoke (an expired tip form, a postcode outside the survey).
FORM_SOURCES = [
    "buurtonderzoek/canvass/forms.py",
    "buurtonderzoek/signalements/forms.py",
    "buurtonderzoek/monitor/forms.py",
    "buurtonderzoek/monitor/survey.py",
    "buurtonderzoek/monitor/actions.py",
]
ERROR_CALL = re.compile(
    r"(?:ValidationError\(|add_error\([^,]+,|messages\.error\(\s*request,|\"(?:required|invalid\w*|min_length)\":)"
    r"\s*_\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*)+)"
)


def declared_errors(path: str) -> Iterator[str]:
    source = (ROOT / path).read_text(encoding="utf-8")
    for match in ERROR_CALL.finditer(source):
        yield "".join(re.findall(r"\"((?:[^\"\\]|\\.)*)\"", match.group(1)))


def test_every_error_message_of_these_forms_says_what_to_do() -> None:
    problems: list[str] = []
    found = 0
    for path in FORM_SOURCES:
        for message in declared_errors(path):
            found += 1
            problems += vague_error(message, path)
    assert found >= 15, f"only {found} error messages found; did the forms move?"
    assert not problems, "\n".join(problems)


# The pages -----------------------------------------------------------------------------------------------


def _form_fields(html: str) -> dict[str, str]:
    """A first answer to every question of a survey screen: the first choice of each group, a word or a 5."""
    answers: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or name.group(1) in ("csrfmiddlewaretoken", "section", "action"):
            continue
        kind_name = kind.group(1) if kind else "text"
        value = re.search(r'value="([^"]*)"', tag)
        if kind_name in ("radio", "checkbox"):
            answers.setdefault(name.group(1), value.group(1) if value else "on")
        elif kind_name == "hidden":
            answers[name.group(1)] = value.group(1) if value else ""
        else:
            answers.setdefault(name.group(1), "5" if "inputmode" in tag else "Niets bijzonders")
    return answers


@pytest.mark.django_db
def test_public_pages_the_survey_the_tip_form_and_the_field_app_are_plain_dutch() -> None:
    from buurtonderzoek.accounts.models import User
    from buurtonderzoek.canvass.models import Route
    from buurtonderzoek.dashboards.demo import DEMO_USERS, build_demo
    from buurtonderzoek.impact.models import Action, ActionStatus
    from buurtonderzoek.incidents.models import Incident
    from buurtonderzoek.places.models import Buurt
    from buurtonderzoek.signalements.models import Alert, AlertStatus, Subscription
    from tests.browser.test_keyboard_journeys import open_wave

    gemeente = build_demo(progress=False)
    read = Reading()
    anonymous = Client()

    # Public pages.
    read.page(anonymous, "/")
    read.page(anonymous, "/privacyverklaring/")
    alert = Alert.objects.filter(status=AlertStatus.PUBLISHED).select_related("buurt").first()
    assert alert is not None, "the demo publishes an alert"
    read.page(anonymous, f"/oproepen/{alert.public_token}/")
    buurt = alert.buurt or Buurt.objects.filter(gemeente=gemeente).order_by("code").first()
    assert buurt is not None
    read.page(anonymous, f"/oproepen/buurt/{buurt.code}/")
    read.page(anonymous, f"/oproepen/gemeente/{gemeente.code}/")
    subscribe = f"/oproepen/aanmelden/{buurt.code}/"
    read.page(anonymous, subscribe)
    read.page(anonymous, subscribe, data={}, errors=True)
    read.page(anonymous, subscribe, data={"email": "geen-adres", "area": "buurt"}, errors=True)
    read.page(anonymous, "/oproepen/aanmelden/verstuurd/")
    # The e-mailed links: confirm (a page with a button, then the confirmation), unsubscribe, a broken link.
    area = next(v for v in _form_fields(read.page(anonymous, subscribe)).values() if v.startswith("buurt:"))
    Client().post(subscribe, {"email": "bewoner@example.nl", "area": area})
    subscription = Subscription.objects.get(email="bewoner@example.nl")
    confirm = f"/oproepen/abonnement/{subscription.pk}/{subscription.token}/bevestigen/"
    read.page(anonymous, confirm)
    read.page(anonymous, confirm, data={})
    read.page(anonymous, f"/oproepen/abonnement/{subscription.pk}/{subscription.token}/afmelden/")
    read.page(anonymous, f"/oproepen/abonnement/{subscription.pk}/{subscription.token}/afmelden/")
    read.page(anonymous, f"/oproepen/abonnement/{subscription.pk}/verkeerd/bevestigen/", status=404)
    read.page(anonymous, f"/monitor/buurt/{buurt.code}/")
    action = Action.objects.filter(status=ActionStatus.EVALUATED).first()
    assert action is not None, "the demo evaluates an action"
    read.page(anonymous, f"/resultaat/{action.public_token}/")

    # The tip form: empty, then contact asked for without a way to reach them, then thanks.
    incident = Incident.objects.filter(canvasses__isnull=False).order_by("pk").first()
    assert incident is not None
    tip = f"/tip/{incident.public_token}/"
    html = read.page(anonymous, tip)
    hidden = {k: v for k, v in _form_fields(html).items() if k in ("started", "privacy_version")}
    read.page(Client(), tip, data=hidden, errors=True)
    read.page(Client(), tip, data={**hidden, "text": "Iemand bij de schuur", "contact_consent": "on"}, errors=True)
    read.page(anonymous, f"/tip/{incident.public_token}/bedankt/")

    # The survey: the start page, a wrong code, then every screen empty and answered, then the thanks.
    wave = open_wave(gemeente)
    resident = Client()
    read.page(resident, "/enquete/")
    read.page(resident, "/enquete/", data={"code": "ABCD-EFGH-JKMN"}, errors=True)
    read.page(resident, "/enquete/", data={"code": "12"}, errors=True)
    read.page(resident, f"/enquete/open/{wave.public_token}/")
    resident.post(f"/enquete/open/{wave.public_token}/", {"buurt": buurt.pk})
    # "Opslaan en later verder" on the first screen, then on again.
    first = resident.get("/enquete/vragen/").content.decode()
    section = re.search(r'name="section" value="([^"]+)"', first)
    assert section, first[:500]
    paused = resident.post("/enquete/vragen/", {"section": section.group(1), "action": "pause"})
    read.read_html(paused.content.decode(), "/enquete/vragen/ paused")
    resident.post(f"/enquete/open/{wave.public_token}/", {"buurt": buurt.pk})
    screens = 0
    while True:
        response = resident.get("/enquete/vragen/")
        if response.status_code != 200:
            break
        screens += 1
        assert screens < 20, "the survey does not end"
        html = response.content.decode()
        read.read_html(html, f"/enquete/vragen/ screen {screens}")
        section = re.search(r'name="section" value="([^"]+)"', html)
        assert section, html[:500]
        empty = resident.post("/enquete/vragen/", {"section": section.group(1), "action": "next"})
        if empty.status_code == 200:
            read.read_html(empty.content.decode(), f"/enquete/vragen/ screen {screens} empty", errors=True)
        answered = resident.post(
            "/enquete/vragen/", {**_form_fields(html), "section": section.group(1), "action": "next"}
        )
        if answered.status_code == 302 and "klaar" in answered["Location"]:
            break
    assert screens >= 5, f"only {screens} survey screens were read"
    read.page(resident, "/enquete/klaar/")

    # The field app's pages, as a volunteer.
    volunteer = Client()
    email = next(d.email for d in DEMO_USERS if d.email.startswith("vrijwilliger@"))
    volunteer.force_login(User.objects.get(email=email))
    read.page(volunteer, "/veld/")
    route = Route.objects.filter(members__email=email).first()
    assert route is not None
    read.page(volunteer, f"/veld/routes/{route.pk}/")

    assert read.pages >= 25 and read.errors >= 10, (read.pages, read.errors)
    assert not read.problems, "\n".join(read.problems)
