/**
 * "Mijn route": the addresses in walking order, a small map, and per address the door outcome and
 * (when spoken) the standard questionnaire. Works without network:
 *
 *   1. the route (stops, states, questionnaire schema) is read from IndexedDB first and rendered,
 *      then refreshed from the field API when there is a connection;
 *   2. a visit is saved on the phone first (IndexedDB, timed: window.fieldMetrics.saveTimes) with a
 *      fresh client UUID, then the outbox is sent (common.js / outbox.js);
 *   3. visits the server rejected stay in the outbox with its Dutch messages, to be corrected here.
 */

import { renderQuestionnaire } from "../questionnaire/render.js";
import { registerServiceWorker, SyncBar } from "./common.js";
import { apiHeaders, formatTime, lang, t } from "./i18n.js";
import { createRouteMap, STATE_COLOURS } from "./map.js";
import { deleteVisit, getRoute, putRoute, putVisit } from "./store.js";

const root = document.getElementById("main");
const routeId = Number(root.dataset.route);
const $ = (id) => document.getElementById(id);
const OUTCOMES = [
  ["gesproken", t("Gesproken")],
  ["niet_thuis", t("Niet thuis")],
  ["wil_niet", t("Wil niet")],
  ["briefje", t("Briefje achtergelaten")],
  ["later_terug", t("Later terug")],
];
const OUTCOME_LABELS = Object.fromEntries(OUTCOMES);

// Read by the browser tests and the benchmark: how long saving a visit on the phone took (ms).
const metrics = (window.fieldMetrics = { saveTimes: [], lastSaveMs: null });

let route = null;
let map = null;
let form = null;
let current = null;
let pushed = false;
const bar = new SyncBar(root, { onSynced: afterSync });

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function showMessage(text) {
  const box = $("route-message");
  box.textContent = text || "";
  box.hidden = !text;
}

// ------------------------------------------------------------------------------ route data

async function loadRoute() {
  if (!navigator.onLine) return false;
  let response;
  try {
    response = await fetch(root.dataset.api, { credentials: "same-origin", headers: apiHeaders() });
  } catch (error) {
    return false;
  }
  const json = (response.headers.get("Content-Type") || "").includes("json");
  if (response.status === 401 || response.redirected || (response.ok && !json)) {
    bar.login.hidden = false;
    return false;
  }
  if (response.status === 403) {
    showMessage(t("U kunt op deze route geen bezoeken opslaan. Vraag uw coördinator om u aan de route toe te voegen."));
    return false;
  }
  if (response.status === 404) {
    showMessage(t("Deze route is niet (meer) voor u. Kies een andere route, of vraag het uw coördinator."));
    return false;
  }
  if (!response.ok) return false;
  route = await response.json();
  showMessage("");
  return true;
}

/** The next task: work after this point no longer lengthens the task that drew the page. */
function nextTask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Keep the route on the phone, for use without network: after the list is drawn, in a task of its own. */
async function keepRoute() {
  await nextTask();
  try {
    await putRoute(route);
  } catch (error) {
    // Private browsing without storage: the page still works while it stays open.
  }
}

function localEntries(stop) {
  return bar.visits.filter((v) => v.route === routeId && v.address === stop.address);
}

function stateOf(stop) {
  const local = localEntries(stop);
  if (local.some((v) => v.state === "rejected")) return "rejected";
  if (local.length) return "pending";
  return stop.state || "open";
}

function stateLabel(state) {
  if (state === "pending") return t("Opgeslagen, nog niet verstuurd");
  if (state === "rejected") return t("Controleer dit bezoek");
  if (state === "open") return t("Nog niet bezocht");
  return OUTCOME_LABELS[state] || state;
}

function earlierText(stop) {
  const items = stop.visits.map(
    (v) => `${OUTCOME_LABELS[v.outcome] || v.outcome} (${formatTime(v.visited_at)}, ${v.mine ? t("door u") : t("door %(name)s", { name: v.by })})`,
  );
  return items.length ? t("Eerder: %(list)s", { list: items.join("; ") }) : "";
}

// ------------------------------------------------------------------------------ list view

function render() {
  if (!route) return;
  $("stops-loading").hidden = true;
  if (!route.open) showMessage(t("Dit buurtonderzoek is gesloten. U kunt geen nieuwe bezoeken meer opslaan. Ga terug naar uw routes."));
  renderStops();
  renderOutbox();
  drawMapSoon();
}

// Drawing 70 doors on the map is a task of its own after the list: on a slow phone two shorter tasks
// block taps less than one long one (Lighthouse's total blocking time).
let mapDue = false;
function drawMapSoon() {
  if (!map || mapDue) return;
  mapDue = true;
  nextTask().then(() => {
    mapDue = false;
    map.update(route.stops, stateOf);
  });
}

function renderStops() {
  const list = $("stops");
  // Redrawing (after a save or a sync) must not drop the keyboard focus to <body>.
  const focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest("li.stop") : null;
  list.replaceChildren(
    ...route.stops.map((stop) => {
      const state = stateOf(stop);
      // Name only the walkers whose visit gave the door its state: a not-home by Fatima must not
      // read as "Gesproken · door Fatima" when someone else spoke to the resident.
      const others = stop.visits.filter((v) => !v.mine && v.outcome === state).map((v) => v.by);
      const asked = stop.visits.some((v) => v.correct_url);
      return el(
        "li",
        { class: "stop", "data-stop": stop.id, "data-state": state, id: `stop-${stop.id}` },
        el(
          "button",
          { type: "button", class: "stop-button", onclick: () => openStop(stop.id) },
          el("span", { class: "stop-order", style: `--dot:${STATE_COLOURS[state] || STATE_COLOURS.open}`, text: String(stop.order) }),
          el(
            "span",
            { class: "stop-text" },
            el("span", { class: "stop-label", text: stop.label }),
            el("span", {
              class: "stop-state",
              text: stateLabel(state) + (others.length && state !== "open" ? ` · ${t("door %(name)s", { name: [...new Set(others)].join(", ") })}` : ""),
            }),
            asked ? el("span", { class: "stop-question", text: t("De coördinator heeft een vraag over uw bezoek") }) : null,
          ),
        ),
      );
    }),
  );
  if (focused) focusStop(Number(focused.dataset.stop));
}

/** Puts the keyboard focus on a stop's button in the list (after closing a visit, the next door). */
function focusStop(id) {
  const button = document.querySelector(`#stop-${id} .stop-button`);
  if (!button) return;
  button.scrollIntoView({ block: "center" });
  button.focus({ preventScroll: true });
}

/** The question (or field) a server error is about: "answers.persons.0.behaviour" -> "Persoon 1 – Wat deed de persoon?". */
function fieldLabel(key) {
  const fixed = { outcome: t("Uitkomst"), visited_at: t("Tijdstip van het bezoek"), questionnaire_version: t("Versie van de vragenlijst") };
  if (fixed[key]) return fixed[key];
  if (!key.startsWith("answers.") || !route || !route.questionnaire) return "";
  const parts = key.slice("answers.".length).split(".");
  const label = (q, name) => (lang === "en" && q.en && q.en[name]) || q[name] || "";
  let questions = route.questionnaire.schema.sections.flatMap((section) => section.questions);
  const names = [];
  for (let i = 0; i < parts.length; i++) {
    const question = questions.find((q) => q.id === parts[i]);
    if (!question) break;
    if (question.type === "repeat" && /^\d+$/.test(parts[i + 1] || "")) {
      names.push(`${label(question, "item_label") || label(question, "label")} ${Number(parts[i + 1]) + 1}`);
      questions = question.children || [];
      i += 1;
    } else {
      names.push(label(question, "label"));
    }
  }
  return names.join(" – ");
}

function problemItems(problem) {
  const items = [];
  if (!problem) return items;
  for (const [key, messages] of Object.entries(problem.errors || {})) {
    const where = fieldLabel(key);
    for (const message of Array.isArray(messages) ? messages : [messages]) {
      const text = where ? `${where} – ${message}` : String(message);
      if (!items.includes(text)) items.push(text);
    }
  }
  if (!items.length && problem.detail) items.push(problem.detail);
  return items;
}

function renderOutbox() {
  const section = $("outbox");
  const list = $("outbox-list");
  const visits = bar.visits;
  section.hidden = visits.length === 0;
  list.replaceChildren(
    ...visits.map((visit) => {
      const state =
        visit.state === "rejected" ? t("Controleer dit bezoek") : visit.state === "blocked" ? t("Wacht op het juiste account") : t("Opgeslagen, nog niet verstuurd");
      const item = el(
        "li",
        { class: `outbox-item outbox-${visit.state}`, "data-uuid": visit.client_uuid },
        el("strong", { text: visit.label }),
        ` · ${OUTCOME_LABELS[visit.outcome] || visit.outcome} · ${formatTime(visit.visited_at)} · `,
        el("span", { class: "outbox-state", text: state }),
      );
      const problems = problemItems(visit.problem);
      if (problems.length && visit.state !== "pending") {
        item.append(el("p", { class: "qf-error", text: t("Wat moet er anders:") }), el("ul", { class: "problem-list" }, ...problems.map((p) => el("li", { text: p }))));
      }
      if (visit.state === "rejected") {
        const actions = el("p", { class: "actions" });
        if (visit.route === routeId) {
          actions.append(el("button", { type: "button", class: "button button-small", text: t("Aanpassen"), onclick: () => openStop(visit.stop, visit) }));
        }
        actions.append(
          el("button", {
            type: "button",
            class: "button button-small button-secondary",
            text: t("Verwijderen"),
            onclick: async () => {
              if (!window.confirm(t("Dit bezoek van deze telefoon verwijderen? Het is nog niet verstuurd."))) return;
              await deleteVisit(visit.client_uuid);
              await bar.refresh();
              render();
            },
          }),
        );
        item.append(actions);
      }
      return item;
    }),
  );
}

// ------------------------------------------------------------------------------ visit view

function buildOutcomes(selected) {
  const box = $("outcome-choices");
  box.replaceChildren(
    ...OUTCOMES.map(([value, label]) => {
      const id = `outcome-${value}`;
      const input = el("input", { type: "radio", name: "outcome", id, value });
      input.checked = value === selected;
      input.addEventListener("change", () => outcomeChanged(value));
      return el("div", { class: "outcome-choice" }, input, el("label", { for: id, text: label }));
    }),
  );
}

/** "Kies eerst een uitkomst." shown or not; while shown it is read out with the outcome choices. */
function showOutcomeError(shown) {
  $("outcome-error").hidden = !shown;
  if (shown) $("outcomes").setAttribute("aria-describedby", "outcome-error");
  else $("outcomes").removeAttribute("aria-describedby");
}

function outcomeChanged(value) {
  showOutcomeError(false);
  const spoken = value === "gesproken";
  if (spoken && !form) ensureForm(current && current.entry ? current.entry.answers : {});
  $("questionnaire").hidden = !spoken || !form;
  $("no-questionnaire").hidden = !spoken || Boolean(route.questionnaire);
}

function ensureForm(answers) {
  if (form || !route.questionnaire) return;
  form = renderQuestionnaire($("questionnaire"), route.questionnaire.schema, {
    answers: answers || {},
    context: route.context || {},
    lang,
    idPrefix: "qf",
  });
}

function dropForm() {
  if (form) form.destroy();
  form = null;
  $("questionnaire").replaceChildren();
}

function openStop(stopId, entry = null, { push = true } = {}) {
  if (!route) return;
  const stop = route.stops.find((s) => s.id === Number(stopId));
  if (!stop) return;
  if (!entry) {
    // A visit of this door still waiting on the phone is corrected, not doubled.
    entry = localEntries(stop).find((v) => v.state === "rejected") || null;
  }
  dropForm();
  current = { stop, entry, openedAt: entry ? entry.visited_at : new Date().toISOString() };
  $("visit-title").textContent = `${stop.order}. ${stop.label}`;
  $("visit-earlier").replaceChildren(earlierText(stop));
  for (const visit of stop.visits.filter((v) => v.correct_url)) {
    $("visit-earlier").append(
      el(
        "span",
        { class: "visit-question" },
        el("strong", { text: `${t("Vraag van de coördinator:")} ` }),
        visit.question || "",
        " ",
        el("a", { href: visit.correct_url, text: t("Bezoek aanvullen") }),
      ),
    );
  }
  const problems = entry ? problemItems(entry.problem) : [];
  const problemBox = $("visit-problem");
  problemBox.replaceChildren();
  if (problems.length) {
    problemBox.append(el("h3", { text: t("Wat moet er anders:") }), el("ul", {}, ...problems.map((p) => el("li", { text: p }))));
  }
  problemBox.hidden = problems.length === 0;
  buildOutcomes(entry ? entry.outcome : null);
  showOutcomeError(false);
  $("questionnaire").hidden = true;
  $("no-questionnaire").hidden = true;
  if (entry && entry.outcome === "gesproken") outcomeChanged("gesproken");
  $("list-view").hidden = true;
  $("visit-view").hidden = false;
  if (push) {
    history.pushState({ stop: stop.id }, "", `#adres-${stop.id}`);
    pushed = true;
  }
  window.scrollTo(0, 0);
  $("visit-title").focus();
}

function showList() {
  dropForm();
  const stop = current ? current.stop : null;
  current = null;
  $("visit-view").hidden = true;
  $("list-view").hidden = false;
  if (map) map.invalidate();
  // The form the focus was in is gone: back to the door it was about, not to <body>.
  if (stop) focusStop(stop.id);
  return stop;
}

function closeVisit() {
  if (pushed) {
    pushed = false;
    history.back(); // its popstate finds no visit open any more
  } else if (location.hash) {
    history.replaceState(null, "", location.pathname + location.search);
  }
  showList(); // now, not at the popstate: save() moves the focus on in the list right after this
}

async function save() {
  const checked = document.querySelector("input[name=outcome]:checked");
  if (!checked) {
    showOutcomeError(true);
    document.querySelector("input[name=outcome]").focus();
    return;
  }
  const outcome = checked.value;
  let answers = {};
  let version = null;
  if (outcome === "gesproken") {
    if (!route.questionnaire || !form) {
      $("no-questionnaire").hidden = false;
      return;
    }
    if (Object.keys(form.validate()).length) return;
    answers = form.getAnswers();
    version = route.questionnaire.id;
  }
  const previous = current.entry;
  const keepUuid = previous && !(previous.problem && previous.problem.status === 409);
  const entry = {
    client_uuid: keepUuid ? previous.client_uuid : newUuid(),
    route: routeId,
    canvass: route.canvass,
    stop: current.stop.id,
    address: current.stop.address,
    label: current.stop.label,
    outcome,
    answers,
    questionnaire_version: version,
    visited_at: current.openedAt,
    recorded_by: route.user ? route.user.id : null,
    saved_at: Date.now(),
    state: "pending",
    problem: null,
  };
  const started = performance.now();
  try {
    await putVisit(entry);
  } catch (error) {
    showMessage(t("Opslaan lukte niet op deze telefoon (%(error)s). Probeer het opnieuw. Lukt het weer niet? Schrijf het bezoek op papier.", { error: String(error && error.message ? error.message : error) }));
    return;
  }
  const ms = performance.now() - started;
  metrics.saveTimes.push(ms);
  metrics.lastSaveMs = ms;
  root.dataset.lastSaveMs = ms.toFixed(2);
  if (previous && previous.client_uuid !== entry.client_uuid) await deleteVisit(previous.client_uuid);
  const stop = current.stop;
  closeVisit();
  await bar.refresh();
  render();
  bar.setState("saved", t("Opgeslagen op deze telefoon."));
  const next = route.stops.find((s) => s.order > stop.order && stateOf(s) === "open");
  focusStop((next || stop).id); // the sync bar (role=status) reads out "Opgeslagen op deze telefoon."
  bar.sync();
}

async function afterSync(result) {
  const fresh = result && result.accepted + result.duplicate > 0 && navigator.onLine && (await loadRoute());
  render();
  if (fresh) await keepRoute();
}

// ------------------------------------------------------------------------------ start

function openFromHash() {
  const match = /^#adres-(\d+)$/.exec(location.hash);
  if (match) openStop(Number(match[1]), null, { push: false });
  else if (current) showList();
}

window.addEventListener("popstate", () => {
  pushed = false;
  openFromHash();
});
$("save-visit").addEventListener("click", save);
$("cancel-visit").addEventListener("click", closeVisit);
$("visit-back").addEventListener("click", closeVisit);

async function start() {
  registerServiceWorker(root.dataset.sw);
  // No tile server configured: the server leaves the map out and the list is the route.
  map = $("route-map") && createRouteMap($("route-map"), $("map-note"), {
    tileUrl: root.dataset.tileUrl,
    attribution: root.dataset.attribution,
    onSelect: (id) => openStop(id),
  });
  try {
    route = (await getRoute(routeId)) || null;
  } catch (error) {
    route = null;
  }
  await bar.refresh();
  render();
  const fresh = await loadRoute();
  if (fresh) render();
  if (!route) {
    $("stops-loading").hidden = true;
    showMessage(t("Deze route staat nog niet op deze telefoon. Open hem één keer als u internet heeft."));
  } else if (!fresh) {
    $("route-incident").textContent += ` · ${t("Gegevens van %(time)s (zonder verbinding).", { time: formatTime(route.fetched_at) })}`;
  }
  openFromHash();
  if (fresh) await keepRoute();
  root.dataset.ready = "1";
  await bar.sync();
}

window.fieldApp = { ready: start() };
