// The grid map (Leaflet, vendored). No inline script: the page hands everything over in
// data- attributes of #map. Modes: the centre's map coloured by an indicator over its
// communities' outlines (a doctor also gets the team's households and open events), one
// grid's map, and placing a household (data-pick). Vector-only unless the settings name
// a tile server.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var d = el.dataset;
  var map = L.map(el, { zoomSnap: 0.5, preferCanvas: false, attributionControl: !!d.tiles });
  window.healthgridMap = map;
  if (d.tiles) {
    L.tileLayer(d.tiles, { attribution: d.attribution || "", maxZoom: 19 }).addTo(map);
  }
  map.setView([39.92, 116.48], 12);
  var status = document.getElementById("map-status");
  function say(text) { if (status) { status.textContent = text; } }
  function esc(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }
  function pct(v) { return v == null ? d.tNodata : (v * 100).toFixed(1) + "%"; }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }
  var gridLayer = null;
  var gridsById = {};

  function gridTip(p) {
    var lines = ["<b>" + esc(p.name) + "</b>", esc(p.community)];
    lines.push(esc(d.tTeam) + "：" + esc(p.team || "—"));
    lines.push(esc(d.tPopulation) + "：" + esc(p.population));
    if (!d.pick) {
      lines.push(esc(d.tValue) + "：" + pct(p.value) + "（" + esc(d.tTarget) + " " +
                 pct(p.target) + "）" + (p.met === true ? " ✓ " + esc(d.tMet)
                 : p.met === false ? " ✗ " + esc(d.tNotmet) : ""));
    }
    return lines.join("<br>");
  }

  function drawGrids(data) {
    if (gridLayer) { map.removeLayer(gridLayer); }
    gridsById = {};
    gridLayer = L.geoJSON(data, {
      style: function (f) {
        var mine = d.single && String(f.properties.grid_id) === d.single;
        return { color: "#333", weight: mine ? 3 : 1,
                 fillColor: d.pick ? "#4a90d9" : f.properties.colour,
                 fillOpacity: d.pick ? 0.12 : 0.55 };
      },
      onEachFeature: function (f, layer) {
        gridsById[f.properties.grid_id] = layer;
        layer.bindTooltip(gridTip(f.properties), { sticky: true });
        if (!d.single && !d.pick) {
          layer.on("click", function () {
            if (window.healthgridEditing) { return; }
            window.location.href = d.dashboard + "?scope=grid:" + f.properties.grid_id +
              (d.period ? "&period=" + encodeURIComponent(d.period) : "");
          });
        }
      }
    }).addTo(map);
    // Vector-only base: the grids' names are the map's labels (when they fit).
    if (data.features.length <= 60) {
      data.features.forEach(function (f) {
        var layer = gridsById[f.properties.grid_id];
        L.tooltip({ permanent: true, direction: "center", className: "grid-label", interactive: false })
          .setLatLng(layer.getCenter()).setContent(esc(f.properties.name)).addTo(map);
      });
    }
    var legend = document.getElementById("legend-target");
    if (legend && data.target != null) {
      legend.textContent = esc(d.tTarget) + (data.lower_is_better ? " ≤ " : " ≥ ") +
        (data.target * 100).toFixed(0) + "% · " + data.period;
    }
    var focus = d.single && gridsById[d.single] ? gridsById[d.single] : gridLayer;
    if (data.features.length) { map.fitBounds(focus.getBounds(), { padding: [12, 12] }); }
    el.dataset.loaded = String(data.features.length);
    return data;
  }

  // The communities' outlines lie in a pane of their own under the grids (Leaflet's
  // overlay pane is 400), so the grids stay clickable and coloured on top of them.
  function drawCommunities(data) {
    map.createPane("communities").style.zIndex = 390;
    L.geoJSON(data, {
      pane: "communities", interactive: false,
      style: function () { return { color: "#1d2733", weight: 4, opacity: 0.85, fill: false }; }
    }).addTo(map);
    data.features.forEach(function (f) {
      var at = f.properties.label_point;
      L.tooltip({ permanent: true, direction: "center", className: "community-label",
                  interactive: false })
        .setLatLng([at[1], at[0]]).setContent(esc(f.properties.name)).addTo(map);
    });
    el.dataset.communities = String(data.features.length);
  }

  function householdLayer(gridId) {
    return getJSON(d.households + "?grid_id=" + gridId).then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          var p = f.properties;
          var colour = p.due === "overdue" ? "#d73027" : p.due === "due_soon" ? "#fc8d59" : "#2c7bb6";
          return L.circleMarker(latlng, { radius: p.due ? 6 : 4, color: p.outside ? "#000" : colour,
                                          weight: p.outside ? 2 : 1, fillColor: colour, fillOpacity: 0.9,
                                          className: "hh hh-" + (p.due || "plain") });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          var text = "<b>" + esc(p.address) + "</b><br>" + esc(p.head || "") + " · " +
            esc(p.residents) + " " + esc(d.tResidents);
          if (p.due === "overdue") { text += "<br>" + esc(d.tOverdue); }
          if (p.due === "due_soon") { text += "<br>" + esc(d.tDuesoon); }
          if (p.outside) { text += "<br>" + esc(d.tOutside); }
          text += '<br><a href="' + d.locate.replace("/0/", "/" + p.household_id + "/") + '">' +
            esc(d.tLocate) + "</a>";
          layer.bindPopup(text);
        }
      }).addTo(map);
      el.dataset.households = String((Number(el.dataset.households) || 0) + data.features.length);
      return layer;
    });
  }

  function eventLayer(gridId) {
    return getJSON(d.events + "?grid_id=" + gridId).then(function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.marker(latlng, { icon: L.divIcon({ className: "event-marker", html: "!",
                                                      iconSize: [22, 22] }) });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(d.tEvent) + "</b><br>" + esc(p.place) +
            (p.deadline ? "<br>" + esc(p.deadline) : ""));
        }
      }).addTo(map);
    });
  }

  function pick() {
    var marker = null;
    var lng = document.getElementById("lng"), lat = document.getElementById("lat");
    var source = document.getElementById("source");
    function put(latlng, how) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.marker(latlng, { draggable: true }).addTo(map);
        marker.on("dragend", function () { put(marker.getLatLng(), "map"); });
      }
      lng.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
      source.value = how;
    }
    if (d.lng && d.lat) { put(L.latLng(Number(d.lat), Number(d.lng)), source.value); }
    map.on("click", function (e) { put(e.latlng, "map"); });
    var gps = document.getElementById("use-gps");
    if (gps) {
      gps.addEventListener("click", function () {
        if (!navigator.geolocation) { alert(d.tNogps); return; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
          put(here, "gps");
          map.setView(here, Math.max(map.getZoom(), 16));
        }, function () { alert(d.tNogps); }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }
  }

  function editor() {
    var form = document.getElementById("boundary-form");
    if (!form || !map.pm) { return; }
    var select = document.getElementById("boundary-grid");
    var field = document.getElementById("boundary-geometry");
    var drawn = null;
    map.pm.setLang(document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en");
    function keep(layer) {
      if (drawn && drawn !== layer) { map.removeLayer(drawn); }
      drawn = layer;
      field.value = JSON.stringify(layer.toGeoJSON().geometry);
      layer.on("pm:edit", function () { field.value = JSON.stringify(layer.toGeoJSON().geometry); });
    }
    function editExisting() {
      var existing = gridsById[select.value];
      if (existing) {
        var copy = L.geoJSON(existing.toGeoJSON(), { style: { color: "#0b57d0", weight: 3, fillOpacity: 0.1 } })
          .getLayers()[0];
        copy.addTo(map);
        copy.pm.enable({ allowSelfIntersection: false });
        keep(copy);
        map.fitBounds(copy.getBounds(), { padding: [30, 30] });
      }
    }
    document.getElementById("draw-start").addEventListener("click", function () {
      window.healthgridEditing = true;
      if (drawn) { map.removeLayer(drawn); drawn = null; field.value = ""; }
      map.pm.enableDraw("Polygon", { allowSelfIntersection: false, snappable: true });
    });
    map.on("pm:create", function (e) {
      window.healthgridEditing = false;
      keep(e.layer);
      e.layer.pm.enable({ allowSelfIntersection: false });
    });
    select.addEventListener("change", function () { if (drawn) { map.removeLayer(drawn); drawn = null; } editExisting(); });
    if (d.edit) { window.healthgridEditing = true; editExisting(); }
  }

  if (d.communitiesUrl) {
    getJSON(d.communitiesUrl).then(drawCommunities)
      .catch(function (err) { say(String(err)); el.dataset.communities = "error"; });
  }
  getJSON(d.grids).then(drawGrids).then(function (data) {
    if (d.pick) { pick(); return; }
    if (d.single) {
      householdLayer(d.single);
      eventLayer(d.single);
    } else if (d.doctor === "1") {
      data.features.forEach(function (f) {
        householdLayer(f.properties.grid_id);
        eventLayer(f.properties.grid_id);
      });
    }
    editor();
  }).catch(function (err) { say(String(err)); el.dataset.loaded = "error"; });
})();
