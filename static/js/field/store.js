/**
 * What the phone keeps, in IndexedDB:
 *   routes  – the route payload from the field API (stops, states, questionnaire), by route id;
 *   outbox  – visits saved on the phone and not yet accepted by the server, by client UUID.
 * A visit is written with "strict" durability: once save resolves it survives a closed tab or a
 * flat battery. Nothing here deletes a visit except the sync (after the server accepted it) and
 * the volunteer (explicitly, for a rejected visit).
 */

const DB_NAME = "buurtonderzoek-veld";
const DB_VERSION = 1;
let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("routes")) db.createObjectStore("routes", { keyPath: "id" });
        if (!db.objectStoreNames.contains("outbox")) {
          const outbox = db.createObjectStore("outbox", { keyPath: "client_uuid" });
          outbox.createIndex("route", "route");
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer version of the app in another tab wants to upgrade: let it.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => {
        opening = null;
        reject(request.error);
      };
    });
  }
  return opening;
}

function run(storeName, mode, body, options) {
  return openDb().then(
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction(storeName, mode, options);
        const store = tx.objectStore(storeName);
        let result;
        Promise.resolve(body(store)).then((value) => (result = value), reject);
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error("aborted"));
      }),
  );
}

function requestValue(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function getRoute(id) {
  return run("routes", "readonly", (store) => requestValue(store.get(id)));
}

export function putRoute(route) {
  return run("routes", "readwrite", (store) => {
    store.put(route);
  });
}

/** Save one visit; resolves once it is on disk. */
export function putVisit(visit) {
  return run(
    "outbox",
    "readwrite",
    (store) => {
      store.put(visit);
    },
    { durability: "strict" },
  );
}

export function allVisits() {
  return run("outbox", "readonly", (store) => requestValue(store.getAll())).then((list) =>
    list.sort((a, b) => a.saved_at - b.saved_at),
  );
}

export function deleteVisit(uuid) {
  return run("outbox", "readwrite", (store) => {
    store.delete(uuid);
  });
}

/**
 * Apply a sync answer in one transaction: drop the visits the server has, mark the others.
 * A visit edited on the phone while the batch was under way (newer saved_at) is left alone.
 */
export function applySyncResults(sent, results) {
  const sentAt = new Map(sent.map((v) => [v.client_uuid, v.saved_at]));
  return run(
    "outbox",
    "readwrite",
    async (store) => {
      for (const result of results) {
        if (!sentAt.has(result.client_uuid)) continue;
        const current = await requestValue(store.get(result.client_uuid));
        if (!current || current.saved_at !== sentAt.get(result.client_uuid)) continue;
        if (result.status === "accepted" || result.status === "duplicate") {
          store.delete(result.client_uuid);
        } else {
          const status = result.problem ? result.problem.status : 400;
          // 403: not this account's visit or route (yet); it goes again with the next sync.
          current.state = status === 403 ? "blocked" : "rejected";
          current.problem = result.problem || null;
          store.put(current);
        }
      }
    },
    { durability: "strict" },
  );
}
