/* The map of a matching proposal: one line from each producer to the need it serves.
 *
 * Without JavaScript the block stays hidden: the table below is the proposal. The lines
 * come from the JSON data block #lignes-carte (no inline script, CSP); each line has a
 * text alternative in its tooltip, and the same information is in the table.
 *
 * Labels hold what requesters typed on the public form: they go into the DOM as text
 * nodes only (Leaflet would read a string tooltip as HTML).
 */
(function () {
  "use strict";

  var block = document.getElementById("carte-bloc");
  var container = document.getElementById("carte");
  var source = document.getElementById("lignes-carte");
  if (!block || !container || !source || typeof window.L === "undefined" || !window.KenlabourMaps) {
    return;
  }
  var L = window.L;
  var lines = JSON.parse(source.textContent);
  block.hidden = false;
  var map = L.map(container, { scrollWheelZoom: false });
  window.KenlabourMaps.tiles(map, container);
  var bounds = [];
  function text(value) {
    var element = document.createElement("span");
    element.textContent = value;
    return element;
  }
  lines.forEach(function (line) {
    L.polyline([line.from, line.to], { weight: 2, color: "#1d4ed8" })
      .bindTooltip(text(line.label))
      .addTo(map);
    L.circleMarker(line.from, { radius: 4, color: "#065f46" }).addTo(map);
    L.circleMarker(line.to, { radius: 4, color: "#9a3412" }).addTo(map);
    bounds.push(line.from, line.to);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [20, 20] });
  }
})();
