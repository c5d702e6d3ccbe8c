/*
 * PlaceGuard station picker: a Leaflet map that fills in a station's latitude and longitude.
 *
 * Progressive enhancement only: the numeric fields work without JavaScript. The element with
 * data-pg-station-picker names the two inputs (data-lat-input, data-lon-input) and a
 * json_script element of other stations ([{name, lat, lon}]) shown for reference. Clicking
 * the map moves the marker and writes the coordinates (5 decimals, about 1 m); typing in the
 * fields moves the marker. Names reach the page as DOM text only.
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

  function number(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? value : null;
  }

  function init(container) {
    var lat = document.getElementById(container.getAttribute("data-lat-input"));
    var lon = document.getElementById(container.getAttribute("data-lon-input"));
    if (!lat || !lon || typeof L === "undefined" || container.getAttribute("data-pg-map-ready")) {
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
    readJson(container.getAttribute("data-others")).forEach(function (item) {
      var title = document.createElement("span");
      title.textContent = item.name;
      L.circleMarker([item.lat, item.lon], {
        radius: 7,
        weight: 2,
        fillOpacity: 0.6,
        className: "pg-marker pg-station"
      })
        .bindPopup(title)
        .addTo(map);
      bounds.extend([item.lat, item.lon]);
    });
    var marker = null;

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.circleMarker(latlng, {
          radius: 9,
          weight: 3,
          fillOpacity: 0.9,
          className: "pg-marker pg-unit"
        }).addTo(map);
      }
    }

    function fromFields() {
      var a = number(lat);
      var b = number(lon);
      if (a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        place([a, b]);
        return [a, b];
      }
      return null;
    }

    var start = fromFields();
    if (start) {
      map.setView(start, 14);
    } else if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 14 });
    } else {
      map.setView([20, 0], 2);
    }
    map.on("click", function (event) {
      var wrapped = event.latlng.wrap();
      lat.value = wrapped.lat.toFixed(5);
      lon.value = wrapped.lng.toFixed(5);
      place(wrapped);
      container.setAttribute("data-picked", lat.value + "," + lon.value);
    });
    lat.addEventListener("change", fromFields);
    lon.addEventListener("change", fromFields);
    map.once("focus click", function () {
      map.scrollWheelZoom.enable();
    });
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pg-station-picker]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
