/* Incident map: shows the incident's point; on the registration form a click picks the point
   and choosing an address from the search results moves the marker there. Works without tiles. */
(function () {
  "use strict";
  var el = document.getElementById("incident-map");
  if (!el || typeof L === "undefined") { return; }
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  var cLat = parseFloat(el.dataset.centreLat), cLon = parseFloat(el.dataset.centreLon);
  var start = !isNaN(lat) ? [lat, lon] : (!isNaN(cLat) ? [cLat, cLon] : [52.1, 5.2]);
  var map = L.map(el, { scrollWheelZoom: false }).setView(start, !isNaN(lat) ? 17 : (!isNaN(cLat) ? 15 : 8));
  L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  var marker = !isNaN(lat) ? L.circleMarker([lat, lon], { radius: 9, color: "#b00020", weight: 3 }).addTo(map) : null;
  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 9, color: "#b00020", weight: 3 }).addTo(map); }
  }
  el.dataset.ready = "1";
  if (el.dataset.readonly) { return; }
  var latInput = document.getElementById("id_lat"), lonInput = document.getElementById("id_lon");
  var chosen = document.getElementById("point-chosen");
  map.on("click", function (e) {
    place(e.latlng);
    latInput.value = e.latlng.lat.toFixed(6);
    lonInput.value = e.latlng.lng.toFixed(6);
    document.querySelectorAll("input[name=address]").forEach(function (r) { r.checked = false; });
    if (chosen) { chosen.hidden = false; }
  });
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.name === "address" && t.checked) {
      var p = [parseFloat(t.dataset.lat), parseFloat(t.dataset.lon)];
      place(p); map.setView(p, 17);
      latInput.value = ""; lonInput.value = "";
      if (chosen) { chosen.hidden = true; }
    }
  });
})();
