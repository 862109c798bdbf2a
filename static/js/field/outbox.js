/**
 * Sending the outbox. The whole queue goes in batches of at most MAX_BATCH visits and MAX_BATCH_BYTES
 * to the sync endpoint (a 413 halves the batch);
 * the server answers per visit: accepted and duplicate leave the phone, rejected stay (marked, with
 * the Dutch messages per field) for the volunteer to correct. Nothing is removed unless the server
 * said it has the visit, so a connection that drops mid-request loses nothing: the next attempt
 * sends the same UUIDs and hears "duplicate". A 401/403 for the whole request means the session
 * expired: the queue stays as it is until the volunteer logs in again.
 */

import { apiHeaders } from "./i18n.js";
import { allVisits, applySyncResults } from "./store.js";

export const MAX_BATCH = 200;
// Well under the server's body limit (2.5 MB): long answers add up, and a refused body helps nobody.
export const MAX_BATCH_BYTES = 1_000_000;
let running = null;

export function csrfToken(cookieName) {
  const prefix = `${cookieName || "csrftoken"}=`;
  for (const part of document.cookie.split(";")) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return "";
}

/** The fields the server reads; the rest (label, state, problem) is for the phone only. */
function wire(visit) {
  return {
    client_uuid: visit.client_uuid,
    canvass: visit.canvass,
    address: visit.address,
    stop: visit.stop,
    outcome: visit.outcome,
    visited_at: visit.visited_at,
    answers: visit.answers || {},
    questionnaire_version: visit.questionnaire_version || null,
    recorded_by: visit.recorded_by ?? null,
  };
}

/**
 * Send everything that may go. Resolves to {sent, accepted, duplicate, rejected, pending, auth,
 * offline, error}. One run at a time per page; tabs take turns through a Web Lock.
 */
export function syncOutbox({ url, cookieName }) {
  if (running) return running;
  const job = () => sendAll(url, cookieName);
  running = (navigator.locks ? navigator.locks.request("buurtonderzoek-veld-sync", job) : job()).finally(() => {
    running = null;
  });
  return running;
}

/** The queue cut into batches of at most MAX_BATCH visits and MAX_BATCH_BYTES of body each. */
export function batchesOf(queue, maxBytes = MAX_BATCH_BYTES) {
  const encoder = new TextEncoder();
  const batches = [];
  let current = [];
  let size = 0;
  for (const visit of queue) {
    const bytes = encoder.encode(JSON.stringify(wire(visit))).length + 1;
    if (current.length && (current.length >= MAX_BATCH || size + bytes > maxBytes)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(visit);
    size += bytes;
  }
  if (current.length) batches.push(current);
  return batches;
}

async function sendAll(url, cookieName) {
  const result = { sent: 0, accepted: 0, duplicate: 0, rejected: 0, auth: false, offline: false, error: null };
  const queue = (await allVisits()).filter((v) => v.state !== "rejected");
  const pending = batchesOf(queue);
  while (pending.length) {
    const batch = pending.shift();
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: apiHeaders({ "Content-Type": "application/json", "X-CSRFToken": csrfToken(cookieName) }),
        body: JSON.stringify({ visits: batch.map(wire) }),
      });
    } catch (error) {
      result.offline = true;
      break;
    }
    if (response.status === 401 || response.status === 403) {
      result.auth = true;
      break;
    }
    if (response.status === 413) {
      // Too big for the server after all: halve the batch; a single visit that is too big stays on the
      // phone as rejected, with the server's Dutch message, instead of going again for ever.
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        pending.unshift(batch.slice(0, half), batch.slice(half));
        continue;
      }
      let problem = null;
      try {
        problem = await response.json();
      } catch (error) {
        problem = { status: 413, detail: "" };
      }
      await applySyncResults(batch, [{ client_uuid: batch[0].client_uuid, status: "rejected", problem }]);
      result.rejected += 1;
      continue;
    }
    let data = null;
    try {
      data = response.ok ? await response.json() : null;
    } catch (error) {
      data = null;
    }
    if (!data || !Array.isArray(data.results)) {
      result.error = response.status;
      break;
    }
    await applySyncResults(batch, data.results);
    result.sent += batch.length;
    result.accepted += data.accepted || 0;
    result.duplicate += data.duplicate || 0;
    result.rejected += data.rejected || 0;
  }
  return result;
}
