/*
 * PlaceGuard allocation maps (patrol coverage and response coverage).
 *
 * Every element with data-pg-alloc-map becomes a Leaflet map. Its data- attributes name the
 * json_script elements holding the site markers ([{name, lat, lon, url, cls, label}]), the
 * stations and suggested units ([{name, lat, lon}]), the isochrones (a GeoJSON
 * FeatureCollection of MultiPolygons with a band_s property) and region outlines.
 * User text reaches the page only as DOM text nodes. Without JavaScript the tables remain.
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

  function list(value) {
    return Array.isArray(value) ? value : [];
  }

  function popup(item) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("strong");
    if (item.url) {
      var link = document.createElement("a");
      link.setAttribute("href", item.url);
      link.textContent = item.name;
      title.appendChild(link);
    } else {
      title.textContent = item.name;
    }
    box.appendChild(title);
    if (item.label) {
      var meta = document.createElement("span");
      meta.className = "map-popup__meta";
      meta.textContent = item.label;
      box.appendChild(meta);
    }
    return box;
  }

  function safeClass(value) {
    return String(value || "").replace(/[^a-z_ -]/g, "");
  }

  function points(map, items, bounds, options) {
    list(items).forEach(function (item) {
      var point = [item.lat, item.lon];
      L.circleMarker(point, {
        radius: options.radius,
        weight: 2,
        fillOpacity: 0.9,
        className: "pg-marker " + safeClass(item.cls || options.cls)
      })
        .bindPopup(popup(item))
        .addTo(map);
      bounds.extend(point);
    });
  }

  function isochrones(map, collection, bounds) {
    if (!collection || !Array.isArray(collection.features)) {
      return;
    }
    var features = collection.features.slice().sort(function (a, b) {
      return b.properties.band_s - a.properties.band_s;
    });
    features.forEach(function (feature, index) {
      var rings = feature.geometry && feature.geometry.coordinates;
      list(rings).forEach(function (polygon) {
        var ring = list(polygon[0]).map(function (p) {
          return [p[1], p[0]];
        });
        if (ring.length < 3) {
          return;
        }
        var layer = L.polygon(ring, {
          className: "pg-isochrone pg-isochrone-" + Math.min(index, 3),
          interactive: false
        });
        layer.addTo(map);
        bounds.extend(layer.getBounds());
      });
    });
  }

  function regions(map, outlines, bounds) {
    list(outlines).forEach(function (region) {
      if (!Array.isArray(region.outline) || region.outline.length < 3) {
        return;
      }
      var ring = region.outline.map(function (p) {
        return [p[1], p[0]];
      });
      var polygon = L.polygon(ring, { className: "pg-region", interactive: false });
      polygon.addTo(map);
      bounds.extend(polygon.getBounds());
    });
  }

  function init(container) {
    if (container.getAttribute("data-pg-map-ready") || typeof L === "undefined") {
      return;
    }
    container.setAttribute("data-pg-map-ready", "true");
    container.hidden = false;
    var map = L.map(container, { zoomSnap: 0.5, scrollWheelZoom: false });
    var tileUrl = container.getAttribute("data-tile-url") || "";
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        attribution: container.getAttribute("data-tile-attribution") || "",
        maxZoom: 19
      }).addTo(map);
    } else {
      container.classList.add("map--plain");
    }
    var bounds = L.latLngBounds([]);
    regions(map, readJson(container.getAttribute("data-regions")), bounds);
    isochrones(map, readJson(container.getAttribute("data-isochrones")), bounds);
    var markers = list(readJson(container.getAttribute("data-markers")));
    points(map, markers, bounds, { radius: 7, cls: "" });
    points(map, readJson(container.getAttribute("data-stations")), bounds, {
      radius: 9,
      cls: "pg-station"
    });
    points(map, readJson(container.getAttribute("data-units")), bounds, {
      radius: 9,
      cls: "pg-unit"
    });
    container.setAttribute("data-marker-count", String(markers.length));
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15 });
    } else {
      map.setView([20, 0], 2);
    }
    map.once("focus click", function () {
      map.scrollWheelZoom.enable();
    });
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pg-alloc-map]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
