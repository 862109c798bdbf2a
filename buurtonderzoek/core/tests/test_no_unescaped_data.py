"""Nothing a user, an import or a questionnaire wrote reaches a page unescaped.

A guard over the source: every template filter or call that switches Django's escaping off is listed here
with the reason it is safe. A new one fails this test until someone checks it and adds it, with a reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.template import Context, Template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_DIRS = [ROOT / "templates", *sorted((ROOT / "buurtonderzoek").glob("*/templates"))]
UNSAFE_IN_TEMPLATES = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off")
UNSAFE_IN_PYTHON = re.compile(r"\bmark_safe\(|\bSafeString\(|\|safe\b")

# file (relative to the repository) -> why what it marks safe cannot carry someone's text.
ALLOWED_TEMPLATES: dict[str, str] = {
    "templates/dashboards/grip.html": "trend SVG from dashboards.charts, which escapes every label",
    "templates/dashboards/monitor_effect.html": "timeline SVG from dashboards.charts, which escapes every label",
}
ALLOWED_PYTHON = {
    "buurtonderzoek/canvass/pdf.py": "QR code SVG from qrcode, and the route map from numbers only",
    "buurtonderzoek/handoff/pdf.py": "map SVG from numbers, labels through html.escape",
    "buurtonderzoek/monitor/report.py": "charts from monitor.charts_svg, which escapes every label",
    "buurtonderzoek/dashboards/templatetags/ob_dashboards.py": "buurt chart from monitor.charts_svg (escapes labels)",
    "buurtonderzoek/dashboards/forms.py": "the constant ' selected' only; options through format_html",
}


def test_no_template_switches_escaping_off_unless_listed() -> None:
    found = {
        str(path.relative_to(ROOT))
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*.html")
        if UNSAFE_IN_TEMPLATES.search(path.read_text(encoding="utf-8"))
    }
    assert found <= set(ALLOWED_TEMPLATES), f"unescaped output in {sorted(found - set(ALLOWED_TEMPLATES))}"


def test_no_python_code_marks_text_safe_unless_listed() -> None:
    found = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "buurtonderzoek").rglob("*.py")
        if "tests" not in path.parts and UNSAFE_IN_PYTHON.search(path.read_text(encoding="utf-8"))
    }
    assert found <= set(ALLOWED_PYTHON), f"mark_safe in {sorted(found - set(ALLOWED_PYTHON))}"


def test_the_guard_finds_what_it_looks_for() -> None:
    assert UNSAFE_IN_TEMPLATES.search("{{ field.help_text|safe }}")
    assert UNSAFE_IN_TEMPLATES.search("{% autoescape off %}")
    assert UNSAFE_IN_PYTHON.search("return mark_safe(svg)")


def test_a_hint_from_a_questionnaire_is_shown_as_text() -> None:
    class Form(forms.Form):
        answer = forms.CharField(label="Vraag <b>vet</b>", help_text='<img src=x onerror="alert(1)">Let op')

    html = Template("{% load ob_forms %}{% form_field form.answer %}").render(Context({"form": Form()}))
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Let op" in html
    assert "Vraag &lt;b&gt;vet&lt;/b&gt;" in html
