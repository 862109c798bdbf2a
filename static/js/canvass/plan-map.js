/* Plan map: the addresses within the radius (or a drawn polygon) around the incident.
   Click an address to leave it out (the victim's own address is always out). The counts and the
   hidden form fields follow every change, so submitting the form saves what the map shows.
   Without JavaScript the form still works with the radius alone. */
(function () {
  "use strict";
  var el = document.getElementById("plan-map");
  if (!el || typeof L === "undefined") { return; }
  var form = document.getElementById("plan-form");
  var radiusInput = document.getElementById("id_radius_m");
  var slider = document.getElementById("radius-slider");
  var polygonInput = document.getElementById("id_polygon");
  var excludedInput = document.getElementById("id_excluded");
  var routeInput = document.getElementById("id_route_count");
  var doorCount = document.getElementById("door-count");
  var excludedCount = document.getElementById("excluded-count");
  var suggestion = document.getElementById("route-suggestion");
  var polygonNote = document.getElementById("polygon-note");
  var centre = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  var COLOURS = { 0: "#0b5394", 1: "#9aa3ad", 2: "#b00020" };

  var map = L.map(el, { preferCanvas: true, scrollWheelZoom: false }).setView(centre, 17);
  L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  var renderer = L.canvas({ padding: 0.3 });
  var markers = L.layerGroup().addTo(map);
  var circle = L.circle(centre, { radius: parseInt(radiusInput.value || "150", 10), color: "#0b5394", weight: 2, fillOpacity: 0.05, interactive: false }).addTo(map);
  L.circleMarker(centre, { radius: 8, color: "#b00020", weight: 3, fill: false, interactive: false }).addTo(map);
  var drawn = new L.FeatureGroup().addTo(map);
  var excluded = new Set((excludedInput.value || "").split(",").filter(Boolean).map(Number));
  var rows = [];
  // Labels come from the address register: show them as text, never as HTML.
  function textNode(text) { var span = document.createElement("span"); span.textContent = text; return span; }

  function updateCounts() {
    var inPlan = 0, out = 0;
    rows.forEach(function (r) { if (r[4] === 0) { inPlan++; } else { out++; } });
    doorCount.textContent = inPlan;
    excludedCount.textContent = out;
    var suggested = Math.max(1, Math.min(40, Math.ceil(inPlan / 40)));
    routeInput.placeholder = suggested;
    if (suggestion) { suggestion.textContent = suggestion.textContent.replace(/\d+/, suggested); }
    excludedInput.value = Array.from(excluded).join(",");
  }

  function draw(data) {
    markers.clearLayers();
    rows = data.addresses;
    rows.forEach(function (r) {
      if (r[4] !== 2) { r[4] = excluded.has(r[0]) ? 1 : 0; }
      var m = L.circleMarker([r[1], r[2]], { renderer: renderer, radius: 5, weight: 1, color: "#fff", fillColor: COLOURS[r[4]], fillOpacity: 0.95 });
      // Tooltips are bound on first hover: thousands of markers draw faster without them.
      m.once("mouseover", function () { m.bindTooltip(textNode(r[3])).openTooltip(); });
      m.on("click", function () {
        if (r[4] === 2) { return; }
        if (excluded.has(r[0])) { excluded.delete(r[0]); r[4] = 0; } else { excluded.add(r[0]); r[4] = 1; }
        m.setStyle({ fillColor: COLOURS[r[4]] });
        updateCounts();
      });
      markers.addLayer(m);
    });
    updateCounts();
    el.dataset.ready = "1";
    el.dataset.doors = String(rows.length);
  }

  var pending = null;
  function refresh() {
    var params = new URLSearchParams();
    if (polygonInput.value) { params.set("polygon", polygonInput.value); } else { params.set("radius", radiusInput.value || "150"); }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    el.dataset.ready = "0";
    // data.error is shown as it comes: ask for the page's language, not the browser's.
    fetch(el.dataset.previewUrl + "?" + params.toString(), { signal: pending.signal, credentials: "same-origin", headers: { "Accept-Language": document.documentElement.lang || "nl" } })
      .then(function (resp) { return resp.json(); })
      .then(function (data) {
        if (data.error) { doorCount.textContent = "0"; excludedCount.textContent = data.error; el.dataset.ready = "1"; return; }
        draw(data);
      })
      .catch(function () { /* aborted by a newer request */ });
  }

  var timer = null;
  function radiusChanged(value) {
    radiusInput.value = value; slider.value = value;
    circle.setRadius(parseInt(value || "150", 10));
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  radiusInput.addEventListener("input", function () { radiusChanged(radiusInput.value); });
  slider.addEventListener("input", function () { radiusChanged(slider.value); });

  function usePolygon(layer) {
    drawn.clearLayers();
    drawn.addLayer(layer);
    polygonInput.value = JSON.stringify(layer.toGeoJSON().geometry);
    circle.setStyle({ opacity: 0.2, fillOpacity: 0 });
    polygonNote.hidden = false;
    refresh();
  }
  if (L.Control.Draw) {
    var d = el.dataset;
    L.drawLocal.draw.toolbar.buttons.polygon = d.drawLabel;
    L.drawLocal.draw.toolbar.actions = { title: d.drawCancel, text: d.drawCancel };
    L.drawLocal.draw.toolbar.finish = { title: d.drawFinish, text: d.drawFinish };
    L.drawLocal.draw.toolbar.undo = { title: d.drawUndo, text: d.drawUndo };
    L.drawLocal.draw.handlers.polygon.tooltip = { start: d.drawStart, cont: d.drawCont, end: d.drawEnd };
    map.addControl(new L.Control.Draw({
      draw: { polygon: { allowIntersection: false, showArea: false }, polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false },
      edit: { featureGroup: drawn, remove: false }
    }));
    map.on(L.Draw.Event.CREATED, function (e) { usePolygon(e.layer); });
    map.on(L.Draw.Event.EDITED, function (e) { e.layers.eachLayer(usePolygon); });
  }
  document.getElementById("clear-polygon").addEventListener("click", function () {
    drawn.clearLayers(); polygonInput.value = ""; polygonNote.hidden = true;
    circle.setStyle({ opacity: 1, fillOpacity: 0.05 });
    refresh();
  });
  if (polygonInput.value) {
    try {
      var layer = L.geoJSON(JSON.parse(polygonInput.value)).getLayers()[0];
      drawn.addLayer(layer); circle.setStyle({ opacity: 0.2, fillOpacity: 0 });
    } catch (err) { polygonInput.value = ""; }
  }
  form.addEventListener("submit", function () { excludedInput.value = Array.from(excluded).join(","); });

  var initial = document.getElementById("plan-preview");
  var data = initial ? JSON.parse(initial.textContent) : null;
  if (data && data.addresses) { draw(data); } else { refresh(); }
})();
