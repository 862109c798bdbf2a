/* Survey screen: hide questions that skip logic makes irrelevant, as the answers change.
 *
 * Uses the questionnaire engine's browser port (static/js/questionnaire/engine.js), so the page
 * shows exactly what the server will keep. Without JavaScript every question of the screen shows
 * (a <noscript> style) and the server drops the irrelevant answers (engine.clean).
 */
import { relevantIds } from "../questionnaire/engine.js";

const form = document.querySelector("form[data-survey]");
const schema = JSON.parse(document.getElementById("survey-schema").textContent);
const earlier = JSON.parse(document.getElementById("survey-answers").textContent);
const types = {};
for (const section of schema.sections) {
  for (const q of section.questions) types[q.id] = q.type;
}

function currentAnswers() {
  const answers = { ...earlier };
  for (const id of Object.keys(types)) {
    const inputs = form.querySelectorAll(`[name="${id}"]`);
    if (!inputs.length) continue;
    delete answers[id];
    const values = [];
    for (const input of inputs) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) continue;
      if (input.value !== "") values.push(input.value);
    }
    if (!values.length) continue;
    const type = types[id];
    const convert = (v) => (type === "scale" || type === "number" ? Number(v) : v);
    answers[id] = type === "multiple" ? values.map(convert) : convert(values[0]);
  }
  return answers;
}

// The server already hides what the saved answers leave out (no jump after the first paint); this keeps
// it right as answers change.
function update() {
  const shown = relevantIds(schema, currentAnswers(), {});
  for (const wrapper of form.querySelectorAll("[data-q]")) wrapper.hidden = !shown.has(wrapper.dataset.q);
}

form.addEventListener("change", update);
update();
