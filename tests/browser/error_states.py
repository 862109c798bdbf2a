"""What a page in an error state owes a screen-reader and keyboard user, beyond what axe-core checks.

axe-core judges the markup it sees, but not whether an error message is tied to its field, nor where the
focus went after a refused submit. `error_state_problems` checks, in the page as it is now:

- every id named by aria-describedby, aria-errormessage or aria-labelledby exists (a missing one means a
  message or help text that is never read out);
- every visible error message is tied to its field: the message (or a box around it) is named by the
  aria-describedby or aria-errormessage of a field or fieldset, so it is read out with the field;
- the focus is on the error summary (or in it), or on a field whose error is shown: after a refused
  submit a keyboard user continues where the problem is, not at the top of the page.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

_CHECK = (Path(__file__).parent / "error_states.js").read_text(encoding="utf-8")


def error_state_problems(page: Page, *, focus: bool = True) -> list[str]:
    """What is wrong with the page's error state now (see the module text); `focus=False` skips the focus check."""
    result = page.evaluate(_CHECK, focus)
    problems: list[str] = result["problems"]
    return problems


def error_message_count(page: Page) -> int:
    """How many error messages (outside the summary) the page shows: an error state without any proves nothing."""
    return int(page.evaluate(_CHECK, False)["messages"])
