/* Coverage map: every door of the canvass coloured by its state; progress per route. Polls the
   coverage JSON every 20 seconds so the coordinator watches the canvass fill in. */
(function () {
  "use strict";
  var el = document.getElementById("coverage-map");
  if (!el || typeof L === "undefined") { return; }
  var map = L.map(el, { preferCanvas: true, scrollWheelZoom: false }).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 17);
  L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  L.circleMarker([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], { radius: 8, color: "#b00020", weight: 3, fill: false, interactive: false }).addTo(map);
  var renderer = L.canvas({ padding: 0.3 });
  var markers = {};
  var fitted = false;
  var lines = null;
  // Each route as a thin line in its own colour, under the doors, so the split is visible.
  var PALETTE = ["#0b5394", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#a21caf", "#1f2937", "#c2410c"];

  function drawRoutes(doors) {
    if (lines) { return; }
    lines = L.layerGroup().addTo(map);
    var byRoute = {};
    doors.forEach(function (d) { (byRoute[d[4]] = byRoute[d[4]] || []).push([d[1], d[2]]); });
    Object.keys(byRoute).forEach(function (number) {
      var colour = PALETTE[(parseInt(number, 10) - 1) % PALETTE.length];
      L.polyline(byRoute[number], { color: colour, weight: 3, opacity: 0.7, interactive: false }).addTo(lines);
      var cell = document.querySelector('#routes-table tr[data-route="' + number + '"] th');
      if (cell && !cell.querySelector(".route-swatch")) {
        var swatch = document.createElement("span");
        swatch.className = "route-swatch";
        swatch.setAttribute("aria-hidden", "true");
        swatch.style.background = colour;
        cell.prepend(swatch);
      }
    });
  }

  function apply(data) {
    drawRoutes(data.doors);
    var bounds = [];
    data.doors.forEach(function (d) {
      var colour = data.colours[d[5]] || "#6b7280";
      var m = markers[d[0]];
      if (!m) {
        m = L.circleMarker([d[1], d[2]], { renderer: renderer, radius: 5, weight: 1, color: "#fff", fillOpacity: 0.95, fillColor: colour }).addTo(map);
        m.once("mouseover", function () {
          var span = document.createElement("span");  // address labels as text, never as HTML
          span.textContent = d[3] + " · " + el.dataset.routeLabel + " " + d[4];
          m.bindTooltip(span).openTooltip();
        });
        markers[d[0]] = m;
      } else {
        m.setStyle({ fillColor: colour });
      }
      bounds.push([d[1], d[2]]);
    });
    if (!fitted && bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 18 }); fitted = true; }
    var totals = { doors: 0, visited: 0, spoken: 0 };
    data.routes.forEach(function (r) {
      totals.doors += r.doors; totals.visited += r.visited; totals.spoken += r.spoken;
      var row = document.querySelector('#routes-table tr[data-route="' + r.number + '"]');
      if (!row) { return; }
      var bar = row.querySelector("progress"); if (bar) { bar.value = r.percent; }
      var text = row.querySelector(".progress-text"); if (text) { text.textContent = r.visited + "/" + r.doors; }
    });
    var v = document.getElementById("stat-visited"); if (v) { v.textContent = totals.visited; }
    var s = document.getElementById("stat-spoken"); if (s) { s.textContent = totals.spoken; }
    el.dataset.ready = "1";
    el.dataset.doors = String(data.doors.length);
  }

  function load() {
    // The page's language, not the browser's, for anything the server writes in its answer.
    fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang || "nl" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (data) { if (data) { apply(data); } })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }
  load();
  setInterval(function () { if (!document.hidden) { load(); } }, 20000);
})();
