/**
 * "Mijn routes": makes every listed route available offline (its page in the service worker's
 * cache, its data in IndexedDB) while there is a connection, and sends what is still on the phone.
 */

import { registerServiceWorker, SyncBar } from "./common.js";
import { t } from "./i18n.js";
import { getRoute, putRoute } from "./store.js";

// Must match PAGES in sw.js: the cache the service worker answers field pages from.
const PAGES_CACHE = "veld-pages-v1";
const root = document.getElementById("main");
const bar = new SyncBar(root);

async function keepOffline(card) {
  const state = card.querySelector("[data-offline-state]");
  const id = Number(card.dataset.route);
  let stored = false;
  if (navigator.onLine) {
    try {
      const response = await fetch(card.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok && (response.headers.get("Content-Type") || "").includes("json")) {
        await putRoute(await response.json());
        if ("caches" in window) await (await caches.open(PAGES_CACHE)).add(card.dataset.page);
        stored = true;
      }
    } catch (error) {
      stored = false;
    }
  }
  if (!stored) {
    try {
      stored = Boolean(await getRoute(id));
    } catch (error) {
      stored = false;
    }
  }
  card.dataset.offline = stored ? "1" : "0";
  state.textContent = stored ? t("Offline beschikbaar") : t("Nog niet offline beschikbaar");
}

async function start() {
  await registerServiceWorker(root.dataset.sw);
  await Promise.all([...document.querySelectorAll(".route-card")].map(keepOffline));
  root.dataset.ready = "1";
  await bar.sync();
}

window.fieldApp = { ready: start() };
