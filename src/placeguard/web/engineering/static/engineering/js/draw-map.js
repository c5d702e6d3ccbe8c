/*
 * PlaceGuard drawing control for study inputs (no dependency beyond the vendored Leaflet).
 *
 * The element with data-pg-draw-map holds a toolbar of tools (buttons with data-tool,
 * data-geom = Polygon | LineString, data-props = JSON properties, data-for = evacuation |
 * vehicle), a map and a list of drawn features. The drawing is written as a GeoJSON
 * FeatureCollection into the textarea named by data-target on every change, so the form posts
 * it like pasted text; text already in the textarea (or a chosen file) is loaded onto the map.
 *
 * Evacuation layouts are drawn in local metres (x east, y north) on a plain grid
 * (L.CRS.Simple), snapped to 0.5 m so doors land exactly on shared walls; vehicle site files in
 * longitude/latitude over the tile layer, if any.
 *
 * Editing: "Move points" beside a shape shows its points as handles to drag (snapped as
 * drawn); its properties are edited in the list; "Delete" removes it.
 *
 * Drawing: choose a tool, click to add points (or pan with the arrow keys and press "Add point
 * at the centre"), double-click / Enter / "Finish shape" to finish, Backspace / "Undo last
 * point" to remove the last point, Escape / "Cancel" to cancel. Every action is a button, so
 * the control is keyboard operable. Text reaches the page only as DOM text nodes.
 */
(function () {
  "use strict";

  var SNAP_M = 0.5;

  function text(el, value) {
    el.textContent = value;
    return el;
  }

  function create(tag, className, parent) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (parent) {
      parent.appendChild(el);
    }
    return el;
  }

  function parseJson(value) {
    try {
      return JSON.parse(value);
    } catch (error) {
      return null;
    }
  }

  function kindOfCollection(fc) {
    if (!fc || !Array.isArray(fc.features) || !fc.features.length) {
      return null;
    }
    var evac = fc.features.some(function (f) {
      return f && f.properties && typeof f.properties.kind === "string";
    });
    return evac ? "evacuation" : "vehicle";
  }

  function Drawer(root) {
    this.root = root;
    this.target = document.getElementById(root.getAttribute("data-target"));
    this.status = root.querySelector("[data-draw-status]");
    this.list = root.querySelector("[data-draw-features]");
    this.mapEl = root.querySelector("[data-draw-canvas]");
    this.kindInputs = document.querySelectorAll("input[name='" + root.getAttribute("data-kind-input") + "']");
    this.fileInput = document.getElementById(root.getAttribute("data-file-input") || "");
    this.center = parseJson(root.getAttribute("data-center") || "null");
    this.errors = [];
    this.features = [];
    this.tool = null;
    this.points = [];
    this.counter = 0;
    this.kind = null;
    this.map = null;
    root.pgDraw = this;
  }

  Drawer.prototype.currentKind = function () {
    var kind = "evacuation";
    Array.prototype.forEach.call(this.kindInputs, function (input) {
      if (input.checked) {
        kind = input.value;
      }
    });
    return kind;
  };

  Drawer.prototype.say = function (message) {
    text(this.status, message);
  };

  Drawer.prototype.toLatLng = function (xy) {
    return this.kind === "evacuation" ? [xy[1], xy[0]] : [xy[1], xy[0]];
  };

  Drawer.prototype.fromLatLng = function (latlng) {
    if (this.kind === "evacuation") {
      return [Math.round(latlng.lng / SNAP_M) * SNAP_M, Math.round(latlng.lat / SNAP_M) * SNAP_M];
    }
    return [Math.round(latlng.lng * 1e7) / 1e7, Math.round(latlng.lat * 1e7) / 1e7];
  };

  /* Pixel position (relative to the page) of a point in the drawing's coordinates (tests). */
  Drawer.prototype.toPagePoint = function (x, y) {
    var p = this.map.latLngToContainerPoint(this.toLatLng([x, y]));
    var box = this.mapEl.getBoundingClientRect();
    // Leaflet measures from inside the container's border (clientLeft/clientTop)
    return { x: box.left + this.mapEl.clientLeft + p.x, y: box.top + this.mapEl.clientTop + p.y };
  };

  Drawer.prototype.buildMap = function () {
    if (this.map) {
      this.map.remove();
      this.map = null;
    }
    var evac = this.kind === "evacuation";
    this.mapEl.classList.toggle("draw-map__canvas--plain", evac);
    var map = L.map(this.mapEl, {
      crs: evac ? L.CRS.Simple : L.CRS.EPSG3857,
      doubleClickZoom: false,
      zoomSnap: 0.25,
      minZoom: evac ? -3 : 3,
      maxZoom: evac ? 6 : 20
    });
    this.map = map;
    if (evac) {
      var grid = L.layerGroup().addTo(map);
      for (var v = -200; v <= 200; v += 10) {
        L.polyline([[v, -200], [v, 200]], { className: "draw-grid", interactive: false }).addTo(grid);
        L.polyline([[-200, v], [200, v]], { className: "draw-grid", interactive: false }).addTo(grid);
      }
      map.setView([15, 25], 2);
    } else {
      var tileUrl = this.root.getAttribute("data-tile-url") || "";
      if (tileUrl) {
        L.tileLayer(tileUrl, {
          attribution: this.root.getAttribute("data-tile-attribution") || "",
          maxZoom: 20
        }).addTo(map);
      }
      map.setView(this.center || [0, 0], this.center ? 17 : 2);
    }
    this.layer = L.layerGroup().addTo(map);
    this.draft = L.layerGroup().addTo(map);
    this.handles = L.layerGroup().addTo(map);
    this.editing = null;
    var self = this;
    map.on("click", function (e) {
      if (self.tool) {
        self.addPoint(e.latlng);
      }
    });
    map.on("dblclick", function () {
      if (self.tool) {
        self.finish();
      }
    });
  };

  Drawer.prototype.showTools = function () {
    var kind = this.kind;
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-tool]"), function (button) {
      button.hidden = button.getAttribute("data-for") !== kind;
    });
  };

  Drawer.prototype.startTool = function (button) {
    this.cancel(true);
    if (this.editing !== null) {
      this.editing = null;
      this.render();
    }
    this.tool = {
      name: button.getAttribute("data-tool"),
      label: button.textContent,
      geom: button.getAttribute("data-geom"),
      props: parseJson(button.getAttribute("data-props") || "{}") || {}
    };
    button.setAttribute("aria-pressed", "true");
    this.mapEl.classList.add("draw-map__canvas--drawing");
    this.say(this.root.getAttribute("data-msg-start").replace("%(tool)s", this.tool.label));
  };

  Drawer.prototype.addPoint = function (latlng) {
    var xy = this.fromLatLng(latlng);
    var last = this.points[this.points.length - 1];
    if (last && last[0] === xy[0] && last[1] === xy[1]) {
      return;
    }
    this.points.push(xy);
    this.renderDraft();
    this.say(this.root.getAttribute("data-msg-points").replace("%(n)s", String(this.points.length)));
  };

  Drawer.prototype.undo = function () {
    if (this.tool && this.points.length) {
      this.points.pop();
      this.renderDraft();
      this.say(this.root.getAttribute("data-msg-points").replace("%(n)s", String(this.points.length)));
    }
  };

  Drawer.prototype.renderDraft = function () {
    var self = this;
    this.draft.clearLayers();
    var latlngs = this.points.map(function (p) {
      return self.toLatLng(p);
    });
    if (latlngs.length > 1) {
      var Shape = this.tool.geom === "Polygon" ? L.polygon : L.polyline;
      Shape(latlngs, { className: "draw-draft", interactive: false }).addTo(this.draft);
    }
    latlngs.forEach(function (ll) {
      L.circleMarker(ll, { radius: 4, className: "draw-vertex", interactive: false }).addTo(self.draft);
    });
  };

  Drawer.prototype.finish = function () {
    if (!this.tool) {
      return;
    }
    var need = this.tool.geom === "Polygon" ? 3 : 2;
    if (this.points.length < need) {
      this.say(this.root.getAttribute("data-msg-need").replace("%(n)s", String(need)));
      return;
    }
    this.counter += 1;
    var coords = this.points.slice();
    var geometry;
    if (this.tool.geom === "Polygon") {
      coords.push(coords[0].slice());
      geometry = { type: "Polygon", coordinates: [coords] };
    } else {
      geometry = { type: "LineString", coordinates: coords };
    }
    var props = JSON.parse(JSON.stringify(this.tool.props));
    if (this.kind === "evacuation") {
      props.id = this.tool.name + "-" + String(this.counter);
    }
    this.features.push({ type: "Feature", properties: props, geometry: geometry });
    var label = this.tool.label;
    this.cancel(true);
    this.errors = [];
    this.changed();
    this.say(this.root.getAttribute("data-msg-done").replace("%(tool)s", label));
  };

  Drawer.prototype.cancel = function (quiet) {
    this.tool = null;
    this.points = [];
    if (this.draft) {
      this.draft.clearLayers();
    }
    this.mapEl.classList.remove("draw-map__canvas--drawing");
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-tool]"), function (b) {
      b.setAttribute("aria-pressed", "false");
    });
    if (!quiet) {
      this.say(this.root.getAttribute("data-msg-cancel"));
    }
  };

  /* "exit — exit-2": what the list shows; labelOf adds the position for accessible names. */
  Drawer.prototype.shortLabel = function (feature) {
    var p = feature.properties || {};
    var name = p.id || p.role || (p.highway ? "highway=" + p.highway : "") || p.kind || "";
    return (p.kind || p.role || feature.geometry.type) + (name ? " — " + name : "");
  };

  Drawer.prototype.labelOf = function (feature, index) {
    return String(index + 1) + ". " + this.shortLabel(feature);
  };

  Drawer.prototype.render = function (mapOnly) {
    var self = this;
    this.layer.clearLayers();
    var bounds = L.latLngBounds([]);
    this.features.forEach(function (feature, index) {
      var g = feature.geometry || {};
      var p = feature.properties || {};
      var cls = "draw-feature draw-feature--" + String(p.kind || p.role || (p.highway ? "way" : "way"));
      if (self.errors.indexOf(index) >= 0) {
        cls += " draw-feature--error";
      }
      var latlngs;
      if (g.type === "Polygon" && Array.isArray(g.coordinates) && g.coordinates[0]) {
        latlngs = g.coordinates[0].map(function (c) { return self.toLatLng(c); });
        L.polygon(latlngs, { className: cls }).addTo(self.layer);
      } else if (g.type === "LineString" && Array.isArray(g.coordinates)) {
        latlngs = g.coordinates.map(function (c) { return self.toLatLng(c); });
        L.polyline(latlngs, { className: cls, weight: 5 }).addTo(self.layer);
      }
      if (latlngs) {
        latlngs.forEach(function (ll) { bounds.extend(ll); });
      }
    });
    this.renderHandles();
    if (!mapOnly) {
      this.renderList();
    }
    return bounds;
  };

  /* Draggable points of the shape being edited; a dropped point snaps like a drawn one. */
  Drawer.prototype.renderHandles = function () {
    var self = this;
    this.handles.clearLayers();
    var feature = this.editing === null ? null : this.features[this.editing];
    if (!feature) {
      this.editing = null;
      return;
    }
    var g = feature.geometry;
    var coords = g.type === "Polygon" ? g.coordinates[0] : g.coordinates;
    var count = g.type === "Polygon" ? coords.length - 1 : coords.length;
    for (var i = 0; i < count; i += 1) {
      (function (k) {
        var handle = L.marker(self.toLatLng(coords[k]), {
          draggable: true,
          keyboard: false,
          icon: L.divIcon({ className: "draw-handle", iconSize: [14, 14] })
        }).addTo(self.handles);
        handle.on("dragend", function () {
          var xy = self.fromLatLng(handle.getLatLng());
          coords[k] = xy;
          if (g.type === "Polygon" && k === 0) {
            coords[coords.length - 1] = xy.slice();
          }
          self.writeTarget();
          self.render(true);
        });
      })(i);
    }
  };

  Drawer.prototype.renderList = function () {
    var self = this;
    while (this.list.firstChild) {
      this.list.removeChild(this.list.firstChild);
    }
    this.features.forEach(function (feature, index) {
      var item = create("li", "draw-item", self.list);
      if (self.errors.indexOf(index) >= 0) {
        item.classList.add("draw-item--error");
      }
      var labelEl = text(create("span", "draw-item__label", item), self.shortLabel(feature));
      var props = feature.properties || {};
      var editable = self.kind === "evacuation"
        ? (props.kind === "area" ? ["id", "occupants"] : (props.kind === "door" || props.kind === "exit") ? ["id", "width_m"] : ["id"])
        : (feature.geometry.type === "LineString" ? ["highway"] : []);
      editable.forEach(function (key) {
        var label = create("label", "draw-item__field", item);
        text(create("span", null, label), key + " ");
        var input = create("input", null, label);
        input.type = key === "occupants" || key === "width_m" ? "number" : "text";
        if (input.type === "number") {
          input.min = "0";
          input.step = key === "width_m" ? "0.1" : "1";
        }
        input.value = props[key] === undefined || props[key] === null ? "" : String(props[key]);
        input.setAttribute("aria-label", self.labelOf(feature, index) + ": " + key);
        input.addEventListener("change", function () {
          var v = input.value.trim();
          if (v === "") {
            delete props[key];
          } else {
            props[key] = input.type === "number" ? Number(v) : v;
          }
          feature.properties = props;
          // keep the list (and the focus in it): refresh the text field, the map and the label
          self.writeTarget();
          self.render(true);
          labelEl.textContent = self.shortLabel(feature);
        });
      });
      var edit = create("button", "button button--quiet button--small", item);
      edit.type = "button";
      text(edit, self.root.getAttribute("data-msg-edit"));
      edit.setAttribute("aria-pressed", self.editing === index ? "true" : "false");
      edit.setAttribute("aria-label", self.root.getAttribute("data-msg-edit") + " " + self.labelOf(feature, index));
      edit.addEventListener("click", function () {
        self.editing = self.editing === index ? null : index;
        self.render();
        self.say(self.root.getAttribute(self.editing === null ? "data-msg-edit-done" : "data-msg-editing"));
      });
      var remove = create("button", "button button--quiet button--small", item);
      remove.type = "button";
      text(remove, self.root.getAttribute("data-msg-delete"));
      remove.setAttribute("aria-label", self.root.getAttribute("data-msg-delete") + " " + self.labelOf(feature, index));
      remove.addEventListener("click", function () {
        self.features.splice(index, 1);
        self.editing = null;
        self.errors = [];
        self.changed();
        self.say(self.root.getAttribute("data-msg-deleted"));
      });
    });
  };

  Drawer.prototype.writeTarget = function () {
    this.target.value = this.features.length
      ? JSON.stringify({ type: "FeatureCollection", features: this.features }, null, 1)
      : "";
  };

  Drawer.prototype.changed = function () {
    this.writeTarget();
    this.render();
    this.root.setAttribute("data-feature-count", String(this.features.length));
  };

  Drawer.prototype.load = function (fc, fit) {
    this.features = fc && Array.isArray(fc.features) ? fc.features.slice() : [];
    this.counter = this.features.length;
    var bounds = this.render();
    this.root.setAttribute("data-feature-count", String(this.features.length));
    if (fit && bounds.isValid()) {
      this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: this.kind === "evacuation" ? 4 : 19 });
    }
  };

  Drawer.prototype.switchKind = function () {
    var kind = this.currentKind();
    if (kind === this.kind) {
      return;
    }
    this.cancel(true);
    this.kind = kind;
    this.buildMap();
    this.showTools();
    var fc = parseJson(this.target.value);
    this.load(kindOfCollection(fc) === kind ? fc : null, true);
  };

  Drawer.prototype.markErrors = function () {
    var found = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-draw-error]"), function (li) {
      var re = /features\[(\d+)\]/g;
      var m;
      while ((m = re.exec(li.textContent)) !== null) {
        found.push(Number(m[1]));
      }
    });
    this.errors = found;
  };

  Drawer.prototype.bind = function () {
    var self = this;
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-tool]"), function (button) {
      button.addEventListener("click", function () {
        self.startTool(button);
      });
    });
    var actions = {
      center: function () {
        if (self.tool) {
          self.addPoint(self.map.getCenter());
        } else {
          self.say(self.root.getAttribute("data-msg-choose"));
        }
      },
      undo: function () { self.undo(); },
      finish: function () { self.finish(); },
      cancel: function () { self.cancel(false); },
      clear: function () {
        self.cancel(true);
        self.features = [];
        self.errors = [];
        self.changed();
        self.say(self.root.getAttribute("data-msg-cleared"));
      }
    };
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-draw-action]"), function (button) {
      button.addEventListener("click", function () {
        actions[button.getAttribute("data-draw-action")]();
      });
    });
    this.root.addEventListener("keydown", function (e) {
      var tag = (e.target && e.target.tagName) || "";
      if (!self.tool || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") {
        return;
      }
      if (e.key === "Enter") {
        e.preventDefault();
        self.finish();
      } else if (e.key === "Escape") {
        e.preventDefault();
        self.cancel(false);
      } else if (e.key === "Backspace" || e.key === "Delete") {
        e.preventDefault();
        self.undo();
      }
    });
    Array.prototype.forEach.call(this.kindInputs, function (input) {
      input.addEventListener("change", function () { self.switchKind(); });
    });
    this.target.addEventListener("change", function () {
      var fc = parseJson(self.target.value);
      if (fc) {
        self.load(fc, true);
      }
    });
    if (this.fileInput) {
      this.fileInput.addEventListener("change", function () {
        var file = self.fileInput.files && self.fileInput.files[0];
        if (!file || typeof FileReader === "undefined") {
          return;
        }
        var reader = new FileReader();
        reader.onload = function () {
          var fc = parseJson(String(reader.result));
          if (fc && kindOfCollection(fc) === self.kind) {
            self.load(fc, true);
            self.say(self.root.getAttribute("data-msg-file"));
          }
        };
        reader.readAsText(file);
      });
    }
  };

  function init(root) {
    if (root.getAttribute("data-pg-map-ready") || typeof L === "undefined") {
      return;
    }
    root.setAttribute("data-pg-map-ready", "true");
    root.hidden = false;
    var drawer = new Drawer(root);
    drawer.markErrors();
    drawer.bind();
    drawer.switchKind();
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pg-draw-map]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
