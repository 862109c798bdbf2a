/**
 * Service worker of the field app, served at /sw.js (field_views.service_worker writes CONFIG above
 * this line: version, files to keep, the field pages' prefix and the tile server's host).
 *
 * - The field app's files (CSS, JS, Leaflet, the questionnaire renderer, manifest, icons) are kept
 *   at install and answered from the cache: later loads cost no network.
 * - Field pages (/veld/...) come from the network when it answers within a few seconds and are kept;
 *   without network, or when the server sends the login page because the session expired, the
 *   kept copy answers, so the volunteer can go on recording visits (they stay queued on the phone).
 * - Map tiles are kept as they are seen (at most MAX_TILES); without them the page shows the list.
 * - Everything else (other pages, the API, every POST) is not touched.
 */
/* global CONFIG */

const STATIC = `veld-static-${CONFIG.version}`;
const PAGES = "veld-pages-v1";
const TILES = "veld-tiles-v1";
const MAX_TILES = 800;
const NETWORK_TIMEOUT_MS = 4000;
const PRECACHED = new Set(CONFIG.precache);
const TILE_HOST = new RegExp(CONFIG.tileHost);

const IMMUTABLE = new Set(CONFIG.immutable || []);

self.addEventListener("install", (event) => {
  // Files with a hash in their name never change: take them from the HTTP cache when the page just
  // loaded them. The others follow normal HTTP caching (WhiteNoise gives them a minute).
  const requests = CONFIG.precache.map((url) => new Request(url, { cache: IMMUTABLE.has(url) ? "force-cache" : "default" }));
  event.waitUntil(
    caches
      .open(STATIC)
      .then((cache) => cache.addAll(requests))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("veld-static-") && k !== STATIC).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin === self.location.origin) {
    if (PRECACHED.has(url.pathname)) {
      event.respondWith(cacheFirst(request));
    } else if (request.mode === "navigate" && url.pathname.startsWith(CONFIG.fieldPrefix)) {
      event.respondWith(fieldPage(request));
    }
  } else if (CONFIG.tileHost !== "^$" && TILE_HOST.test(url.hostname)) {
    event.respondWith(tile(request));
  }
});

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC);
    await cache.put(request, response.clone());
  }
  return response;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function fieldPage(request) {
  const cache = await caches.open(PAGES);
  let response = null;
  try {
    response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
  } catch (error) {
    response = null;
  }
  if (response && response.ok && response.type === "basic") {
    await cache.put(request, response.clone());
    return response;
  }
  // No network, or a redirect (the field pages only redirect to the login page): the kept copy
  // lets the volunteer go on; the page itself asks for a login before it sends anything.
  if (!response || response.type === "opaqueredirect" || response.redirected) {
    const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
    if (cached) return cached;
  }
  return response || offlinePage();
}

function offlinePage() {
  const html = `<!doctype html><html lang="nl"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Geen verbinding</title>
<body style="font:1rem/1.5 system-ui,sans-serif;padding:1rem;max-width:36rem">
<h1>Geen verbinding</h1>
<p>Deze pagina staat nog niet op deze telefoon. Open "Mijn routes" één keer als u internet heeft.
Daarna werken uw routes ook zonder internet. Bezoeken die u al opsloeg, blijven bewaard.</p>
<p lang="en">No connection. This page is not stored on this phone yet.</p>
<p><a href="${CONFIG.fieldPrefix}">Mijn routes</a></p></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function tile(request) {
  const cache = await caches.open(TILES);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  try {
    const response = await fetch(request);
    // Only readable (CORS) answers: opaque ones would count megabytes each against the quota.
    if (response.ok && response.type === "cors") {
      await cache.put(request, response.clone());
      trimTiles(cache);
    }
    return response;
  } catch (error) {
    return Response.error();
  }
}

async function trimTiles(cache) {
  const keys = await cache.keys();
  for (const key of keys.slice(0, Math.max(0, keys.length - MAX_TILES))) await cache.delete(key);
}
