/*
 * PlaceGuard site maps.
 *
 * Every element with a data-pg-map attribute becomes a Leaflet map. Its data- attributes name
 * the json_script elements holding the markers ([{id, name, type, type_label, region, lat, lon,
 * url}]) and the region outlines ([{name, outline: [[lon, lat], ...]}]), and carry the tile URL
 * (empty: no tiles, a plain background, which works air-gapped) and its attribution.
 *
 * A marker with a band (and band_label) is coloured by that risk band instead of its site type,
 * and its popup names the band (the portfolio map).
 *
 * User-entered text (site and region names) only ever reaches the page as DOM text nodes.
 * Without JavaScript or Leaflet the map stays hidden and the page's table is the only view.
 */
(function () {
  "use strict";

  function readJson(id) {
    var element = id ? document.getElementById(id) : null;
    if (!element) {
      return [];
    }
    try {
      var value = JSON.parse(element.textContent);
      return Array.isArray(value) ? value : [];
    } catch (error) {
      return [];
    }
  }

  function popupContent(marker) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("strong");
    var link = document.createElement("a");
    link.setAttribute("href", marker.url);
    link.textContent = marker.name;
    title.appendChild(link);
    box.appendChild(title);
    var meta = document.createElement("span");
    meta.className = "map-popup__meta";
    meta.textContent = [marker.type_label, marker.region, marker.band_label]
      .filter(Boolean)
      .join(" · ");
    box.appendChild(meta);
    return box;
  }

  function drawRegions(map, regions, bounds) {
    regions.forEach(function (region) {
      if (!Array.isArray(region.outline) || region.outline.length < 3) {
        return;
      }
      var ring = region.outline.map(function (point) {
        return [point[1], point[0]];
      });
      var polygon = L.polygon(ring, { className: "pg-region", interactive: false });
      polygon.addTo(map);
      bounds.extend(polygon.getBounds());
    });
  }

  function drawMarkers(map, markers, bounds) {
    var layer = L.featureGroup();
    markers.forEach(function (marker) {
      var point = [marker.lat, marker.lon];
      var colour = marker.band
        ? "pg-band-" + String(marker.band).replace(/[^a-z_]/g, "")
        : "pg-type-" + String(marker.type).replace(/[^a-z_]/g, "");
      L.circleMarker(point, {
        radius: 7,
        weight: 2,
        fillOpacity: 0.9,
        className: "pg-marker " + colour
      })
        .bindPopup(popupContent(marker))
        .addTo(layer);
      bounds.extend(point);
    });
    layer.addTo(map);
  }

  function initMap(container) {
    if (container.getAttribute("data-pg-map-ready") || typeof L === "undefined") {
      return;
    }
    container.setAttribute("data-pg-map-ready", "true");
    container.hidden = false;

    var markers = readJson(container.getAttribute("data-markers"));
    var regions = readJson(container.getAttribute("data-regions"));
    var tileUrl = container.getAttribute("data-tile-url") || "";
    var map = L.map(container, { zoomSnap: 0.5, scrollWheelZoom: false });

    if (tileUrl) {
      L.tileLayer(tileUrl, {
        attribution: container.getAttribute("data-tile-attribution") || "",
        maxZoom: 19
      }).addTo(map);
    } else {
      container.classList.add("map--plain");
    }

    // The view covers the markers and the outlines of their regions, for context.
    var bounds = L.latLngBounds([]);
    drawRegions(map, regions, bounds);
    drawMarkers(map, markers, bounds);
    container.setAttribute("data-marker-count", String(markers.length));

    if (bounds.isValid() && (markers.length > 1 || regions.length > 0)) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 15 });
    } else if (markers.length === 1) {
      map.setView([markers[0].lat, markers[0].lon], 14);
    } else {
      map.setView([20, 0], 2);
    }
    // Enable wheel zoom only once the user has chosen the map, so scrolling the page stays easy.
    map.once("focus click", function () {
      map.scrollWheelZoom.enable();
    });
  }

  function initAll() {
    var containers = document.querySelectorAll("[data-pg-map]");
    Array.prototype.forEach.call(containers, initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
  // Results replaced by htmx bring a new map container.
  document.addEventListener("htmx:afterSettle", initAll);
})();
