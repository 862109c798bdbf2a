/**
 * The small route map. Tiles come from the configured tile server and the service worker keeps
 * the ones seen; without tiles (no network, no cached tiles, Leaflet not loaded) the map steps
 * aside and the list in walking order is the route.
 */

import { t } from "./i18n.js";

export const STATE_COLOURS = {
  open: "#6b7280",
  gesproken: "#1e6b34",
  niet_thuis: "#c2410c",
  briefje: "#1d4ed8",
  later_terug: "#7e22ce",
  wil_niet: "#b00020",
  pending: "#ffbf47",
  rejected: "#b00020",
};

const DOORS_PER_TASK = 10;
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

export function createRouteMap(element, note, { tileUrl, attribution, onSelect }) {
  // The map keeps its place when it gives up (the note covers it): tiles fail only after the list is on
  // screen, and a map folding away then pulled the list up under the volunteer's finger.
  const giveUp = () => {
    element.closest(".map-panel")?.classList.add("map-unavailable");
    note.textContent = t("De kaart is nu niet beschikbaar. Loop de adressen hieronder in volgorde.");
    note.hidden = false;
  };
  if (typeof window.L === "undefined" || !tileUrl) {
    giveUp();
    return null;
  }
  const L = window.L;
  const map = L.map(element, { scrollWheelZoom: false, preferCanvas: true, zoomSnap: 0.5, attributionControl: false });
  // The attribution is there from the start; left to the tile layer it appears with the first view,
  // after the route is read, and the box widens on screen.
  L.control.attribution().addAttribution(attribution).addTo(map);
  let loaded = 0;
  let failed = 0;
  const tiles = L.tileLayer(tileUrl, { attribution, maxZoom: 19, crossOrigin: true });
  tiles.on("tileload", () => {
    loaded += 1;
    element.dataset.tiles = "loaded";
  });
  tiles.on("tileerror", () => {
    failed += 1;
    // A few missing tiles at the edge are fine; a map without a single tile is not a map.
    if (!loaded && failed >= 2) giveUp();
  });
  tiles.addTo(map);
  const markers = new Map();
  let bounds = [];
  let fitted = false;
  // The first view, once the doors are known and the map is on screen: a map opened hidden (the page
  // opened at a visit form) has no size to fit them in, and fits them when the list is shown.
  const fit = () => {
    if (fitted || !bounds.length || !element.clientWidth) return;
    // The walking order as a thin line under the doors.
    L.polyline(bounds, { color: "#0b5394", weight: 2, opacity: 0.5, interactive: false }).addTo(map).bringToBack();
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
    fitted = true;
  };

  // The doors go on the map a few per task: 70 at once made one task of 100-370 ms on a slow phone
  // (Lighthouse's blocking time). The view comes first, so each door is drawn as it is added.
  const draw = async (stops, stateOf) => {
    bounds = stops.map((stop) => [stop.lat, stop.lon]);
    fit();
    let added = 0;
    for (const stop of stops) {
      const state = stateOf(stop);
      const colour = STATE_COLOURS[state] || STATE_COLOURS.open;
      let marker = markers.get(stop.id);
      if (!marker) {
        marker = L.circleMarker([stop.lat, stop.lon], {
          radius: 7,
          weight: 2,
          color: "#ffffff",
          fillOpacity: 0.95,
          fillColor: colour,
        }).addTo(map);
        // Leaflet reads a string as HTML; the label comes from the address register, so pass a text node.
        marker.bindTooltip(document.createTextNode(`${stop.order}. ${stop.label}`));
        marker.on("click", () => onSelect(stop.id));
        markers.set(stop.id, marker);
        added += 1;
        if (added % DOORS_PER_TASK === 0) await nextTask();
      } else {
        marker.setStyle({ fillColor: colour });
      }
    }
    element.dataset.markers = String(markers.size);
  };
  let drawing = Promise.resolve();

  return {
    /** Draw the doors in their states; one drawing at a time, so no door is added twice. */
    update(stops, stateOf) {
      drawing = drawing.catch(() => null).then(() => draw(stops, stateOf));
      return drawing;
    },
    invalidate() {
      map.invalidateSize();
      fit();
    },
  };
}
