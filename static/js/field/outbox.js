/**
 * Sending the outbox. The whole queue goes in batches of at most MAX_BATCH to the sync endpoint;
 * the server answers per visit: accepted and duplicate leave the phone, rejected stay (marked, with
 * the Dutch messages per field) for the volunteer to correct. Nothing is removed unless the server
 * said it has the visit, so a connection that drops mid-request loses nothing: the next attempt
 * sends the same UUIDs and hears "duplicate". A 401/403 for the whole request means the session
 * expired: the queue stays as it is until the volunteer logs in again.
 */

import { allVisits, applySyncResults } from "./store.js";

export const MAX_BATCH = 200;
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

async function sendAll(url, cookieName) {
  const result = { sent: 0, accepted: 0, duplicate: 0, rejected: 0, auth: false, offline: false, error: null };
  const queue = (await allVisits()).filter((v) => v.state !== "rejected");
  for (let start = 0; start < queue.length; start += MAX_BATCH) {
    const batch = queue.slice(start, start + MAX_BATCH);
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(cookieName),
        },
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
