/*
 * PlaceGuard perimeter impact-speed map (vehicle dynamics studies).
 *
 * Every element with data-pg-impact-map becomes a Leaflet map of the heat-map GeoJSON the
 * vehicle engine returns (named by data-heat-map, a json_script element): one circle per
 * perimeter point coloured by its speed band (0-4; none when unreachable), the perimeter as
 * segments coloured by the worse band of their ends, and one line per worst-case approach. Text reaches the page only as DOM text nodes. Without JavaScript the
 * table of worst points remains.
 */
(function () {
  "use strict";

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

  function bandClass(band) {
    return typeof band === "number" && band >= 0 && band <= 4
      ? "speed-band-" + String(band)
      : "speed-band-none";
  }

  function popup(props) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("strong");
    title.textContent = "#" + String(props.index);
    box.appendChild(title);
    var meta = document.createElement("span");
    meta.className = "map-popup__meta";
    meta.textContent =
      props.impact_speed_kmh === null
        ? "—"
        : String(props.impact_speed_kmh) + " km/h, " + String(props.impact_angle_deg) + "°, " +
          String(props.energy_kj) + " kJ";
    box.appendChild(meta);
    return box;
  }

  /* The perimeter as segments between consecutive points (a closed ring), each coloured by the
     worse band of its two ends: the speed a barrier along that stretch must withstand. */
  function drawSegments(map, features) {
    var pts = features.filter(function (f) {
      return f.properties && f.properties.kind === "perimeter_point" && f.geometry &&
        f.geometry.type === "Point";
    }).sort(function (a, b) {
      return a.properties.index - b.properties.index;
    });
    var count = 0;
    for (var i = 0; i < pts.length && pts.length > 1; i += 1) {
      var a = pts[i];
      var b = pts[(i + 1) % pts.length];
      var bands = [a.properties.band, b.properties.band].filter(function (x) {
        return typeof x === "number";
      });
      var band = bands.length ? Math.max.apply(null, bands) : null;
      L.polyline([
        [a.geometry.coordinates[1], a.geometry.coordinates[0]],
        [b.geometry.coordinates[1], b.geometry.coordinates[0]]
      ], { className: "pg-segment " + bandClass(band), interactive: false }).addTo(map);
      count += 1;
    }
    map.getContainer().setAttribute("data-segment-count", String(count));
  }

  function init(container) {
    if (container.getAttribute("data-pg-map-ready") || typeof L === "undefined") {
      return;
    }
    var data = readJson(container.getAttribute("data-heat-map"));
    if (!data || !Array.isArray(data.features)) {
      return;
    }
    container.setAttribute("data-pg-map-ready", "true");
    container.hidden = false;
    var map = L.map(container, { zoomSnap: 0.5, scrollWheelZoom: false });
    var tileUrl = container.getAttribute("data-tile-url") || "";
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        attribution: container.getAttribute("data-tile-attribution") || "",
        maxZoom: 20
      }).addTo(map);
    } else {
      container.classList.add("map--plain");
    }
    drawSegments(map, data.features);
    var bounds = L.latLngBounds([]);
    var points = 0;
    data.features.forEach(function (feature) {
      var props = feature.properties || {};
      var geometry = feature.geometry || {};
      if (props.kind === "approach_path" && geometry.type === "LineString") {
        var line = geometry.coordinates.map(function (p) {
          return [p[1], p[0]];
        });
        L.polyline(line, {
          className: "pg-approach " + bandClass(props.band),
          interactive: false
        }).addTo(map);
      } else if (props.kind === "perimeter_point" && geometry.type === "Point") {
        var at = [geometry.coordinates[1], geometry.coordinates[0]];
        L.circleMarker(at, {
          radius: 6,
          weight: 1,
          fillOpacity: 0.95,
          className: "pg-impact " + bandClass(props.band)
        })
          .bindPopup(popup(props))
          .addTo(map);
        bounds.extend(at);
        points += 1;
      }
    });
    container.setAttribute("data-point-count", String(points));
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 19 });
    } else {
      map.setView([20, 0], 2);
    }
    map.once("focus click", function () {
      map.scrollWheelZoom.enable();
    });
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pg-impact-map]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
