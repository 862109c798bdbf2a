// The error-state check, evaluated in the page by tests/browser/error_states.py (its docstring says what and why).
(wantFocus) => {
    const problems = [];
    const describe = (el) => {
        let s = el.tagName.toLowerCase();
        if (el.id) s += '#' + el.id;
        else if (el.getAttribute('name')) s += `[name=${el.getAttribute('name')}]`;
        else if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
        return s;
    };
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const REFS = ['aria-describedby', 'aria-errormessage', 'aria-labelledby'];
    const describedBy = new Map();  // id -> the elements that name it as description or error message
    for (const el of document.querySelectorAll(REFS.map((a) => `[${a}]`).join(','))) {
        for (const attr of REFS) {
            for (const id of (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean)) {
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
        const text = m.textContent.trim().replace(/\s+/g, ' ').slice(0, 60);
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
}
