// Accessibility smoke check, evaluated in the page by tests/browser/helpers.py.
// Not a full audit (that needs a person and a screen reader): it catches the mistakes that
// creep in unnoticed. Returns {problems: [...], contrastChecked: n, contrastSkipped: n}.
() => {
  const problems = [];

  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    else if (el.getAttribute('name')) s += `[name=${el.getAttribute('name')}]`;
    else if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
    const text = (el.value || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return text ? `${s} "${text}"` : s;
  };
  const textOf = (id) => (document.getElementById(id)?.textContent || '').trim();
  const accessibleName = (el) =>
    (el.getAttribute('aria-label') || '').trim() ||
    (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean).map(textOf).join(' ').trim() ||
    [...(el.labels || [])].map((l) => l.textContent.trim()).join(' ').trim() ||
    (el.getAttribute('title') || '').trim();

  // The page says which language it is in (screen readers pick their voice by it).
  if (!(document.documentElement.getAttribute('lang') || '').trim()) problems.push('html has no lang attribute');

  // One h1: the page's own title, the first stop of heading navigation.
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(`expected one h1, found ${h1s.length}`);

  // Every image says what it shows, or alt="" when it is decoration.
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push(`img without alt: ${img.getAttribute('src')?.slice(0, 60)}`);
  }

  // Every form field has a label; a placeholder is not one.
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    if (!accessibleName(el)) problems.push(`field without label: ${describe(el)}`);
  }

  // Reflow (1.4.10): nothing makes the page scroll sideways, also at phone width.
  const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (overflow > 1) {
    // Content clipped by a box that hides its overflow (a map's tiles) cannot widen the page: skip it.
    const clipped = (el) => {
      for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
        if (['hidden', 'clip', 'auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return true;
      }
      return false;
    };
    const wide = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && getComputedStyle(el).position !== 'fixed' && !clipped(el));
    // The outermost element that sticks out is the one to fix.
    const culprit = wide.find((el) => !wide.includes(el.parentElement));
    problems.push(`page scrolls sideways by ${overflow}px at width ${document.documentElement.clientWidth} (${culprit ? describe(culprit) : 'unknown element'})`);
  }

  // Buttons and links say what they do.
  for (const el of document.querySelectorAll('a[href], button, input[type=submit], input[type=button]')) {
    const name = accessibleName(el) || (el.textContent || '').trim() || (el.value || '').trim() ||
      [...el.querySelectorAll('img[alt]')].map((i) => i.alt).join('').trim();
    if (!name) problems.push(`${el.tagName.toLowerCase()} without a name: ${describe(el)}`);
  }

  // Contrast (WCAG 2.1 AA, 1.4.3): 4.5:1 for text, 3:1 for large text (24px, or 18.66px bold).
  const parse = (value) => {
    const m = /^rgba?\(([^)]+)\)$/.exec(value);
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const lin = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The colour behind an element: its own and its ancestors' backgrounds over a white canvas.
  // Undefined when an image or gradient is in the way: then no honest figure exists.
  const backgroundOf = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const st = getComputedStyle(node);
      if (st.backgroundImage && st.backgroundImage !== 'none') return undefined;
      const bg = parse(st.backgroundColor);
      if (bg === null) return undefined;
      if (bg.a > 0) layers.push(bg);
      if (bg.a >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const rendered = (el) => {
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden' || Number(st.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    // Visually hidden text (1px clip) and off-screen skip links are not seen, so not judged.
    return r.width > 1 && r.height > 1 && r.right > 0 && r.left < document.documentElement.scrollWidth;
  };

  let checked = 0;
  let skipped = 0;
  const seen = new Set();
  const candidates = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.textContent.trim() && node.parentElement && !seen.has(node.parentElement)) {
      seen.add(node.parentElement);
      candidates.push(node.parentElement);
    }
  }
  candidates.push(...document.querySelectorAll('input[type=submit], input[type=button], input:not([type]), input[type=text], input[type=email], input[type=password], select, textarea'));
  for (const el of candidates) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION'].includes(el.tagName) || !rendered(el)) continue;
    // Disabled controls are exempt from 1.4.3.
    if (el.matches(':disabled') || el.closest('button:disabled, fieldset:disabled')) continue;
    const st = getComputedStyle(el);
    const fg = parse(st.color);
    const bg = backgroundOf(el);
    if (!fg || !bg) { skipped += 1; continue; }
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    const got = ratio(over(fg, bg), bg);
    checked += 1;
    if (got < needed) problems.push(`contrast ${got.toFixed(2)}:1 < ${needed}:1 for ${describe(el)} (${st.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
  }
  return { problems, contrastChecked: checked, contrastSkipped: skipped };
}
