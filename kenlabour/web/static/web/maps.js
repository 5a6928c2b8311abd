/* What every map of the platform shares (window.KenlabourMaps), for the scripts of the
 * network, the mobilisation and the lab.
 *
 * - `tiles(map, container)`: the tile layer from the container's data-tile-url; when the
 *   tile server cannot be reached (a tile fails, or none has come after a few seconds),
 *   the outline of the départements (data-outline-url, shipped with the platform, drawn
 *   from the gazetteer) is drawn instead, with their names, and a line above the map says
 *   so (data-outline-message).
 * - `cluster(options)`: a marker cluster group (the vendored Leaflet.markercluster) whose
 *   clusters are buttons named by their count ("12 lieux : zoomer"), reached by Tab and
 *   opened by Enter; a plain layer group when the plugin is absent.
 * - `fit(map, layers)`: fit the map to what it shows.
 *
 * Nothing here writes HTML from data: names go into the page as text.
 */
(function () {
  "use strict";

  if (typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var TILE_WAIT_MS = 4000;

  // The départements' names, as plain text in a pane of their own (neither markers nor
  // tooltips: nothing to reach by keyboard, nothing a test of the markers would count).
  var OutlineLabels = L.Layer.extend({
    initialize: function (features) {
      this._features = features;
    },
    onAdd: function (map) {
      var pane = map.getPane("outlineLabels") || map.createPane("outlineLabels");
      this._labels = this._features.map(function (feature) {
        var label = L.DomUtil.create("span", "map-outline-label", pane);
        label.textContent = feature.properties.name;
        var coordinates = feature.geometry.coordinates;
        return [label, L.latLng(coordinates[1], coordinates[0])];
      });
      map.on("zoomend viewreset", this._place, this);
      this._place();
    },
    onRemove: function (map) {
      this._labels.forEach(function (pair) {
        L.DomUtil.remove(pair[0]);
      });
      map.off("zoomend viewreset", this._place, this);
    },
    _place: function () {
      var map = this._map;
      this._labels.forEach(function (pair) {
        L.DomUtil.setPosition(pair[0], map.latLngToLayerPoint(pair[1]));
      });
    },
  });

  // Below this zoom the départements' names would cover each other: only their borders.
  var LABELS_FROM_ZOOM = 7;

  function outline(map, container) {
    function labelsForZoom() {
      container.classList.toggle("map-outline-unlabelled", map.getZoom() < LABELS_FROM_ZOOM);
    }
    var url = container.dataset.outlineUrl;
    if (!url || container.dataset.outlineShown) {
      return;
    }
    container.dataset.outlineShown = "1";
    container.classList.add("map-without-tiles");
    if (container.dataset.outlineMessage) {
      var note = document.createElement("p");
      note.className = "muted map-note";
      note.setAttribute("role", "status");
      note.textContent = container.dataset.outlineMessage;
      container.parentNode.insertBefore(note, container);
    }
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (collection) {
        if (!collection) {
          return;
        }
        L.geoJSON(collection, {
          interactive: false,
          filter: function (feature) {
            return feature.properties.kind === "border";
          },
          style: { color: "#4b5563", weight: 1.5, opacity: 0.9 },
        }).addTo(map);
        new OutlineLabels(
          collection.features.filter(function (feature) {
            return feature.properties.kind === "label";
          })
        ).addTo(map);
        labelsForZoom();
        map.on("zoomend", labelsForZoom);
      })
      .catch(function () {});
  }

  function tiles(map, container) {
    var loaded = false;
    var layer = L.tileLayer(container.dataset.tileUrl, {
      maxZoom: 18,
      attribution: container.dataset.tileAttribution,
    });
    layer.on("tileload", function () {
      loaded = true;
    });
    layer.on("tileerror", function () {
      outline(map, container);
    });
    layer.addTo(map);
    window.setTimeout(function () {
      if (!loaded) {
        outline(map, container);
      }
    }, TILE_WAIT_MS);
    return layer;
  }

  function clusterIcon(label) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var text = document.createElement("span");
      text.setAttribute("aria-hidden", "true");
      text.textContent = String(count);
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = label.replace("%(count)s", String(count));
      var html = document.createElement("span");
      html.appendChild(text);
      html.appendChild(hidden);
      var size = count < 10 ? 34 : count < 100 ? 40 : 46;
      return L.divIcon({
        html: html,
        className: "map-cluster",
        iconSize: L.point(size, size),
      });
    };
  }

  function cluster(options) {
    options = options || {};
    if (typeof L.markerClusterGroup !== "function") {
      return L.layerGroup();
    }
    var group = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      // At street level every place has its own marker.
      disableClusteringAtZoom: 13,
      iconCreateFunction: clusterIcon(options.label || "%(count)s"),
    });
    // A cluster's icon is a marker's: reached by Tab, Enter zooms in (Leaflet's click).
    return group;
  }

  function fit(map, layers, maxZoom) {
    if (!layers.length) {
      return false;
    }
    map.fitBounds(L.featureGroup(layers).getBounds(), {
      maxZoom: maxZoom || 12,
      padding: [20, 20],
    });
    return true;
  }

  window.KenlabourMaps = { tiles: tiles, cluster: cluster, fit: fit };
})();
