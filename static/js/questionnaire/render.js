/**
 * Renders a questionnaire version schema as an accessible, mobile-first form and hands back the
 * answers JSON. The offline field app mounts it; it needs no server and no other library.
 *
 *   import { renderQuestionnaire } from "/static/js/questionnaire/render.js";
 *   const form = renderQuestionnaire(container, schema, {
 *     answers: {},                        // earlier answers (e.g. a draft from IndexedDB)
 *     context: {incident_type: "autokraak", privacy_notice_version: "2025-01"},
 *     lang: "nl",                         // "en" uses the optional `en` labels of the schema
 *     sections: null,                     // or a list of section ids to show (one screen)
 *     onChange: (answers, form) => {},    // cleaned answers after every edit
 *     onSubmit: (answers, form) => {},    // only called when valid; adds a submit button
 *     submitLabel: "Opslaan",
 *     pointWidget: null,                  // (element, value, setValue, question) => void, e.g. a Leaflet map
 *   });
 *   form.getAnswers()   // cleaned answers (irrelevant ones dropped), what the server will store
 *   form.validate()     // shows all errors, returns {path: [messages]} ({} when valid)
 *   form.setAnswers(a), form.setContext(c), form.destroy()
 *
 * Skip logic, required fields and validation come from engine.js, which mirrors the server.
 * Answers to questions hidden by skip logic are kept while editing (so toggling back restores
 * them) but never leave getAnswers(). Styles: questionnaire.css next to this file.
 */

import { check, isEmpty, relevantIds, setLanguage } from "./engine.js";

const UI = {
  nl: {
    required: "verplicht",
    add: "Toevoegen",
    addPerson: "Persoon toevoegen",
    addVehicle: "Voertuig toevoegen",
    item: "Blok",
    person: "Persoon",
    vehicle: "Voertuig",
    remove: "verwijderen",
    clear: "Keuze wissen",
    from: "van",
    to: "tot en met",
    lat: "Breedtegraad (noord-zuid)",
    lon: "Lengtegraad (oost-west)",
    locate: "Gebruik mijn huidige locatie",
    locating: "De telefoon zoekt waar u bent…",
    noLocation: "De telefoon weet niet waar u bent. Wijs de plek aan op de kaart of beschrijf hem.",
    summary: "Controleer deze antwoorden",
    submit: "Opslaan",
  },
  en: {
    required: "required",
    add: "Add",
    addPerson: "Add person",
    addVehicle: "Add vehicle",
    item: "Item",
    person: "Person",
    vehicle: "Vehicle",
    remove: "remove",
    clear: "Clear choice",
    from: "from",
    to: "up to and including",
    lat: "Latitude (north-south)",
    lon: "Longitude (east-west)",
    locate: "Use my current location",
    locating: "The phone is finding where you are…",
    noLocation: "The phone does not know where you are. Point to the place on the map or describe it.",
    summary: "Please check these answers",
    submit: "Save",
  },
};

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const hasOwn = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function parseNumber(text) {
  const trimmed = text.trim().replace(",", ".");
  if (trimmed === "") return null;
  // Keep what cannot be read as text, so the engine explains ("Vul een getal in.") instead of losing it.
  return /^-?[0-9]+(\.[0-9]+)?$/.test(trimmed) ? Number(trimmed) : text;
}

function showNumber(value, lang) {
  if (typeof value !== "number") return value === null || value === undefined ? "" : String(value);
  return lang === "nl" ? String(value).replace(".", ",") : String(value);
}

export function renderQuestionnaire(container, schema, options = {}) {
  const lang = options.lang === "en" ? "en" : "nl";
  setLanguage(lang);
  const ui = UI[lang];
  const prefix = options.idPrefix || "qf";
  let answers = structuredClone(isObject(options.answers) ? options.answers : {});
  let context = isObject(options.context) ? options.context : {};
  let showAll = false;
  const touched = new Set();
  // path -> {wrapper, error, focus()} for every rendered question, block and repeat.
  let nodes = new Map();

  const tr = (obj, key) => (lang === "en" && isObject(obj.en) && obj.en[key]) || obj[key] || "";
  const choiceLabel = (choice) => (lang === "en" && isObject(choice[2]) && choice[2].en) || choice[1];
  const idFor = (path) => `${prefix}-${path.replace(/\./g, "-")}`;

  const form = el("form", { class: "qf", novalidate: true });
  const summary = el("div", { class: "qf-summary", role: "alert", tabindex: "-1", hidden: true });
  form.append(summary);

  // ---------------------------------------------------------------- answers by path
  function getAt(parts) {
    let node = answers;
    for (const part of parts) {
      if (node === null || typeof node !== "object" || !hasOwn(node, part)) return null;
      node = node[part];
    }
    return node;
  }

  function setAt(parts, value) {
    let node = answers;
    for (const part of parts.slice(0, -1)) node = node[part];
    const last = parts[parts.length - 1];
    if (value === null || (typeof value === "string" && value === "") || (Array.isArray(value) && !value.length)) {
      delete node[last];
    } else {
      node[last] = value;
    }
  }

  function changed(path, touch = true) {
    if (touch) touched.add(path);
    refresh();
    if (options.onChange) options.onChange(controller.getAnswers(), controller);
    form.dispatchEvent(new CustomEvent("questionnaire-change", { detail: { answers: controller.getAnswers() } }));
  }

  // ---------------------------------------------------------------- one question
  function questionNode(q, parts) {
    const path = parts.join(".");
    const id = idFor(path);
    const hintId = `${id}-hint`;
    const errorId = `${id}-error`;
    const describedBy = [q.hint ? hintId : null, errorId].filter(Boolean).join(" ");
    const wrapper = el("div", { class: `qf-question qf-type-${q.type}`, "data-path": path });
    const hint = q.hint || tr(q, "hint") ? el("p", { class: "qf-hint", id: hintId, text: tr(q, "hint") || q.hint }) : null;
    const error = el("p", { class: "qf-error", id: errorId, hidden: true });
    const required = q.required ? el("span", { class: "qf-required", text: ` (${ui.required})` }) : null;
    const label = tr(q, "label");
    let focusTarget = null;

    const wire = (input) => {
      input.setAttribute("aria-describedby", describedBy);
      if (q.required) input.setAttribute("aria-required", "true");
      // Leaving a field marks it touched, but its error shows with the next change or on submit:
      // showing it at once moves the layout under the finger that is tapping the next field.
      input.addEventListener("blur", () => touched.add(path));
      focusTarget = focusTarget || input;
      return input;
    };

    if (q.type === "note") {
      wrapper.append(el("p", { class: "qf-note", text: label }));
      return { wrapper, error, title: label, focus: () => {} };
    }

    if (q.type === "single" || q.type === "multiple" || q.type === "scale") {
      const fieldset = el("fieldset", { class: "qf-fieldset" }, el("legend", { text: label }, required));
      if (hint) fieldset.append(hint);
      const list = el("div", { class: q.type === "scale" ? "qf-choices qf-scale" : "qf-choices" });
      let choices = q.choices || [];
      if (q.type === "scale") {
        const labels = new Map((q.choices || []).map((c) => [Number(c[0]), c]));
        const min = typeof q.min === "number" ? q.min : choices.length ? Number(choices[0][0]) : 1;
        const max = typeof q.max === "number" ? q.max : choices.length ? Number(choices[choices.length - 1][0]) : min;
        choices = [];
        for (let n = min; n <= max; n++) choices.push([n, labels.has(n) ? `${n} ${choiceLabel(labels.get(n))}` : String(n)]);
      }
      const current = getAt(parts);
      choices.forEach((choice, index) => {
        const inputId = `${id}-${index}`;
        const input = wire(
          el("input", {
            type: q.type === "multiple" ? "checkbox" : "radio",
            name: id,
            id: inputId,
            value: String(choice[0]),
          }),
        );
        input.checked = q.type === "multiple" ? Array.isArray(current) && current.includes(choice[0]) : current === choice[0];
        input.addEventListener("change", () => {
          if (q.type === "multiple") {
            const boxes = [...list.querySelectorAll("input")];
            setAt(parts, choices.filter((_c, i) => boxes[i].checked).map((c) => c[0]));
          } else {
            setAt(parts, choice[0]);
          }
          changed(path);
        });
        list.append(el("div", { class: "qf-choice" }, input, el("label", { for: inputId, text: choiceLabel(choice) })));
      });
      fieldset.append(list);
      if (q.type !== "multiple" && !q.required) {
        fieldset.append(
          el("button", {
            type: "button",
            class: "qf-link",
            text: ui.clear,
            onclick: () => {
              list.querySelectorAll("input").forEach((input) => (input.checked = false));
              setAt(parts, null);
              changed(path);
            },
          }),
        );
      }
      fieldset.append(error);
      fieldset.setAttribute("aria-describedby", describedBy);
      wrapper.append(fieldset);
      return { wrapper, error, title: label, focus: () => focusTarget && focusTarget.focus() };
    }

    if (q.type === "range" || q.type === "point") {
      const fieldset = el("fieldset", { class: "qf-fieldset" }, el("legend", { text: label }, required));
      if (hint) fieldset.append(hint);
      const keys = q.type === "range" ? ["min", "max"] : ["lat", "lon"];
      const names = q.type === "range" ? [ui.from, ui.to] : [ui.lat, ui.lon];
      const current = getAt(parts);
      const inputs = keys.map((key, i) => {
        const input = wire(
          el("input", {
            type: "text",
            id: `${id}-${key}`,
            inputmode: q.type === "range" && q.integer ? "numeric" : "decimal",
            autocomplete: "off",
          }),
        );
        input.value = showNumber(isObject(current) ? current[key] : null, lang);
        input.addEventListener("input", () => {
          const value = {};
          // `inputs` holds {input, box} pairs: read the typed text of each input element.
          inputs.forEach((other, j) => {
            const parsed = parseNumber(other.input.value);
            if (parsed !== null) value[keys[j]] = parsed;
          });
          if (q.type === "point" && isObject(getAt(parts)) && hasOwn(getAt(parts), "accuracy") && Object.keys(value).length) {
            value.accuracy = getAt(parts).accuracy;
          }
          setAt(parts, Object.keys(value).length ? value : null);
          changed(path, false);
        });
        const unit = q.unit ? el("span", { class: "qf-unit", text: tr(q, "unit") }) : null;
        return { input, box: el("div", { class: "qf-pair" }, el("label", { for: `${id}-${key}`, text: names[i] }), input, unit) };
      });
      const row = el("div", { class: "qf-row" }, ...inputs.map((i) => i.box));
      fieldset.append(row);
      const setPoint = (value) => {
        setAt(parts, value);
        inputs[0].input.value = showNumber(value ? value.lat : null, lang);
        inputs[1].input.value = showNumber(value ? value.lon : null, lang);
        changed(path);
      };
      if (q.type === "point") {
        const custom = el("div", { class: "qf-map" });
        if (typeof options.pointWidget === "function") {
          fieldset.insertBefore(custom, row);
          options.pointWidget(custom, getAt(parts), setPoint, q);
        }
        if (navigator.geolocation) {
          const status = el("p", { class: "qf-hint", "aria-live": "polite" });
          fieldset.append(
            el("button", {
              type: "button",
              class: "qf-button-secondary",
              text: ui.locate,
              onclick: () => {
                status.textContent = ui.locating;
                navigator.geolocation.getCurrentPosition(
                  (pos) => {
                    status.textContent = "";
                    setPoint({
                      lat: Math.round(pos.coords.latitude * 1e6) / 1e6,
                      lon: Math.round(pos.coords.longitude * 1e6) / 1e6,
                      accuracy: Math.round(pos.coords.accuracy),
                    });
                  },
                  () => (status.textContent = ui.noLocation),
                  { enableHighAccuracy: true, timeout: 15000 },
                );
              },
            }),
            status,
          );
        }
      }
      fieldset.append(error);
      wrapper.append(fieldset);
      return { wrapper, error, title: label, focus: () => focusTarget && focusTarget.focus() };
    }

    // text, number, time, date
    const labelNode = el("label", { for: id, class: "qf-label", text: label }, required);
    let input;
    if (q.type === "text" && q.multiline) {
      input = el("textarea", { id, rows: 3 });
    } else if (q.type === "number") {
      input = el("input", { type: "text", id, inputmode: q.integer ? "numeric" : "decimal", autocomplete: "off" });
    } else if (q.type === "time" || q.type === "date") {
      input = el("input", { type: q.type, id });
    } else {
      const type = q.input === "email" ? "email" : q.input === "tel" ? "tel" : "text";
      const autocomplete = q.input === "email" ? "email" : q.input === "tel" ? "tel" : "off";
      input = el("input", { type, id, autocomplete });
    }
    if (q.type === "text" && Number.isInteger(q.max_length)) input.setAttribute("maxlength", q.max_length);
    wire(input);
    const current = getAt(parts);
    input.value = q.type === "number" ? showNumber(current, lang) : typeof current === "string" ? current : "";
    input.addEventListener("input", () => {
      const value = q.type === "number" ? parseNumber(input.value) : input.value;
      setAt(parts, value);
      // Typing should not flash an error before the field is left (blur marks it touched).
      changed(path, false);
    });
    const unit = q.unit ? el("span", { class: "qf-unit", text: tr(q, "unit") }) : null;
    wrapper.append(labelNode);
    if (hint) wrapper.append(hint);
    wrapper.append(unit ? el("div", { class: "qf-row" }, input, unit) : input, error);
    return { wrapper, error, title: label, focus: () => input.focus(), input };
  }

  // ---------------------------------------------------------------- repeat groups
  function repeatNode(q, parts) {
    const path = parts.join(".");
    const id = idFor(path);
    const wrapper = el("div", { class: "qf-question qf-type-repeat", "data-path": path });
    // The group's hint and error are read out with it (the error is empty while hidden).
    const describedBy = [q.hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
    const fieldset = el("fieldset", { class: "qf-fieldset", "aria-describedby": describedBy }, el("legend", { text: tr(q, "label") }));
    if (q.hint) fieldset.append(el("p", { class: "qf-hint", id: `${id}-hint`, text: tr(q, "hint") }));
    const error = el("p", { class: "qf-error", id: `${id}-error`, hidden: true });
    const blocks = el("div", { class: "qf-blocks" });
    const itemLabel = tr(q, "item_label") || (q.block === "person" ? ui.person : q.block === "vehicle" ? ui.vehicle : ui.item);
    const addLabel = tr(q, "add_label") || (q.block === "person" ? ui.addPerson : q.block === "vehicle" ? ui.addVehicle : ui.add);
    const add = el("button", { type: "button", class: "qf-button-secondary qf-add", text: addLabel });
    fieldset.append(error, blocks, add);
    wrapper.append(fieldset);

    const drawBlocks = (focusIndex) => {
      for (const key of [...nodes.keys()]) if (key.startsWith(`${path}.`)) nodes.delete(key);
      blocks.replaceChildren();
      const list = getAt(parts);
      (Array.isArray(list) ? list : []).forEach((item, index) => {
        if (!isObject(item)) return;
        const blockParts = [...parts, index];
        const blockPath = blockParts.join(".");
        const title = `${itemLabel} ${index + 1}`;
        const blockError = el("div", { class: "qf-error qf-block-error", id: `${idFor(blockPath)}-error`, hidden: true });
        const block = el(
          "fieldset",
          { class: "qf-block", "data-path": blockPath, "aria-describedby": blockError.id },
          el("legend", { text: title }),
          blockError,
        );
        nodes.set(blockPath, {
          wrapper: block,
          error: blockError,
          title,
          focus: () => block.querySelector("input, textarea")?.focus(),
        });
        for (const child of q.children) addQuestion(block, child, [...blockParts, child.id]);
        block.append(
          el("button", {
            type: "button",
            class: "qf-link qf-remove",
            text: `${title} ${ui.remove}`,
            onclick: () => {
              getAt(parts).splice(index, 1);
              if (!getAt(parts).length) setAt(parts, null);
              for (const key of [...touched]) if (key.startsWith(`${path}.`)) touched.delete(key);
              drawBlocks(null);
              changed(path);
              add.focus();
            },
          }),
        );
        blocks.append(block);
        if (index === focusIndex) queueMicrotask(() => nodes.get(blockPath).focus());
      });
    };
    add.addEventListener("click", () => {
      const list = Array.isArray(getAt(parts)) ? getAt(parts) : [];
      list.push({});
      setAt(parts, list);
      drawBlocks(list.length - 1);
      changed(path);
    });
    drawBlocks(null);
    return { wrapper, error, title: tr(q, "label"), focus: () => add.focus() };
  }

  function addQuestion(parent, q, parts) {
    const node = q.type === "repeat" ? repeatNode(q, parts) : questionNode(q, parts);
    nodes.set(parts.join("."), node);
    parent.append(node.wrapper);
  }

  // ---------------------------------------------------------------- whole form
  const sectionNodes = [];
  function build() {
    nodes = new Map();
    sectionNodes.length = 0;
    form.querySelectorAll(".qf-section, .qf-actions").forEach((n) => n.remove());
    for (const section of schema.sections) {
      if (Array.isArray(options.sections) && !options.sections.includes(section.id)) continue;
      const node = el("section", { class: "qf-section", "data-section": section.id }, el("h2", { text: tr(section, "title") }));
      if (section.hint) node.append(el("p", { class: "qf-hint", text: tr(section, "hint") }));
      for (const q of section.questions) addQuestion(node, q, [q.id]);
      sectionNodes.push({ node, section });
      form.append(node);
    }
    if (options.onSubmit) {
      form.append(el("div", { class: "qf-actions" }, el("button", { type: "submit", class: "qf-button", text: options.submitLabel || ui.submit })));
    }
  }

  function prefill(relevant) {
    // meta.prefill ("context.x") fills an empty, shown answer from the context, e.g. the privacy notice version.
    let filled = false;
    const visit = (questions, parts) => {
      for (const q of questions) {
        const qParts = [...parts, q.id];
        const source = isObject(q.meta) ? q.meta.prefill : null;
        if (typeof source === "string" && source.startsWith("context.") && relevant.has(qParts.join("."))) {
          const value = source.split(".").slice(1).reduce((v, k) => (isObject(v) && hasOwn(v, k) ? v[k] : null), context);
          if (value !== null && value !== undefined && isEmpty(getAt(qParts))) {
            setAt(qParts, value);
            const node = nodes.get(qParts.join("."));
            if (node && node.input) node.input.value = String(value);
            filled = true;
          }
        }
        if (q.type === "repeat" && Array.isArray(getAt(qParts))) {
          getAt(qParts).forEach((item, i) => isObject(item) && visit(q.children, [...qParts, i]));
        }
      }
    };
    visit(schema.sections.flatMap((s) => s.questions), []);
    return filled;
  }

  function visibleErrors(errors) {
    // A field's errors appear once it was changed or left, all of them after submit: no red
    // "verplicht" on an untouched form. Errors about a whole block (too few details) wait for
    // submit, so they do not jump in while the block is still being filled in.
    const shown = {};
    for (const [path, messages] of Object.entries(errors)) {
      const isBlock = /\.\d+$/.test(path);
      if (showAll || (!isBlock && touched.has(path))) shown[path] = messages;
    }
    return shown;
  }

  let lastErrors = {};
  function refresh() {
    let result = check(schema, answers, context);
    let relevant = relevantIds(schema, answers, context);
    if (prefill(relevant)) {
      result = check(schema, answers, context);
      relevant = relevantIds(schema, answers, context);
    }
    lastErrors = result.errors;
    const shown = visibleErrors(result.errors);
    for (const [path, node] of nodes) {
      const isBlock = /\.\d+$/.test(path);
      if (!isBlock) node.wrapper.hidden = !relevant.has(path);
      const messages = shown[path] || [];
      node.error.hidden = messages.length === 0;
      node.error.textContent = messages.join(" ");
      node.wrapper.classList.toggle("qf-has-error", messages.length > 0);
      if (!isBlock && !node.wrapper.classList.contains("qf-type-repeat")) {
        node.wrapper.querySelectorAll("input, textarea").forEach((input) => {
          if (messages.length) input.setAttribute("aria-invalid", "true");
          else input.removeAttribute("aria-invalid");
        });
      }
    }
    for (const { node, section } of sectionNodes) {
      node.hidden = !section.questions.some((q) => relevant.has(q.id));
    }
    if (!showAll) summary.hidden = true;
    return result;
  }

  function showSummary(errors) {
    summary.replaceChildren();
    const items = Object.entries(errors);
    if (!items.length) {
      summary.hidden = true;
      return;
    }
    const list = el("ul");
    for (const [path, messages] of items) {
      // Name the question (and the block it is in), so the list reads without the form.
      const parts = path.split(".");
      const names = [];
      for (let i = 1; i <= parts.length; i++) {
        const node = nodes.get(parts.slice(0, i).join("."));
        if (node && node.title && (i === parts.length || /^\d+$/.test(parts[i - 1]))) names.push(node.title);
      }
      let target = nodes.get(path);
      let probe = path;
      while (!target && probe.includes(".")) {
        probe = probe.split(".").slice(0, -1).join(".");
        target = nodes.get(probe);
      }
      const text = names.length ? `${names.join(" – ")}: ${messages.join(" ")}` : messages.join(" ");
      const link = el("a", { href: `#${idFor(path)}`, text });
      link.addEventListener("click", (event) => {
        event.preventDefault();
        if (target) target.focus();
      });
      list.append(el("li", {}, link));
    }
    summary.append(el("h2", { text: ui.summary }), list);
    summary.hidden = false;
    summary.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = controller.validate();
    if (!Object.keys(errors).length && options.onSubmit) options.onSubmit(controller.getAnswers(), controller);
  });

  const controller = {
    element: form,
    getAnswers: () => check(schema, answers, context).cleaned,
    getRawAnswers: () => structuredClone(answers),
    errors: () => check(schema, answers, context).errors,
    isValid: () => Object.keys(check(schema, answers, context).errors).length === 0,
    validate() {
      showAll = true;
      refresh();
      showSummary(lastErrors);
      return lastErrors;
    },
    setAnswers(next) {
      answers = structuredClone(isObject(next) ? next : {});
      touched.clear();
      showAll = false;
      build();
      refresh();
    },
    setContext(next) {
      context = isObject(next) ? next : {};
      refresh();
    },
    destroy() {
      form.remove();
    },
  };

  build();
  container.append(form);
  refresh();
  return controller;
}
