/* The mobilisation map: enhances the table of communes with a Leaflet map.
 *
 * Without JavaScript the map block stays hidden and the page is the table. The map is
 * built from the table itself (each row carries its commune's position and figures in
 * data- attributes), so the two never disagree, and the page holds no inline script (CSP).
 *
 * Each commune gets up to two markers: a full disc for its needs (sized by the units
 * requested) and a ring for its producers (sized by the units produced); the shape, not
 * only the colour, tells them apart. Markers are focusable buttons with a text
 * alternative read from the table (commune, column titles and figures); Tab reaches
 * them, Enter opens a popup with the figures and reads them in the status line, Escape
 * closes it and gives the focus back to the marker.
 *
 * Speed (the 2020 campaign has about 730 markers): the view is set from the positions
 * before any marker exists, so each is placed once; markers are added by batches, one per
 * animation frame, and the status line tells the progress.
 */
(function () {
  "use strict";

  var block = document.getElementById("carte-bloc");
  var container = document.getElementById("carte");
  var status = document.getElementById("carte-etat");
  if (!block || !container || !status || typeof window.L === "undefined" || !window.KenlabourMaps) {
    return;
  }
  var L = window.L;
  var data = container.dataset;
  var table = document.getElementById(data.table);

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function say(text) {
    status.textContent = text;
  }

  block.hidden = false;
  say(status.dataset.loading);

  // No view yet: it is set once, from the markers' positions (below).
  var map = L.map(container, { zoomControl: false, scrollWheelZoom: false });
  L.control.zoom({ zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut }).addTo(map);
  function addTiles() {
    window.KenlabourMaps.tiles(map, container);
  }

  // Column key -> [column title, position in the row].
  var columns = {};
  if (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, position) {
      if (cell.dataset.column) {
        columns[cell.dataset.column] = [cell.textContent.trim(), position];
      }
    });
  }

  function figures(row, keys) {
    return keys.map(function (key) {
      var column = columns[key];
      return [column[0], row.cells[column[1]].textContent.trim()];
    });
  }

  function diameter(value, max) {
    if (!max || !value) {
      return 12;
    }
    return Math.round(12 + 36 * Math.sqrt(value / max));
  }

  function popupContent(title, lines) {
    var wrapper = document.createElement("div");
    var heading = document.createElement("p");
    heading.className = "map-popup-title";
    heading.tabIndex = -1;
    heading.textContent = title;
    wrapper.appendChild(heading);
    var list = document.createElement("dl");
    lines.forEach(function (line) {
      var term = document.createElement("dt");
      term.textContent = line[0];
      var value = document.createElement("dd");
      value.textContent = line[1];
      list.appendChild(term);
      list.appendChild(value);
    });
    wrapper.appendChild(list);
    return wrapper;
  }

  function addMarker(latLng, kind, size, title, lines, layers, group) {
    var label =
      title +
      " — " +
      lines
        .map(function (line) {
          return line[0] + " : " + line[1];
        })
        .join(", ");
    var marker = L.marker(latLng, {
      icon: L.divIcon({
        className: "figures-marker figures-marker-" + kind,
        iconSize: [size, size],
        html: "",
      }),
      title: label,
      keyboard: true,
      // The small ones above the large ones, so every marker can be reached by pointer.
      zIndexOffset: (kind === "producer" ? 200 : 0) - size,
    });
    marker.bindPopup(popupContent(title, lines), { closeButton: true });
    marker.on("popupopen", function (event) {
      say(label);
      var heading = event.popup.getElement().querySelector(".map-popup-title");
      if (heading) {
        heading.focus();
      }
    });
    marker.on("popupclose", function (event) {
      // The popup fades out: it may still hold the focus when this runs.
      var active = document.activeElement;
      var popup = event.popup.getElement();
      if (
        !active ||
        active === document.body ||
        !document.body.contains(active) ||
        (popup && popup.contains(active))
      ) {
        var element = marker.getElement();
        if (element) {
          element.focus();
        }
      }
    });
    marker.on("add", function () {
      var element = marker.getElement();
      element.setAttribute("aria-label", label);
    });
    group.addLayer(marker);
    layers.push(marker);
  }

  // Escape closes the open popup wherever the focus is in the map (Leaflet only listens
  // while the map itself has the focus); the marker then gets it back (popupclose).
  container.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      map.closePopup();
    }
  });

  // What each marker will show, read from the table at once.
  var specs = [];
  var maxRequested = Number(data.maxRequested);
  var maxProduced = Number(data.maxProduced);
  if (table) {
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var latLng = [Number(row.dataset.latitude), Number(row.dataset.longitude)];
      var place = row.cells[0].textContent.trim() + " (" + row.cells[1].textContent.trim() + ")";
      if (Number(row.dataset.requested) > 0) {
        specs.push([
          latLng,
          "need",
          diameter(Number(row.dataset.requested), maxRequested),
          place + " : " + data.needLabel,
          figures(row, ["needs", "requested", "confirmed"]),
        ]);
      }
      if (Number(row.dataset.producers) > 0) {
        specs.push([
          latLng,
          "producer",
          diameter(Number(row.dataset.produced), maxProduced),
          place + " : " + data.producerLabel,
          figures(row, ["producers", "produced"]),
        ]);
      }
    });
  }
  if (!specs.length) {
    map.setView([48.1, -2.9], 8);
    addTiles();
    say(status.dataset.empty);
    return;
  }
  // The view first, from the positions: markers are then placed once, not moved again.
  map.fitBounds(
    L.latLngBounds(
      specs.map(function (spec) {
        return spec[0];
      })
    ),
    { maxZoom: 11, padding: [20, 20] }
  );
  addTiles();
  // Hundreds of markers: added by batches, one per frame, so that the page stays
  // responsive and the status line tells how far the map is.
  var group = L.layerGroup().addTo(map);
  var layers = [];
  var BATCH = 150;
  var next = 0;
  function addBatch() {
    var end = Math.min(next + BATCH, specs.length);
    for (; next < end; next += 1) {
      var spec = specs[next];
      addMarker(spec[0], spec[1], spec[2], spec[3], spec[4], layers, group);
    }
    if (next < specs.length) {
      say(format(status.dataset.progress, { done: next, count: specs.length }));
      window.requestAnimationFrame(addBatch);
    } else {
      say(format(status.dataset.many, { count: layers.length }));
    }
  }
  addBatch();
})();
