/**
 * "Mijn routes": makes itself and every listed route available offline (the pages in the service
 * worker's cache, the routes' data in IndexedDB) while there is a connection, and sends what is still
 * on the phone.
 */

import { registerServiceWorker, SyncBar } from "./common.js";
import { apiHeaders, t } from "./i18n.js";
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
      const response = await fetch(card.dataset.api, { credentials: "same-origin", headers: apiHeaders() });
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

async function keepThisPage() {
  // The first visit loads this page before the service worker controls it, so the worker never saw
  // it: keep "Mijn routes" itself now, so it opens without network from the next visit on. Only a
  // real copy of this page, never the login page a lapsed session would be sent to.
  if (!navigator.onLine || !("caches" in window)) return;
  try {
    const response = await fetch(location.pathname, { credentials: "same-origin", redirect: "manual" });
    if (response.ok && response.type === "basic" && !response.redirected) {
      await (await caches.open(PAGES_CACHE)).put(location.pathname, response);
    }
  } catch (error) {
    // No network after all: the worker keeps the page on the next visit with network.
  }
}

async function start() {
  await registerServiceWorker(root.dataset.sw);
  await Promise.all([keepThisPage(), ...[...document.querySelectorAll(".route-card")].map(keepOffline)]);
  root.dataset.ready = "1";
  await bar.sync();
}

window.fieldApp = { ready: start() };
