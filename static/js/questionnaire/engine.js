/**
 * The questionnaire engine in the browser: a line-by-line port of
 * buurtonderzoek/questionnaires/engine.py and profiling.py (skip logic, validation, cleaning and
 * the anti-profiling checks), so the offline field app decides exactly what the server decides.
 *
 * Plain ES module, no build step, no dependencies. The schema is the raw JSON of a published
 * questionnaire version; the server has already checked it (engine.parse), so this module does not
 * re-check its structure.
 *
 * The shared cases in buurtonderzoek/questionnaires/tests/engine_cases.json are run against both
 * implementations (the browser test loads this file in Chromium). Change both together.
 *
 *   relevantIds(schema, answers, context) -> Set of ids / paths ("persons.0.gender")
 *   validate(schema, answers, context)    -> {path: [Dutch messages]}
 *   clean(schema, answers, context)       -> answers without irrelevant or unknown ones
 *   check(schema, answers, context)       -> {cleaned, errors}
 *   evaluate(expr, answers, context)      -> boolean
 *   checkPersonBlock(block, children?)    -> [Dutch reasons]
 */

export const ALL_KEY = "__all__";
export const DEFAULT_MAX_LENGTH = 2000;

const TIME_RE = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/;
const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const BLANK_RE = /^[ \t\n\r\f\v\u00a0]*$/;
const EMAIL_RE = /^[^@ \t\n\r\f\v\u00a0]+@[^@ \t\n\r\f\v\u00a0]+\.[^@ \t\n\r\f\v\u00a0]+$/;
const TEL_RE = /^\+?[0-9][0-9 ()-]{5,19}$/;

// ------------------------------------------------------------------------------------------
// Messages (the Dutch texts are the msgids of the Python side; keep them identical).

const MESSAGES = {
  nl: {},
  en: {
    "Kies een antwoord.": "Choose an answer.",
    "Kies minstens één antwoord.": "Choose at least one answer.",
    "Vul een tijd in, bijvoorbeeld 21:30.": "Enter a time, for example 21:30.",
    "Vul een datum in, bijvoorbeeld 2026-03-01.": "Enter a date, for example 2026-03-01.",
    "Voeg er minstens één toe.": "Add at least one.",
    "Vul hier uw antwoord in.": "Enter your answer here.",
    "Kies een van de gegeven antwoorden.": "Choose one of the given answers.",
    "Kies alleen uit de gegeven antwoorden, elk hoogstens één keer.": "Choose only from the given answers, each at most once.",
    "Vul tekst in.": "Enter text.",
    "Gebruik hoogstens %(max)s tekens.": "Use at most %(max)s characters.",
    "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.": "Enter a valid e-mail address, for example name@example.com.",
    "Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678.": "Enter a valid phone number, for example 06 12345678.",
    "Kies een waarde van %(min)s tot en met %(max)s.": "Choose a value from %(min)s to %(max)s.",
    "Vul een getal in.": "Enter a number.",
    "Vul een heel getal in.": "Enter a whole number.",
    "Vul een getal van minstens %(min)s in.": "Enter a number of at least %(min)s.",
    "Vul een getal van hoogstens %(max)s in.": "Enter a number of at most %(max)s.",
    "Vul twee getallen in: van en tot en met.": "Enter two numbers: from and up to.",
    "Het getal bij 'van' is hoger dan bij 'tot en met'. Pas een van de twee aan.": "The 'from' number is higher than the 'up to' number. Change one of the two.",
    "Vul een tijd in met vier cijfers, bijvoorbeeld 09:30 of 21:30.": "Enter a time with four digits, for example 09:30 or 21:30.",
    "Vul een datum in als jaar-maand-dag, bijvoorbeeld 2026-03-01.": "Enter a date as year-month-day, for example 2026-03-01.",
    "Kies een punt op de kaart.": "Choose a point on the map.",
    "Ongeldige lijst.": "Invalid list.",
    "Voeg er minstens %(min)s toe.": "Add at least %(min)s.",
    "Haal er een paar weg: er mogen er hoogstens %(max)s zijn.": "Remove some: there may be at most %(max)s.",
    "Ongeldig blok.": "Invalid block.",
    "Dit antwoord past niet bij de vraag. Pas het aan.": "This answer does not fit the question. Change it.",
    "De antwoorden moeten een JSON-object zijn.": "The answers must be a JSON object.",
  },
};
let language = "nl";

/** Choose the language of the messages ("nl" or "en"); unknown languages fall back to Dutch. */
export function setLanguage(lang) {
  language = MESSAGES[lang] ? lang : "nl";
}

function t(msgid, params) {
  const text = (MESSAGES[language] && MESSAGES[language][msgid]) || msgid;
  if (!params) return text;
  return text.replace(/%\((\w+)\)s/g, (_m, key) => String(params[key]));
}

// ------------------------------------------------------------------------------------------
// JSON helpers

const hasOwn = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

/** Equality of JSON values, booleans distinct from numbers. */
export function jsonEqual(a, b) {
  if (typeof a === "boolean" || typeof b === "boolean") return a === b;
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  if (typeof a === "string" && typeof b === "string") return a === b;
  return a == null && b == null;
}

/** `==` of expressions: a select-multiple answer compared with a text is joined by spaces, as in XPath. */
function exprEqual(a, b) {
  if (Array.isArray(a) && typeof b === "string") [a, b] = [b, a];
  if (typeof a === "string" && Array.isArray(b) && b.every((item) => typeof item === "string")) {
    return a === b.join(" ");
  }
  return jsonEqual(a, b);
}

/** JSON-logic truthiness: null, false, 0, "", [] and {} are false. */
export function truthy(v) {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

export function isEmpty(v) {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return BLANK_RE.test(v);
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}

// Strings compare by code point, as in Python (JavaScript's < compares UTF-16 units).
function compareStrings(a, b) {
  const A = Array.from(a);
  const B = Array.from(b);
  const n = Math.min(A.length, B.length);
  for (let i = 0; i < n; i++) {
    const d = A[i].codePointAt(0) - B[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return A.length - B.length;
}

function compare(op, a, b) {
  let d;
  if (isNumber(a) && isNumber(b)) d = a - b;
  else if (typeof a === "string" && typeof b === "string") d = compareStrings(a, b);
  else return false;
  if (op === "<") return d < 0;
  if (op === "<=") return d <= 0;
  if (op === ">") return d > 0;
  return d >= 0;
}

// ------------------------------------------------------------------------------------------
// Expressions

function lookup(name, scopes, context, current) {
  if (name === ".") return current;
  if (name.startsWith("context.")) {
    let value = context;
    for (const part of name.split(".").slice(1)) {
      if (!isObject(value) || !hasOwn(value, part)) return null;
      value = value[part];
    }
    return value;
  }
  for (const scope of scopes) {
    if (hasOwn(scope, name)) return scope[name];
  }
  return null;
}

function evalExpr(expr, scopes, context, current) {
  if (expr === null || expr === undefined) return null;
  if (typeof expr === "string" || typeof expr === "number" || typeof expr === "boolean") return expr;
  if (Array.isArray(expr)) return expr.map((item) => evalExpr(item, scopes, context, current));
  const keys = Object.keys(expr);
  if (keys.length !== 1) throw new Error("Ongeldige uitdrukking.");
  const op = keys[0];
  const args = expr[op];
  if (op === "var") {
    const name = Array.isArray(args) ? args[0] : args;
    return lookup(String(name), scopes, context, current);
  }
  if (op === "and" || op === "or") {
    const items = Array.isArray(args) ? args : [args];
    if (op === "and") return items.every((item) => truthy(evalExpr(item, scopes, context, current)));
    return items.some((item) => truthy(evalExpr(item, scopes, context, current)));
  }
  const values = Array.isArray(args)
    ? args.map((item) => evalExpr(item, scopes, context, current))
    : [evalExpr(args, scopes, context, current)];
  switch (op) {
    case "==":
      return exprEqual(values[0], values[1]);
    case "!=":
      return !exprEqual(values[0], values[1]);
    case "<":
    case "<=":
    case ">":
    case ">=":
      if (values.length === 3) return compare(op, values[0], values[1]) && compare(op, values[1], values[2]);
      return compare(op, values[0], values[1]);
    case "not":
      return !truthy(values[0]);
    case "in": {
      const [needle, haystack] = values;
      if (Array.isArray(haystack)) return haystack.some((item) => jsonEqual(needle, item));
      if (typeof haystack === "string" && typeof needle === "string") return haystack.includes(needle);
      return false;
    }
    case "count":
      return Array.isArray(values[0]) ? values[0].length : 0;
    case "empty":
      return isEmpty(values[0]);
    default:
      throw new Error(`Onbekende operator '${op}'.`);
  }
}

/** Evaluate an expression against answers and context; null (no condition) is true. */
export function evaluate(expr, answers, context) {
  if (expr === null || expr === undefined) return true;
  const scope = isObject(answers) ? answers : {};
  return truthy(evalExpr(expr, [scope], isObject(context) ? context : {}, null));
}

// ------------------------------------------------------------------------------------------
// Value checks

/** Numbers in messages, written the Dutch way (as format_number in engine.py). */
export function formatNumber(value) {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value === 0 ? 0 : value);
  return String(value).replace(".", ",");
}

function validDate(value) {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || year < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day >= 1 && day <= days;
}

function bounds(q) {
  // Mirrors the defaults engine.parse fills in (scale: min from the first label or 1, max from the last).
  let min = isNumber(q.min) ? q.min : null;
  let max = isNumber(q.max) ? q.max : null;
  if (q.type === "scale") {
    const labels = Array.isArray(q.choices) ? q.choices : [];
    if (min === null) min = labels.length ? Number(labels[0][0]) : 1;
    if (max === null) max = labels.length ? Number(labels[labels.length - 1][0]) : min;
  }
  return [min, max];
}

function numberErrors(value, q, integer) {
  const [min, max] = bounds(q);
  if (!isNumber(value)) return [t("Vul een getal in.")];
  if (integer && !Number.isInteger(value)) return [t("Vul een heel getal in.")];
  if (min !== null && value < min) return [t("Vul een getal van minstens %(min)s in.", { min: formatNumber(min) })];
  if (max !== null && value > max) return [t("Vul een getal van hoogstens %(max)s in.", { max: formatNumber(max) })];
  return [];
}

function choiceValues(q) {
  return (q.choices || []).map((c) => c[0]);
}

function valueErrors(q, value) {
  switch (q.type) {
    case "single":
      if (typeof value !== "string" || !choiceValues(q).includes(value)) return [t("Kies een van de gegeven antwoorden.")];
      return [];
    case "multiple": {
      const allowed = choiceValues(q);
      if (
        !Array.isArray(value) ||
        !value.every((v) => typeof v === "string" && allowed.includes(v)) ||
        new Set(value).size !== value.length
      ) {
        return [t("Kies alleen uit de gegeven antwoorden, elk hoogstens één keer.")];
      }
      return [];
    }
    case "text": {
      if (typeof value !== "string") return [t("Vul tekst in.")];
      const maxLength = Number.isInteger(q.max_length) ? q.max_length : DEFAULT_MAX_LENGTH;
      if (Array.from(value).length > maxLength) return [t("Gebruik hoogstens %(max)s tekens.", { max: formatNumber(maxLength) })];
      if (q.input === "email" && !EMAIL_RE.test(value)) return [t("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")];
      if (q.input === "tel" && !TEL_RE.test(value)) return [t("Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678.")];
      return [];
    }
    case "number":
    case "scale": {
      if (q.type === "scale") {
        const [low, high] = bounds(q);
        if (!(isNumber(value) && Number.isInteger(value) && low <= value && value <= high)) {
          return [t("Kies een waarde van %(min)s tot en met %(max)s.", { min: formatNumber(low), max: formatNumber(high) })];
        }
      }
      return numberErrors(value, q, q.type === "scale" || q.integer === true);
    }
    case "range": {
      if (
        !isObject(value) ||
        Object.keys(value).sort().join(",") !== "max,min" ||
        !isNumber(value.min) ||
        !isNumber(value.max)
      ) {
        return [t("Vul twee getallen in: van en tot en met.")];
      }
      if (value.min > value.max) return [t("Het getal bij 'van' is hoger dan bij 'tot en met'. Pas een van de twee aan.")];
      const low = numberErrors(value.min, q, q.integer === true);
      return low.length ? low : numberErrors(value.max, q, q.integer === true);
    }
    case "time":
      if (typeof value !== "string" || !TIME_RE.test(value)) return [t("Vul een tijd in met vier cijfers, bijvoorbeeld 09:30 of 21:30.")];
      return [];
    case "date":
      if (typeof value !== "string" || !validDate(value)) return [t("Vul een datum in als jaar-maand-dag, bijvoorbeeld 2026-03-01.")];
      return [];
    case "point": {
      const keys = isObject(value) ? Object.keys(value) : [];
      if (
        !isObject(value) ||
        !hasOwn(value, "lat") ||
        !hasOwn(value, "lon") ||
        !keys.every((k) => k === "lat" || k === "lon" || k === "accuracy") ||
        !isNumber(value.lat) ||
        !isNumber(value.lon) ||
        !(value.lat >= -90 && value.lat <= 90) ||
        !(value.lon >= -180 && value.lon <= 180) ||
        (hasOwn(value, "accuracy") && !(isNumber(value.accuracy) && value.accuracy >= 0))
      ) {
        return [t("Kies een punt op de kaart.")];
      }
      return [];
    }
    default:
      return [];
  }
}

// ------------------------------------------------------------------------------------------
// The walk (see _walk_questions in engine.py)

function questionRelevant(q, scopes, context) {
  if (Array.isArray(q.incident_types) && !q.incident_types.includes(context.incident_type)) return false;
  return q.relevant === null || q.relevant === undefined || truthy(evalExpr(q.relevant, scopes, context, null));
}

function add(errors, path, messages) {
  if (messages.length) {
    if (!hasOwn(errors, path)) errors[path] = [];
    errors[path].push(...messages);
  }
}

// What to do about an unanswered required question, by its type (engine.py's required_message).
const REQUIRED_MESSAGES = {
  single: "Kies een antwoord.",
  scale: "Kies een antwoord.",
  multiple: "Kies minstens één antwoord.",
  number: "Vul een getal in.",
  range: "Vul twee getallen in: van en tot en met.",
  time: "Vul een tijd in, bijvoorbeeld 21:30.",
  date: "Vul een datum in, bijvoorbeeld 2026-03-01.",
  point: "Kies een punt op de kaart.",
  repeat: "Voeg er minstens één toe.",
};

function requiredMessage(q) {
  return t(REQUIRED_MESSAGES[q.type] || "Vul hier uw antwoord in.");
}

function walkQuestions(questions, raw, outer, context, prefix, result, out, inPerson) {
  const scopes = [out, ...outer];
  for (const q of questions) {
    if (!questionRelevant(q, scopes, context)) continue;
    const path = prefix + q.id;
    result.relevant.push(path);
    if (q.type === "note") continue;
    const value = hasOwn(raw, q.id) ? raw[q.id] : null;
    if (value === null || value === undefined) {
      if (q.required) add(result.errors, path, [requiredMessage(q)]);
      continue;
    }
    if (q.type === "repeat") {
      out[q.id] = walkRepeat(q, value, scopes, context, path, result, inPerson);
      continue;
    }
    out[q.id] = value;
    if (isEmpty(value)) {
      if (q.required) add(result.errors, path, [requiredMessage(q)]);
      continue;
    }
    let messages = valueErrors(q, value);
    if (!messages.length && q.constraint !== null && q.constraint !== undefined && !truthy(evalExpr(q.constraint, scopes, context, value))) {
      messages = [q.constraint_message || t("Dit antwoord past niet bij de vraag. Pas het aan.")];
    }
    if (!messages.length && q.type === "text" && result.originLabelsEverywhere && !inPerson) {
      messages = findOriginLabels(value).map(originLabelMessage);
    }
    add(result.errors, path, messages);
  }
}

function walkRepeat(q, value, scopes, context, path, result, inPerson) {
  if (!Array.isArray(value)) {
    add(result.errors, path, [t("Ongeldige lijst.")]);
    return value;
  }
  if (q.required && value.length === 0) add(result.errors, path, [requiredMessage(q)]);
  else if (Number.isInteger(q.min_count) && value.length < q.min_count) {
    add(result.errors, path, [t("Voeg er minstens %(min)s toe.", { min: formatNumber(q.min_count) })]);
  }
  if (Number.isInteger(q.max_count) && value.length > q.max_count) {
    add(result.errors, path, [t("Haal er een paar weg: er mogen er hoogstens %(max)s zijn.", { max: formatNumber(q.max_count) })]);
  }
  const blocks = [];
  value.forEach((item, index) => {
    const itemPath = `${path}.${index}`;
    if (!isObject(item)) {
      add(result.errors, itemPath, [t("Ongeldig blok.")]);
      blocks.push(item);
      return;
    }
    const block = {};
    walkQuestions(q.children, item, scopes, context, `${itemPath}.`, result, block, inPerson || q.block === "person");
    if (q.block === "person") {
      for (const [fieldId, messages] of Object.entries(personBlockErrors(block, q.children))) {
        add(result.errors, fieldId ? `${itemPath}.${fieldId}` : itemPath, messages);
      }
    }
    blocks.push(block);
  });
  return blocks;
}

function run(schema, answers, context) {
  const meta = isObject(schema.meta) ? schema.meta : {};
  const result = { cleaned: {}, errors: {}, relevant: [], originLabelsEverywhere: meta.origin_label_check === "all_text" };
  if (!isObject(answers)) {
    result.errors[ALL_KEY] = [t("De antwoorden moeten een JSON-object zijn.")];
    answers = {};
  }
  const ctx = isObject(context) ? context : {};
  for (const section of schema.sections) {
    if (!questionRelevant(section, [result.cleaned], ctx)) continue;
    walkQuestions(section.questions, answers, [], ctx, "", result, result.cleaned, false);
  }
  return result;
}

/** Ids of the questions shown for these answers; inside repeats as paths ("persons.0.gender"). */
export function relevantIds(schema, answers, context) {
  return new Set(run(schema, answers, context).relevant);
}

/** Sections shown for these answers, in order. */
export function relevantSectionIds(schema, answers, context) {
  const shown = relevantIds(schema, answers, context);
  return schema.sections.filter((s) => s.questions.some((q) => shown.has(q.id))).map((s) => s.id);
}

/** Dutch error messages per answer path; empty when the answers are complete and valid. */
export function validate(schema, answers, context) {
  return run(schema, answers, context).errors;
}

/** The answers without those to irrelevant or unknown questions (and without nulls). */
export function clean(schema, answers, context) {
  return run(schema, answers, context).cleaned;
}

/** clean() and validate() in one walk. */
export function check(schema, answers, context) {
  const result = run(schema, answers, context);
  return { cleaned: result.cleaned, errors: result.errors };
}

// ------------------------------------------------------------------------------------------
// Anti-profiling (profiling.py)

export const ROLES = ["behaviour", "detail", "basic", "appearance", "language", "other"];
export const DEFAULT_ROLES = {
  behaviour: "behaviour",
  gender: "basic",
  age_range: "basic",
  height: "detail",
  build: "detail",
  hair_colour: "detail",
  hair_length: "detail",
  hair_style: "detail",
  facial_hair: "detail",
  glasses: "detail",
  face_covering: "detail",
  notable_features: "detail",
  headwear: "detail",
  top_type: "detail",
  top_colour: "detail",
  top_brand: "detail",
  top_print: "detail",
  trousers: "detail",
  shoes: "detail",
  bag: "detail",
  marks: "detail",
  gait: "detail",
  objects: "detail",
  appearance: "appearance",
  language: "language",
};
export const NON_INFORMATIVE = new Set([
  "",
  "onbekend",
  "weet niet",
  "weet_niet",
  "geen",
  "nee",
  "niet gezien",
  "niet gezien.",
  "niks",
  "niets",
  "geen idee",
  "normaal",
  "gewoon",
  "n v t",
  "nvt",
]);

// The origin-label rule's word lists are one file, read by profiling.py too (docs/anti-profiling.md);
// the service worker keeps it for the field app offline.
export const RULES = await fetch(new URL("./profiling-rules.json", import.meta.url)).then((response) => {
  if (!response.ok) throw new Error(`profiling-rules.json: HTTP ${response.status}`);
  return response.json();
});

/** An alternation of the words in one list, longest first; a space matches " ", "-" or nothing. */
function words(key) {
  const list = [...new Set(RULES[key])].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return "(" + list.map((w) => w.replaceAll(" ", "[ -]?")).join("|") + ")";
}

const START = "(^|[ -])";
const END = "(?=[ -]|$)";
const ORIGIN = words("origin_words");
const NOUN = words("appearance_nouns");
const LABEL = `(${ORIGIN}|${words("vague_words")})`;
// Refused in every field, the language field too; then a bare origin word outside the language field.
export const ORIGIN_PATTERNS = [
  `${START}${LABEL}[ -]${NOUN}${END}`,
  `${START}${NOUN}[ -]${LABEL}${END}`,
  `${START}${words("always_refused")}${END}`,
  `${START}${ORIGIN}${END}`,
];
// Fair phrases (an origin word about a thing or about speech), removed before the bare-word check.
export const FAIR_PATTERNS = [
  `${START}${ORIGIN}[ -]${words("thing_nouns")}${END}`,
  `${START}${words("speech_before")}([ -]${words("speech_between")})?[ -]${ORIGIN}${END}`,
  `${START}${ORIGIN}[ -]${words("speech_after")}${END}`,
];
const COMPILED = ORIGIN_PATTERNS.map((p) => new RegExp(p, "g"));
const FAIR = FAIR_PATTERNS.map((p) => new RegExp(p, "g"));

/** Lower case, accents removed, anything but a-z 0-9 and '-' turned into single spaces. */
export function normalise(text) {
  const stripped = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  return stripped
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, " ")
    .replace(/ +/g, " ")
    .replace(/^ +| +$/g, "");
}

/** The vague origin labels in a text, as normalised phrases; bare origin words count outside the language field. */
export function findOriginLabels(text, languageField = false) {
  let norm = normalise(text);
  const found = [];
  for (const pattern of COMPILED.slice(0, 3)) norm = take(pattern, norm, found);
  if (!languageField) {
    for (const fair of FAIR) norm = norm.replace(fair, " ");
    take(COMPILED[3], norm, found);
  }
  return found;
}

/** Add every phrase the pattern finds; return the text without them, so no word is reported twice. */
function take(pattern, text, found) {
  for (const match of text.matchAll(pattern)) {
    const phrase = match[0].replace(/^[ -]+|[ -]+$/g, "");
    if (!found.includes(phrase)) found.push(phrase);
  }
  return text.replace(pattern, " ");
}

export function originLabelMessage(label) {
  return (
    `“${label}” is een vage aanduiding van afkomst. Beschrijf wat u zag (gedrag, kleding, haar, ` +
    "postuur, opvallende kenmerken) in plaats van waar iemand vandaan zou komen: zulke labels passen op " +
    "hele groepen onschuldige mensen en helpen de politie niet."
  );
}

/** Does an answer say something concrete about the person? */
export function isInformative(value) {
  if (value === null || value === undefined || typeof value === "boolean") return false;
  if (typeof value === "number") return true;
  if (typeof value === "string") {
    const norm = normalise(value);
    return !NON_INFORMATIVE.has(norm) && (norm.match(/[a-z]/g) || []).length >= 2;
  }
  if (Array.isArray(value)) return value.some(isInformative);
  if (isObject(value)) return Object.values(value).some((v) => typeof v === "number");
  return false;
}

function* strings(value) {
  if (typeof value === "string") yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
}

function rolesFor(children) {
  if (!children) return { ...DEFAULT_ROLES };
  const roles = {};
  for (const child of children) {
    const role = isObject(child.meta) ? child.meta.profiling : undefined;
    roles[child.id] = ROLES.includes(role) ? role : hasOwn(DEFAULT_ROLES, child.id) ? DEFAULT_ROLES[child.id] : "other";
  }
  return roles;
}

/** Reasons (Dutch) per field id; the key "" holds reasons about the block as a whole. */
export function personBlockErrors(block, children) {
  const roles = rolesFor(children);
  const errors = {};
  const push = (key, message) => {
    if (!hasOwn(errors, key)) errors[key] = [];
    errors[key].push(message);
  };
  const get = (id) => (hasOwn(block, id) ? block[id] : null);
  const behaviourFields = Object.keys(roles).filter((id) => roles[id] === "behaviour");
  if (behaviourFields.length && !behaviourFields.some((id) => isInformative(get(id)))) {
    push(
      behaviourFields[0],
      "Beschrijf eerst wat de persoon deed (gedrag). Een signalement begint bij gedrag, niet bij uiterlijk.",
    );
  }
  const details = Object.keys(roles).filter((id) => roles[id] === "detail" && isInformative(get(id))).length;
  if (details < 2) {
    push(
      "",
      "Geef minstens twee concrete kenmerken: kleding, opvallende kenmerken, postuur of lengte, haar, " +
        "of voorwerpen die de persoon bij zich had. Alleen geslacht, leeftijd en huidskleur is niet " +
        "genoeg: zo'n beschrijving past op te veel onschuldige mensen.",
    );
    for (const id of Object.keys(roles)) {
      if (roles[id] === "appearance" && isInformative(get(id))) {
        push(id, "Huidskleur of uiterlijk legt u alleen vast samen met minstens twee andere concrete kenmerken.");
      }
    }
  }
  for (const [id, value] of Object.entries(block)) {
    const labels = [];
    for (const text of strings(value)) {
      for (const label of findOriginLabels(text, roles[id] === "language")) {
        if (!labels.includes(label)) labels.push(label);
      }
    }
    for (const label of labels) push(id, originLabelMessage(label));
  }
  return errors;
}

/** All reasons (Dutch) why a person block may not be saved; empty when acceptable. */
export function checkPersonBlock(block, children) {
  if (!isObject(block)) return [t("Ongeldig blok.")];
  return Object.values(personBlockErrors(block, children)).flat();
}
