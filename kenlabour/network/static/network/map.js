/* The network map: enhances the list of results with a Leaflet map.
 *
 * Without JavaScript the map block stays hidden and the page is the list. Everything this
 * script needs comes from data- attributes of #carte (GeoJSON address with the page's
 * filters, tile address, translated labels), so the page holds no inline script (CSP).
 *
 * Actors of one commune share its position: they get one marker per place, whose popup
 * lists them. Markers are images with role="button" and a text alternative; Tab reaches
 * them, Enter opens the popup and moves the focus to its first link, Escape closes it and
 * gives the focus back to the marker. Place-less collectives are drawn by their area of
 * action, as light circles (not focusable: they are in the list below). Nearby places are
 * grouped in clusters (buttons named by their count; Enter zooms in), and without tiles the
 * map draws the départements' outline (web/maps.js).
 */
(function () {
  "use strict";

  var block = document.getElementById("carte-bloc");
  var container = document.getElementById("carte");
  var status = document.getElementById("carte-etat");
  if (!block || !container || typeof window.L === "undefined" || !window.KenlabourMaps) {
    return;
  }
  var L = window.L;
  var data = container.dataset;

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

  var centre = [46.6, 2.4];
  var zoom = 5;
  if (data.centre) {
    centre = data.centre.split(",").map(Number);
    zoom = 10;
  }
  var map = L.map(container, { zoomControl: false, scrollWheelZoom: false }).setView(
    centre,
    zoom
  );
  L.control.zoom({ zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut }).addTo(map);
  window.KenlabourMaps.tiles(map, container);
  var placeLayer = window.KenlabourMaps.cluster({ label: data.clusterLabel });
  placeLayer.addTo(map);

  function actorItem(properties) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.name;
    item.appendChild(link);
    var details = [properties.kind];
    if (properties.area) {
      details.push(data.areaLabel + " : " + properties.area);
    }
    if (typeof properties.distance_km === "number") {
      details.push(format(data.distanceLabel, { km: Math.round(properties.distance_km) }));
    }
    item.appendChild(document.createTextNode(" — " + details.join(", ")));
    return item;
  }

  function popupContent(title, features) {
    var wrapper = document.createElement("div");
    var heading = document.createElement("p");
    heading.className = "map-popup-title";
    heading.textContent = title;
    wrapper.appendChild(heading);
    var list = document.createElement("ul");
    features.forEach(function (feature) {
      list.appendChild(actorItem(feature.properties));
    });
    wrapper.appendChild(list);
    return wrapper;
  }

  function focusFirstLink(event) {
    var link = event.popup.getElement().querySelector(".leaflet-popup-content a");
    if (link) {
      link.focus();
    }
  }

  function returnFocus(marker) {
    return function () {
      var active = document.activeElement;
      if (!active || active === document.body || !document.body.contains(active)) {
        var icon = marker.getElement();
        if (icon) {
          icon.focus();
        }
      }
    };
  }

  function addPlaces(features, layers) {
    var places = {};
    var order = [];
    features.forEach(function (feature) {
      var key = feature.geometry.coordinates.join(",");
      if (!places[key]) {
        places[key] = [];
        order.push(key);
      }
      places[key].push(feature);
    });
    order.forEach(function (key) {
      var group = places[key];
      var first = group[0];
      var coordinates = first.geometry.coordinates;
      var place = first.properties.place;
      var label =
        group.length === 1
          ? first.properties.name + (place ? " — " + place : "")
          : format(data.groupLabel, { place: place, count: group.length });
      var marker = L.marker([coordinates[1], coordinates[0]], {
        alt: label,
        title: label,
        keyboard: true,
        riseOnHover: true,
      });
      marker.bindPopup(popupContent(label, group), { closeButton: true });
      marker.on("popupopen", focusFirstLink);
      marker.on("popupclose", returnFocus(marker));
      placeLayer.addLayer(marker);
      layers.push(marker);
    });
    return order.length;
  }

  function addAreas(features, layers) {
    features.forEach(function (feature) {
      var coordinates = feature.geometry.coordinates;
      var circle = L.circle([coordinates[1], coordinates[0]], {
        radius: feature.properties.radius,
        color: "#1d5f8a",
        weight: 1,
        fillOpacity: 0.08,
        interactive: true,
      });
      circle.bindPopup(popupContent(feature.properties.name, [feature]));
      circle.addTo(map);
      layers.push(circle);
    });
  }

  fetch(data.geojsonUrl, {
    credentials: "same-origin",
    headers: { Accept: "application/geo+json" },
  })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (collection) {
      var placed = [];
      var areas = [];
      collection.features.forEach(function (feature) {
        (feature.properties.radius ? areas : placed).push(feature);
      });
      var layers = [];
      addAreas(areas, layers);
      var count = addPlaces(placed, layers);
      window.KenlabourMaps.fit(map, layers);
      if (!count && !areas.length) {
        say(status.dataset.empty);
      } else if (count === 1) {
        say(status.dataset.one);
      } else {
        say(format(status.dataset.many, { count: count }));
      }
    })
    .catch(function (error) {
      say(status.dataset.error);
      if (window.console) {
        window.console.error(error);
      }
    });
})();
