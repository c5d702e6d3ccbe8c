/*
 * Incident dashboard map: one circle per grid cell (area proportional to attacks), drawn from
 * the aggregated cells the page embeds as JSON ([{lat, lon, attacks, deaths, known_deaths}]).
 * No row-level data ever reaches the browser. Tiles only when the instance configures them;
 * otherwise a plain background (air-gapped). The table under the map is the non-visual view.
 */
(function () {
  "use strict";

  function readCells(id) {
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

  function draw(container) {
    var cells = readCells(container.getAttribute("data-pg-incident-map"));
    if (!window.L || cells.length === 0) {
      return;
    }
    var map = L.map(container, { zoomSnap: 0.5, scrollWheelZoom: false });
    var tileUrl = container.getAttribute("data-tile-url") || "";
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        attribution: container.getAttribute("data-tile-attribution") || "",
      }).addTo(map);
    }
    var most = cells.reduce(function (m, c) { return Math.max(m, c.attacks); }, 1);
    var bounds = L.latLngBounds([]);
    cells.forEach(function (cell) {
      var radius = 4 + 22 * Math.sqrt(cell.attacks / most);
      var marker = L.circleMarker([cell.lat, cell.lon], {
        radius: radius, className: "pg-incident-cell", weight: 1, fillOpacity: 0.45,
      });
      var text = cell.attacks + " attacks, " + cell.deaths + " deaths (known for " +
        cell.known_deaths + ")";
      marker.bindTooltip(text);
      marker.addTo(map);
      bounds.extend([cell.lat, cell.lon]);
    });
    map.fitBounds(bounds.pad(0.2), { maxZoom: 9 });
    container.setAttribute("data-cells-drawn", String(cells.length));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pg-incident-map]").forEach(draw);
  });
})();
