/* Grip map: the buurten shaded by the chosen figure (colours and texts come from the server, which
   also shows every figure in the table below). A click on a buurt opens its figures. */
(function () {
  "use strict";
  var el = document.getElementById("grip-map");
  var source = document.getElementById("grip-map-data");
  if (!el || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(el, { scrollWheelZoom: false });
  L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  var layer = L.geoJSON(data, {
    style: function (feature) {
      var p = feature.properties;
      return { color: p.selected ? "#1b1f24" : "#4a5460", weight: p.selected ? 3 : 1, fillColor: p.colour, fillOpacity: 0.75 };
    },
    onEachFeature: function (feature, shape) {
      var label = document.createElement("span");  // names as text, never as HTML
      label.textContent = feature.properties.name + ": " + feature.properties.text;
      shape.bindTooltip(label, { sticky: true });
      shape.on("click", function () { window.location.href = feature.properties.url; });
    }
  }).addTo(map);
  var selected = data.features.filter(function (f) { return f.properties.selected; });
  var bounds = selected.length ? L.geoJSON({ type: "FeatureCollection", features: selected }).getBounds() : layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([52.1, 5.3], 7); }
}());
