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

from playwright.sync_api import Page

_CHECK = """(wantFocus) => {
    const problems = [];
    const describe = (el) => {
        let s = el.tagName.toLowerCase();
        if (el.id) s += '#' + el.id;
        else if (el.getAttribute('name')) s += `[name=${el.getAttribute('name')}]`;
        else if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\\s+/).join('.');
        return s;
    };
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const REFS = ['aria-describedby', 'aria-errormessage', 'aria-labelledby'];
    const describedBy = new Map();  // id -> the elements that name it as description or error message
    for (const el of document.querySelectorAll(REFS.map((a) => `[${a}]`).join(','))) {
        for (const attr of REFS) {
            for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
                if (!document.getElementById(id)) problems.push(`${describe(el)} ${attr} points at #${id}, which does not exist`);
                else if (attr !== 'aria-labelledby') describedBy.set(id, [...(describedBy.get(id) || []), el]);
            }
        }
    }
    const SUMMARY = '.error-summary, .qf-summary';
    const messages = [...document.querySelectorAll('.errorlist, .qf-error')].filter(
        (m) => shown(m) && m.textContent.trim() && !m.closest(SUMMARY) && !m.classList.contains('nonfield')
            && !(m.parentElement && m.parentElement.closest('.errorlist, .qf-error')));
    const tiedTo = (m) => {
        for (let n = m; n && n !== document.body; n = n.parentElement) {
            if (n.id && describedBy.has(n.id)) return describedBy.get(n.id);
        }
        return null;
    };
    const fieldsWithError = new Set();
    for (const m of messages) {
        const fields = tiedTo(m);
        const text = m.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60);
        if (!fields) problems.push(`error message not tied to its field: "${text}"`);
        else fields.forEach((f) => fieldsWithError.add(f));
    }
    const active = document.activeElement;
    const focus = active ? describe(active) : 'nothing';
    if (wantFocus) {
        const inSummary = active && active.closest && active.closest(SUMMARY + ', [role=alert]');
        const onField = active && ([...fieldsWithError].some((f) => f === active || f.contains(active))
            || active.getAttribute('aria-invalid') === 'true');
        if (!inSummary && !onField) problems.push(`after the refused submit the focus is on ${focus}, not on the error summary or a field with an error`);
    }
    return {problems, messages: messages.length, focus};
}"""


def error_state_problems(page: Page, *, focus: bool = True) -> list[str]:
    """What is wrong with the page's error state now (see the module text); `focus=False` skips the focus check."""
    result = page.evaluate(_CHECK, focus)
    problems: list[str] = result["problems"]
    return problems


def error_message_count(page: Page) -> int:
    """How many error messages (outside the summary) the page shows: an error state without any proves nothing."""
    return int(page.evaluate(_CHECK, False)["messages"])
