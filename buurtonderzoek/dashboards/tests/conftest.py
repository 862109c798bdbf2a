from __future__ import annotations

# The hand-off's canvass fixtures (streets, an incident, a canvass with visits) and browser fixtures.
from buurtonderzoek.handoff.tests.conftest import _media, canvass_setup, incident, streets  # noqa: F401
from tests.browser.conftest import _fresh_cache, browser, desktop_page, new_page, page, phone_page  # noqa: F401
