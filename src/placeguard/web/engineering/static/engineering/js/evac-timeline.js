/*
 * PlaceGuard stepped evacuation results: the layout plan (local metres, L.CRS.Simple) with
 *
 * - [data-pg-evac-map]: exits and doors coloured by their flow at the chosen time (idle,
 *   passing, at capacity) and a circle per bottleneck whose area follows its queue;
 * - [data-pg-density-map]: the classic density of a microscopic run on a grid, per frame.
 *
 * Each map is followed by a player ([data-player]): step back / play-pause / step forward
 * buttons and a range input (arrow keys, Home, End), with a live text readout. Data come from
 * json_script elements; text reaches the page only as DOM text nodes.
 */
(function () {
  "use strict";

  var PLAY_MS = 400;
  var DENSITY_BANDS = [0.5, 1, 2, 3.5];
  var DENSITY_COLOURS = ["#fff5eb", "#fdbe85", "#fd8d3c", "#d94701", "#8c2d04"];

  function readJson(id) {
    var element = id ? document.getElementById(id) : null;
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function baseMap(container, layout) {
    container.hidden = false;
    var map = L.map(container, { crs: L.CRS.Simple, zoomSnap: 0.25, minZoom: -4, maxZoom: 6, scrollWheelZoom: false });
    var bounds = L.latLngBounds([]);
    var openings = {};
    (layout && layout.features || []).forEach(function (f) {
      var g = f.geometry || {};
      var p = f.properties || {};
      if (g.type === "Polygon" && g.coordinates && g.coordinates[0]) {
        var ring = g.coordinates[0].map(function (c) { return [c[1], c[0]]; });
        L.polygon(ring, { className: "evac-space", interactive: false }).addTo(map);
        ring.forEach(function (ll) { bounds.extend(ll); });
      } else if (g.type === "LineString" && g.coordinates && p.id !== undefined) {
        openings[String(p.id)] = g.coordinates.map(function (c) { return [c[1], c[0]]; });
      }
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16] });
    } else {
      map.setView([0, 0], 0);
    }
    return { map: map, openings: openings };
  }

  function midpoint(latlngs) {
    var a = latlngs[0];
    var b = latlngs[latlngs.length - 1];
    return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  }

  function player(root, count, render) {
    var range = root.querySelector("[data-player-range]");
    var play = root.querySelector("[data-player-action=play]");
    var timer = null;
    root.hidden = false;
    range.max = String(Math.max(count - 1, 0));

    function show(i) {
      var index = Math.max(0, Math.min(count - 1, i));
      range.value = String(index);
      render(index);
    }

    function stop() {
      if (timer !== null) {
        window.clearInterval(timer);
        timer = null;
      }
      play.setAttribute("aria-pressed", "false");
      play.textContent = root.getAttribute("data-label-play");
    }

    function start() {
      if (Number(range.value) >= count - 1) {
        show(0);
      }
      play.setAttribute("aria-pressed", "true");
      play.textContent = root.getAttribute("data-label-pause");
      timer = window.setInterval(function () {
        var next = Number(range.value) + 1;
        if (next >= count) {
          stop();
        } else {
          show(next);
        }
      }, PLAY_MS);
    }

    range.addEventListener("input", function () {
      stop();
      show(Number(range.value));
    });
    root.querySelector("[data-player-action=back]").addEventListener("click", function () {
      stop();
      show(Number(range.value) - 1);
    });
    root.querySelector("[data-player-action=forward]").addEventListener("click", function () {
      stop();
      show(Number(range.value) + 1);
    });
    play.addEventListener("click", function () {
      if (timer === null) {
        start();
      } else {
        stop();
      }
    });
    show(count - 1 > 0 ? Math.floor((count - 1) / 2) : 0);
  }

  function nextPlayer(container) {
    var el = container.closest("section");
    return el ? el.querySelector("[data-player]") : null;
  }

  function initTimeline(container) {
    var layout = readJson(container.getAttribute("data-layout"));
    var tl = readJson(container.getAttribute("data-timeline"));
    var controls = nextPlayer(container);
    if (!tl || !Array.isArray(tl.times_s) || !controls) {
      return;
    }
    var base = baseMap(container, layout);
    var details = container.closest("section").querySelector("[data-step-details]");
    var lines = {};
    Object.keys(tl.exits || {}).forEach(function (id) {
      if (base.openings[id]) {
        lines[id] = L.polyline(base.openings[id], { className: "evac-opening", weight: 6 }).addTo(base.map);
      }
    });
    var queues = {};
    Object.keys(tl.queues || {}).forEach(function (id) {
      if (base.openings[id]) {
        queues[id] = L.circleMarker(midpoint(base.openings[id]), { radius: 0, className: "evac-queue", interactive: false }).addTo(base.map);
      }
    });
    var readout = controls.querySelector("[data-player-readout]");
    player(controls, tl.times_s.length, function (i) {
      readout.textContent = format(controls.getAttribute("data-msg-step"), {
        t: Math.round(tl.times_s[i]),
        safe: Math.round(tl.safe[i]),
        n: Math.round(tl.occupants)
      });
      while (details.firstChild) {
        details.removeChild(details.firstChild);
      }
      Object.keys(tl.exits || {}).forEach(function (id) {
        var e = tl.exits[id];
        var flow = e.flow_pps[i];
        var state = flow <= 0 ? "" : flow >= 0.99 * e.capacity_pps ? " evac-opening--capacity" : " evac-opening--busy";
        if (lines[id]) {
          lines[id].getElement().setAttribute("class", "evac-opening" + state + " leaflet-interactive");
        }
        var li = document.createElement("li");
        li.textContent = id + ": " + String(Math.round(e.out[i])) + " out, " + flow.toFixed(2) + " p/s";
        details.appendChild(li);
      });
      Object.keys(tl.queues || {}).forEach(function (id) {
        var q = tl.queues[id][i];
        if (queues[id]) {
          queues[id].setRadius(q > 0 ? 3 + 2 * Math.sqrt(q) : 0);
        }
        if (q > 0) {
          var li = document.createElement("li");
          li.textContent = id + ": " + String(Math.round(q)) + " waiting";
          details.appendChild(li);
        }
      });
      container.setAttribute("data-step", String(i));
    });
  }

  function colour(d) {
    var band = 0;
    while (band < DENSITY_BANDS.length && d >= DENSITY_BANDS[band]) {
      band += 1;
    }
    return DENSITY_COLOURS[band];
  }

  function initDensity(container) {
    var layout = readJson(container.getAttribute("data-layout"));
    var density = readJson(container.getAttribute("data-density"));
    var controls = nextPlayer(container);
    if (!density || !Array.isArray(density.frames) || !density.frames.length || !controls) {
      return;
    }
    var base = baseMap(container, layout);
    var cells = L.layerGroup().addTo(base.map);
    var g = density.grid;
    var readout = controls.querySelector("[data-player-readout]");
    player(controls, density.frames.length, function (i) {
      var frame = density.frames[i];
      var peak = 0;
      cells.clearLayers();
      frame.cells.forEach(function (c) {
        var x = g.x0 + c[0] * g.cell_m;
        var y = g.y0 + c[1] * g.cell_m;
        peak = Math.max(peak, c[2]);
        L.rectangle([[y, x], [y + g.cell_m, x + g.cell_m]], {
          className: "density-cell",
          fillColor: colour(c[2]),
          fillOpacity: 0.8,
          interactive: false
        }).addTo(cells);
      });
      readout.textContent = format(controls.getAttribute("data-msg-step"), {
        t: frame.t_s, n: frame.agents, d: peak.toFixed(2)
      });
      container.setAttribute("data-step", String(i));
    });
  }

  function initAll() {
    if (typeof L === "undefined") {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-pg-evac-map]"), initTimeline);
    Array.prototype.forEach.call(document.querySelectorAll("[data-pg-density-map]"), initDensity);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
