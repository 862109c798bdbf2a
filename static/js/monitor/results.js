/* Communitymonitor results page: trend chart with interval band, bars with error bars, buurt map.
 *
 * Everything here is an extra view on the tables in the page, which hold the same numbers: the page
 * works without JavaScript. Suppressed values arrive as null and are drawn as gaps. The map prints
 * each buurt's value as a label, so it reads without colour; the legend names the colour steps.
 */
(function () {
  "use strict";
  var chartsEl = document.getElementById("monitor-charts");
  if (!chartsEl) return;
  var data = JSON.parse(chartsEl.textContent);
  var unit = data.unit || "";
  var ink = "#1b1f24", brand = "#0b5394", band = "rgba(11, 83, 148, 0.18)", ref = "#8a4b00";

  function fmt(value) {
    if (value === null || value === undefined) return "";
    var decimals = unit === "%" ? 0 : 1;
    return value.toLocaleString(document.documentElement.lang || "nl", {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals
    }) + unit;
  }

  function referencePlugin(axis) {
    return {
      id: "referenceLine",
      afterDatasetsDraw: function (chart) {
        if (data.reference === null || data.reference === undefined) return;
        var ctx = chart.ctx, area = chart.chartArea, scale = chart.scales[axis];
        var pos = scale.getPixelForValue(data.reference);
        ctx.save();
        ctx.strokeStyle = ref; ctx.setLineDash([6, 4]); ctx.lineWidth = 1.5;
        ctx.beginPath();
        if (axis === "y") { ctx.moveTo(area.left, pos); ctx.lineTo(area.right, pos); }
        else { ctx.moveTo(pos, area.top); ctx.lineTo(pos, area.bottom); }
        ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = ref; ctx.font = "12px system-ui, sans-serif";
        var label = data.referenceLabel + ": " + fmt(data.reference);
        if (axis === "y") { ctx.textAlign = "right"; ctx.fillText(label, area.right, pos - 4); }
        else {
          // Keep the label inside the chart: to the left of the line when it sits in the right half.
          var right = pos > (area.left + area.right) / 2;
          ctx.textAlign = right ? "right" : "left";
          ctx.fillText(label, right ? pos - 4 : pos + 4, area.bottom - 4);
        }
        ctx.restore();
      }
    };
  }

  // Error bars and printed values for the horizontal bar chart.
  var errorBars = {
    id: "errorBars",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, meta = chart.getDatasetMeta(0), x = chart.scales.x;
      ctx.save();
      ctx.strokeStyle = ink; ctx.fillStyle = ink; ctx.lineWidth = 1.5; ctx.font = "bold 12px system-ui, sans-serif";
      data.bars.forEach(function (point, i) {
        var bar = meta.data[i];
        if (!bar) return;
        var y = bar.y;
        if (point.value === null) {
          ctx.fillStyle = "#4a5460"; ctx.textAlign = "left";
          ctx.fillText(data.labels.suppressed, x.getPixelForValue(x.min) + 4, y + 4);
          ctx.fillStyle = ink;
          return;
        }
        var end = point.value;
        if (point.low !== null && point.high !== null) {
          var lo = x.getPixelForValue(point.low), hi = x.getPixelForValue(point.high);
          ctx.beginPath();
          ctx.moveTo(lo, y); ctx.lineTo(hi, y);
          ctx.moveTo(lo, y - 5); ctx.lineTo(lo, y + 5);
          ctx.moveTo(hi, y - 5); ctx.lineTo(hi, y + 5);
          ctx.stroke();
          end = point.high;
        }
        ctx.textAlign = "left";
        ctx.fillText(fmt(point.value), x.getPixelForValue(end) + 6, y + 4);
      });
      ctx.restore();
    }
  };

  function axisBounds(points) {
    var values = [];
    points.forEach(function (p) { [p.value, p.low, p.high].forEach(function (v) { if (v !== null) values.push(v); }); });
    if (data.reference !== null && data.reference !== undefined) values.push(data.reference);
    var min = data.min !== null && data.min !== undefined ? data.min : Math.min.apply(null, values);
    var max = data.max !== null && data.max !== undefined ? data.max : Math.max.apply(null, values) * 1.15;
    return {min: min, max: max};
  }

  function wrap(text, width) {
    var lines = [], line = "";
    String(text).split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines;
  }

  if (window.Chart) {
    Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
    Chart.defaults.color = ink;
    var trendBounds = axisBounds(data.trend);
    new Chart(document.getElementById("trend-chart"), {
      type: "line",
      data: {
        labels: data.trend.map(function (p) { return wrap(p.label, 12); }),
        datasets: [
          {label: data.labels.interval, data: data.trend.map(function (p) { return p.high; }),
           borderWidth: 0, pointRadius: 0, backgroundColor: band, fill: "+1", spanGaps: false},
          {label: data.labels.interval + " (low)", data: data.trend.map(function (p) { return p.low; }),
           borderWidth: 0, pointRadius: 0, backgroundColor: band, fill: false, spanGaps: false},
          {label: data.indicator, data: data.trend.map(function (p) { return p.value; }),
           borderColor: brand, backgroundColor: brand, borderWidth: 3, pointRadius: 5, pointStyle: "rectRot", spanGaps: false}
        ]
      },
      options: {
        maintainAspectRatio: false, animation: false,
        scales: {y: {min: trendBounds.min, max: trendBounds.max, ticks: {callback: function (v) { return fmt(v); }}}},
        plugins: {
          legend: {labels: {filter: function (item) { return item.datasetIndex !== 1; }}},
          tooltip: {callbacks: {label: function (ctx) { return data.trend[ctx.dataIndex].text; }}}
        }
      },
      plugins: [referencePlugin("y")]
    });

    var barBounds = axisBounds(data.bars);
    var barBox = document.getElementById("bar-chart").parentNode;
    // Room for every wrapped name: a bar per buurt at least as tall as its name's lines.
    var lines = data.bars.reduce(function (n, p) { return Math.max(n, wrap(p.label, 12).length); }, 1);
    barBox.style.height = Math.max(240, Math.max(36, 15 * lines + 10) * data.bars.length + 60) + "px";
    new Chart(document.getElementById("bar-chart"), {
      type: "bar",
      data: {
        labels: data.bars.map(function (p) { return p.label; }),
        datasets: [{label: data.indicator, data: data.bars.map(function (p) { return p.value; }), backgroundColor: brand}]
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        layout: {padding: {right: 56}},
        scales: {x: {min: Math.min(0, barBounds.min), max: barBounds.max, ticks: {callback: function (v) { return fmt(v); }}},
                 // Long buurt names break over lines instead of being cut off on a narrow screen.
                 y: {ticks: {autoSkip: false, callback: function (v) { return wrap(data.bars[v].label, 12); }}}},
        plugins: {legend: {display: false},
          tooltip: {callbacks: {label: function (ctx) { return data.bars[ctx.dataIndex].text; }}}}
      },
      plugins: [errorBars, referencePlugin("x")]
    });
  }

  // The map: buurten shaded in five steps of one hue, each labelled with its value.
  var mapEl = document.getElementById("buurt-map");
  var geo = JSON.parse(document.getElementById("monitor-map").textContent);
  if (!mapEl || !window.L || !geo.features.length) { if (mapEl) mapEl.hidden = true; return; }
  var config = document.getElementById("monitor-config").dataset;
  var map = L.map(mapEl, {scrollWheelZoom: false});
  L.tileLayer(config.tiles, {attribution: config.attribution, maxZoom: 19}).addTo(map);
  var values = geo.features.map(function (f) { return f.properties.value; }).filter(function (v) { return v !== null; });
  var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
  var steps = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  function step(v) {
    if (v === null) return -1;
    if (hi === lo) return 2;
    return Math.min(4, Math.floor((v - lo) / (hi - lo) * 5));
  }
  var narrow = mapEl.clientWidth < 480;
  var layer = L.geoJSON(geo, {
    style: function (f) {
      var s = step(f.properties.value);
      return {color: ink, weight: 1.5, fillOpacity: s < 0 ? 0.15 : 0.7, fillColor: s < 0 ? "#ffffff" : steps[s],
              dashArray: s < 0 ? "4 4" : null};
    },
    onEachFeature: function (f, l) {
      var text = f.properties.value === null ? "•" : fmt(f.properties.value);
      // Leaflet reads a string as HTML; buurt names come from an import, so they go in as text nodes.
      // On a narrow map the label holds the value only (the name is in the popup and the table).
      l.bindTooltip(document.createTextNode(narrow ? text : f.properties.name + ": " + text),
                    {permanent: true, direction: "center", className: "map-label"});
      l.bindPopup(document.createTextNode(f.properties.name + ": " + f.properties.text));
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds(), {padding: [10, 10]});

  // On a phone small buurten lie close together and their labels would cover each other: show a
  // label only where it fits, larger buurten first; a tap on any buurt still opens its value.
  function boxesMeet(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  function declutter() {
    var frame = mapEl.getBoundingClientRect();
    var shown = [];
    var items = [];
    layer.eachLayer(function (l) {
      var tip = l.getTooltip && l.getTooltip();
      var el = tip && tip.getElement();
      if (!el) return;
      var b = l.getBounds();
      items.push({el: el, size: Math.abs((b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()))});
    });
    items.sort(function (a, b) { return b.size - a.size; });
    items.forEach(function (item) {
      item.el.style.visibility = "";
      var box = item.el.getBoundingClientRect();
      var outside = box.left < frame.left || box.right > frame.right || box.top < frame.top || box.bottom > frame.bottom;
      if (outside || shown.some(function (other) { return boxesMeet(box, other); })) {
        item.el.style.visibility = "hidden";
      } else {
        shown.push(box);
      }
    });
  }
  map.on("zoomend moveend resize", declutter);
  declutter();
  var legend = document.getElementById("map-legend");
  if (legend && values.length) {
    for (var i = 0; i < 5; i++) {
      var from = lo + (hi - lo) * i / 5, to = lo + (hi - lo) * (i + 1) / 5;
      var li = document.createElement("li");
      li.innerHTML = '<span style="background:' + steps[i] + '"></span>';
      li.appendChild(document.createTextNode(fmt(from) + " – " + fmt(to)));
      legend.appendChild(li);
    }
    var none = document.createElement("li");
    none.innerHTML = '<span style="background:#fff;border-style:dashed"></span>';
    none.appendChild(document.createTextNode("• " + data.labels.suppressed));
    legend.appendChild(none);
  }
})();
