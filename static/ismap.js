/* ISMap: draws the map's layers from fetched JSON and filters them by date in the browser.
 * Every text from data is put on the page with textContent, never as HTML. */
(function () {
  "use strict";

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var ISMap = { layers: {}, refs: {}, state: null, server: null, month: null, months: [], ready: false, steps: 0 };
  window.ISMap = ISMap;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatDate(iso, precision) {
    if (!iso) return "";
    var y = iso.slice(0, 4), m = parseInt(iso.slice(5, 7), 10), d = parseInt(iso.slice(8, 10), 10);
    if (precision === "year") return y;
    if (precision === "month") return MONTHS[m - 1] + " " + y;
    return d + " " + MONTHS[m - 1] + " " + y;
  }

  function safeHref(address) {
    return /^https?:\/\//i.test(String(address || "")) ? String(address) : null;
  }

  function number(value) {
    if (value === null || value === undefined || value === "") return "not known";
    return Number(value).toLocaleString("en-GB");
  }

  var LABELS = {
    attack: "attack carried out", failed: "attack attempted, failed", foiled: "plot foiled",
    civilians: "civilians in public space", police_military: "police or military", religious_site: "religious site",
    jewish_community: "Jewish community", transport: "transport", venue_event: "venue or event", officials: "officials",
    unknown: "not made public",
    is_claim: "IS claim", official: "official attribution", court: "court finding", pledge: "documented pledge",
    media: "media report of investigators' findings",
    affiliated: "pledged group (before IS named a province)", active: "active province",
    degraded: "degraded (lost its ground or most fighters)", dormant: "dormant (little or no claimed activity)",
    ended: "ended"
  };

  var QUALIFIERS = { fewer_than: "fewer than ", about: "about ", at_least: "at least ", up_to: "up to ", more_than: "more than " };

  function strengthText(s) {
    var range = s.high !== null && s.high !== undefined && s.high !== s.low ? number(s.low) + "–" + number(s.high) : number(s.low);
    return (QUALIFIERS[s.qualifier] || "") + range + " (" + formatDate(s.as_of, s.as_of_precision) + ")";
  }

  // Estimates up to the map date.
  function strengthUpTo(list, date) {
    return (list || []).filter(function (s) { return !date || s.as_of <= date; });
  }

  // A small series of the estimates (low-high bars, a dot at each midpoint) up to the map date, as SVG.
  function strengthChart(list, date) {
    var known = strengthUpTo(list, date).filter(function (s) { return s.low !== null && s.low !== undefined; });
    if (known.length < 2) return null;
    var svgNS = "http://www.w3.org/2000/svg", w = 220, h = 56, pad = 6;
    var t0 = Date.parse(known[0].as_of), t1 = Date.parse(known[known.length - 1].as_of);
    var top = Math.max.apply(null, known.map(function (s) { return s.high || s.low; }));
    var svg = document.createElementNS(svgNS, "svg");
    svg.setAttribute("width", String(w)); svg.setAttribute("height", String(h));
    svg.setAttribute("class", "ismap-strength-chart");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Strength estimates up to the map date: " + known.map(strengthText).join("; "));
    function x(s) { return pad + (t1 > t0 ? (Date.parse(s.as_of) - t0) / (t1 - t0) : 0.5) * (w - 2 * pad); }
    function y(v) { return h - pad - (v / top) * (h - 2 * pad); }
    known.forEach(function (s) {
      var line = document.createElementNS(svgNS, "line"), hi = s.high || s.low;
      line.setAttribute("x1", String(x(s))); line.setAttribute("x2", String(x(s)));
      line.setAttribute("y1", String(y(s.low))); line.setAttribute("y2", String(y(hi)));
      line.setAttribute("stroke", "#0072B2"); line.setAttribute("stroke-width", "3");
      svg.appendChild(line);
      var dot = document.createElementNS(svgNS, "circle");
      dot.setAttribute("cx", String(x(s))); dot.setAttribute("cy", String(y((s.low + hi) / 2)));
      dot.setAttribute("r", "2.5"); dot.setAttribute("fill", "#000");
      svg.appendChild(dot);
    });
    var caption = document.createElementNS(svgNS, "text");
    caption.setAttribute("x", String(pad)); caption.setAttribute("y", "10"); caption.setAttribute("font-size", "9");
    caption.textContent = "max " + number(top) + " fighters";
    svg.appendChild(caption);
    return svg;
  }

  function countryName(iso3) {
    var names = (ISMap.cfg && ISMap.cfg.countries) || {};
    return iso3 && names[iso3] ? names[iso3] : (iso3 || "");
  }

  function label(value) {
    return Object.prototype.hasOwnProperty.call(LABELS, value) ? LABELS[value] : String(value);
  }

  function statusOn(events, date) {
    var status = "active";
    (events || []).forEach(function (e) { if (e.date <= date) status = e.status_after; });
    return status;
  }

  function fieldValue(field, props, state) {
    var v = props[field.prop];
    switch (field.format) {
      case "date":
        if (!v) return field.prop === "end" ? "still true on the record" : "";
        return formatDate(v, props[field.prop + "_precision"]) +
          (props[field.prop + "_precision"] && props[field.prop + "_precision"] !== "day" ? " (precision: " + props[field.prop + "_precision"] + ")" : "");
      case "number": return number(v);
      case "victims":
        if (props.outcome === "foiled") return "";
        return v === null || v === undefined || v === "" ? "not reported" : number(v);
      case "label": return v === null || v === undefined ? "" : label(v);
      case "country": return countryName(v);
      case "labels": return (v || []).map(label).join(", ");
      case "km2": return v === null || v === undefined ? "" : number(Math.round(v)) + " km²";
      case "list": return (v || []).join(", ");
      case "status": return statusOn(v, state ? state.date : "9999");
      case "strength":
        return (v || []).map(strengthText).join("; ");
      case "strength_latest":
        var upTo = strengthUpTo(v, state ? state.date : null);
        return upTo.length ? strengthText(upTo[upTo.length - 1]) + (upTo.length > 1 ? " · " + upTo.length + " estimates so far" : "") : "";
      case "strength_series": return "";  // drawn as a chart by popupContent
      case "rivals": return (v || []).map(function (r) { return r.rival; }).join(", ");
      case "rivals_then":
        var day = state ? state.date : "9999-12-31";
        return (v || []).filter(function (r) { return (!r.start || r.start <= day) && (!r.end || r.end > day); })
          .map(function (r) { return r.rival; }).join(", ");
      case "countries": return (v || []).map(countryName).join(", ");
      case "details":
        return Object.keys(v || {}).map(function (k) { return k + ": " + v[k]; }).join(" · ");
      case "events":
        return (v || []).map(function (e) { return formatDate(e.date, e.date_precision) + ": " + e.detail; }).join(" · ");
      default:
        return v === null || v === undefined ? "" : String(v);
    }
  }

  function sourcesList(refIds) {
    var list = el("ol", "ismap-sources");
    (refIds || []).forEach(function (id) {
      var ref = ISMap.refs[id];
      var item = el("li");
      if (!ref) { item.textContent = id; list.appendChild(item); return; }
      var href = safeHref(ref.address);
      var title = el(href ? "a" : "span", null, ref.title);
      if (href) { title.href = href; title.target = "_blank"; title.rel = "noopener noreferrer"; }
      item.appendChild(title);
      item.appendChild(document.createTextNode(" — " + ref.publisher + ", " + ref.date));
      list.appendChild(item);
    });
    return list;
  }

  function popupContent(def, props) {
    var box = el("div", "ismap-popup");
    box.appendChild(el("div", "ismap-kind", def.kindLabel));
    box.appendChild(el("div", "ismap-title", props[def.titleProp]));
    var table = el("dl", "ismap-fields");
    def.fields.forEach(function (field) {
      if (field.format === "strength_series") {
        var chart = strengthChart(props[field.prop], ISMap.state ? ISMap.state.date : null);
        if (!chart) return;
        table.appendChild(el("dt", null, field.label));
        var dd = el("dd");
        dd.appendChild(chart);
        table.appendChild(dd);
        return;
      }
      var text = fieldValue(field, props, ISMap.state);
      if (text === "" || text === null) return;
      table.appendChild(el("dt", null, field.label));
      table.appendChild(el("dd", null, text));
    });
    box.appendChild(table);
    if (props.refs) {
      box.appendChild(el("div", "ismap-sources-title", "Sources"));
      box.appendChild(sourcesList(props.refs));
    }
    return box;
  }

  function tooltipContent(def, props) {
    var box = el("div", "ismap-tip");
    box.appendChild(el("strong", null, props[def.titleProp]));
    var line = def.id === "plots" ? formatDate(props.date, props.date_precision) + " · " + label(props.outcome) + " · " + props.province
      : def.id === "territory" ? "held " + formatDate(props.start, props.start_precision) + " – " + (props.end ? formatDate(props.end, props.end_precision) : "")
      : def.id === "user" ? (props.start ? formatDate(props.start, "day") + (props.end ? " – " + formatDate(props.end, "day") : "") : "no dates")
      : label(props.phase) + " since " + formatDate(props.start, props.start_precision);
    box.appendChild(el("div", null, line));
    return box;
  }

  function bindInfo(layer, def, props) {
    layer.bindTooltip(function () { return tooltipContent(def, props); }, { sticky: true, className: "ismap-tooltip" });
    layer.bindPopup(function () { popupPadding(); return popupContent(def, props); }, popupOptions());
  }

  // Popups pan clear of the time bar (bottom) and the legend (top right). One padding point shared by every popup,
  // measured as a popup opens (its content function runs before Leaflet pans): reading the bar's height as each
  // feature's layers were made forced a layout each time, which was most of a step at 10x the data.
  var POPUP_PAD_TL = L.point(16, 16), POPUP_PAD_BR = L.point(60, 24);
  function popupPadding() {
    var bar = ISMap.timebar && ISMap.timebar.element ? ISMap.timebar.element.offsetHeight : 0;
    POPUP_PAD_BR.y = bar + 24;
  }
  function popupOptions() {
    return { maxWidth: 380, className: "ismap-popup-wrap", autoPanPaddingTopLeft: POPUP_PAD_TL,
             autoPanPaddingBottomRight: POPUP_PAD_BR };
  }

  // A province's label: to the right of its dot and centred on it by CSS (`translate: 0 -50%` in ismap.css), so
  // placing it reads no size. Leaflet's tooltip measured each label as it was added, a forced layout a label.
  var LabelTooltip = L.Tooltip.extend({
    _setPosition: function (pos) {
      var offset = L.point(this.options.offset), anchor = this._getAnchor();
      L.DomUtil.addClass(this._container, "leaflet-tooltip-right");
      L.DomUtil.setPosition(this._container, pos.add(L.point(offset.x + anchor.x, anchor.y + offset.y, true)));
    }
  });

  function arrowIcon(map, coords) {
    var n = coords.length;
    var a = map.project([coords[n - 2][1], coords[n - 2][0]], 0), b = map.project([coords[n - 1][1], coords[n - 1][0]], 0);
    var angle = Math.atan2(b.y - a.y, b.x - a.x) * 180 / Math.PI;
    var svg = '<svg width="14" height="14" viewBox="-7 -7 14 14" style="transform: rotate(' + angle.toFixed(1) +
      'deg)"><path d="M -6 -5 L 6 0 L -6 5 z" /></svg>';
    return L.divIcon({ className: "ismap-arrow", html: svg, iconSize: [14, 14], iconAnchor: [7, 7] });
  }

  // Each layer draws in its own pane, stacked so the most specific is on top and clickable: provinces (wide
  // operating areas) lowest, then the ground IS held, then plots, then the user's own layer.
  var PANES = { affiliates: 380, territory: 390, plots: 410, user: 420 };

  // Dense layers are drawn on one canvas a pane instead of one SVG element a feature (issue 18): a layer with
  // more than cfg.canvasMin features (the real data's layers have fewer, and keep SVG). The canvas draws the
  // hatch of low-confidence ground with the same tint and lines as the SVG pattern.
  var DEFAULT_CANVAS_MIN = 4000;
  var canvasPatterns = {};
  function canvasPattern(ctx, o) {
    var key = o.patternColour + "/" + o.patternOpacity;
    if (canvasPatterns[key]) return canvasPatterns[key];
    var tile = document.createElement("canvas");
    tile.width = 7; tile.height = 7;
    var t = tile.getContext("2d");
    t.fillStyle = o.patternColour;
    t.globalAlpha = o.patternOpacity * 0.6; t.fillRect(0, 0, 7, 7);
    t.globalAlpha = Math.min(1, o.patternOpacity * 2.2); t.fillRect(0, 0, 2, 7);
    var pattern = ctx.createPattern(tile, "repeat");
    if (pattern.setTransform && window.DOMMatrix) pattern.setTransform(new DOMMatrix().rotate(45));
    return (canvasPatterns[key] = pattern);
  }
  var PatternCanvas = L.Canvas.extend({
    _fillStroke: function (ctx, layer) {
      var o = layer.options;
      if (!(o.fill && o.patternColour)) { L.Canvas.prototype._fillStroke.call(this, ctx, layer); return; }
      ctx.globalAlpha = 1;
      ctx.fillStyle = canvasPattern(ctx, o);
      ctx.fill(o.fillRule || "evenodd");
      o.fill = false;  // the outline as usual (the fill is done)
      try { L.Canvas.prototype._fillStroke.call(this, ctx, layer); } finally { o.fill = true; }
    },
    // A canvas covers the whole map: left to itself, the top one takes every click, and the features of the panes
    // below (another canvas, or SVG) could not be clicked. Its own events are off; routeCanvasEvents hands each
    // pointer event to the highest pane that has something under the pointer.
    onAdd: function () {
      L.Canvas.prototype.onAdd.call(this);
      this._container.style.pointerEvents = "none";
    }
  });

  function paneZ(el) {
    for (; el && el.classList; el = el.parentNode) {
      if (el.classList.contains("leaflet-pane") && el.style.zIndex) return +el.style.zIndex;
    }
    return -1;
  }
  function canvasHit(renderer, point) {
    var hit = null;
    for (var o = renderer._drawFirst; o; o = o.next) {
      if (o.layer.options.interactive && o.layer._containsPoint(point)) hit = o.layer;
    }
    return hit;
  }
  // The canvas renderer (highest pane first) that has a feature under the pointer, above whatever element the
  // pointer is over (an SVG feature in a higher pane keeps its own events); null if none.
  function canvasUnder(map, e) {
    var list = Object.keys(ISMap.renderers || {}).map(function (k) { return ISMap.renderers[k]; })
      .filter(function (r) { return r._map && r._container; })
      .sort(function (a, b) { return paneZ(b._container) - paneZ(a._container); });
    if (!list.length) return { list: list, hit: null };
    var point = map.mouseEventToLayerPoint(e), above = paneZ(e.target);
    for (var i = 0; i < list.length; i++) {
      if (paneZ(list[i]._container) < above) break;
      if (canvasHit(list[i], point)) return { list: list, hit: list[i] };
    }
    return { list: list, hit: null };
  }
  function routeCanvasEvents(map) {
    var box = map.getContainer();
    ["click", "dblclick", "contextmenu"].forEach(function (type) {
      box.addEventListener(type, function (e) {
        var under = canvasUnder(map, e);
        if (!under.hit) return;
        under.hit._onClick(e);
        e.stopPropagation();  // the canvas's feature had it (as its own canvas listener would have)
      }, true);
    });
    box.addEventListener("mousemove", function (e) {
      var under = canvasUnder(map, e);
      under.list.forEach(function (r) {
        if (r === under.hit) r._onMouseMove(e);
        else if (r._hoveredLayer) r._handleMouseOut(e);
      });
    }, true);
  }
  function rendererFor(def, count) {
    var min = ISMap.cfg && ISMap.cfg.canvasMin !== undefined && ISMap.cfg.canvasMin !== null ? ISMap.cfg.canvasMin : DEFAULT_CANVAS_MIN;
    if (count <= min || !PANES[def.id]) return null;
    ISMap.renderers = ISMap.renderers || {};
    return ISMap.renderers[def.id] || (ISMap.renderers[def.id] = new PatternCanvas({ pane: "ismap-" + def.id, padding: 0.3 }));
  }

  function createPanes(map) {
    Object.keys(PANES).forEach(function (id) { map.createPane("ismap-" + id).style.zIndex = PANES[id]; });
  }

  // Properties the payload keeps once per key (a branch's history): copied back onto every feature of that key.
  function shareBack(def, features) {
    if (!def.shared || !def.shared.length) return features;
    var first = {};
    features.forEach(function (f) {
      var key = f.properties[def.shareKey];
      if (key === null || key === undefined) return;
      if (!(key in first)) { first[key] = f.properties; return; }
      def.shared.forEach(function (name) {
        if (!(name in f.properties)) f.properties[name] = first[key][name];
      });
    });
    return features;
  }

  function buildLayers(map, def, feature) {
    var props = feature.properties;
    var style = def.styles[props._style] || {};
    var pane = PANES[def.id] ? "ismap-" + def.id : "overlayPane";
    var renderer = def.renderer || undefined;  // a canvas for a dense layer (rendererFor), else Leaflet's SVG
    var layer;
    var marker = null;
    if (def.id === "plots") {
      var coords = feature.geometry.coordinates;
      var line = L.geoJSON(feature, { pane: pane, renderer: renderer, style: function () { return style; } });
      var head = L.marker([coords[coords.length - 1][1], coords[coords.length - 1][0]], {
        icon: arrowIcon(map, coords), interactive: false, keyboard: false
      });
      head.on("add", function () { var e = head.getElement(); if (e) e.style.color = style.color; });
      layer = L.featureGroup([line, head]);
      bindInfo(line, def, props);
      var dot = el("div", "ismap-target-dot");
      dot.style.background = style.color;
      marker = L.marker([props.target_lat, props.target_lon], {
        icon: L.divIcon({ html: dot, className: "ismap-target", iconSize: [12, 12], iconAnchor: [6, 6] }),
        keyboard: true, title: ""
      });
      marker.plotOutcome = props.outcome;
      bindInfo(marker, def, props);
    } else {
      layer = L.geoJSON(feature, {
        pane: pane, renderer: renderer,
        style: function () { return style; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, L.extend({ pane: pane, renderer: renderer }, style)); }
      });
      bindInfo(layer, def, props);
      if (def.id === "affiliates") {
        var label = L.circleMarker([props.anchor_lat, props.anchor_lon], {
          radius: 3, color: style.color, fillColor: style.color, fillOpacity: 1, weight: 1
        });
        var rank = { active: 30, degraded: 20, affiliated: 20, dormant: 10 }[props.phase] || 15;
        label.bindTooltip(new LabelTooltip({ permanent: true, direction: "right",
          className: "ismap-label ismap-province-label ismap-rank-" + rank }).setContent(el("span", null, props.name)));
        label.bindPopup(function () { popupPadding(); return popupContent(def, props); }, popupOptions());
        layer = L.featureGroup([layer, label]);
      }
    }
    return { layer: layer, marker: marker };
  }

  // One feature of a layer. Its Leaflet layers are made the first time they are needed (when it is first shown,
  // or read): at 100x the data most features are never drawn in a session, and making them all took seconds.
  function buildItem(map, def, feature) {
    var props = feature.properties, built = null;
    var item = { feature: feature, start: props.start || props.date, end: def.id === "plots" ? props.date : props.end,
                 visible: false };
    function made() { return built || (built = buildLayers(map, def, feature)); }
    Object.defineProperty(item, "layer", { get: function () { return made().layer; } });
    Object.defineProperty(item, "marker", { get: function () { return made().marker; } });
    Object.defineProperty(item, "built", { get: function () { return built !== null; } });
    return item;
  }

  // Items in date order (by start, by end), for a step that only moves the date: only the features whose start
  // or end lies between the two dates can change (sortedRange), so a step touches those, not every feature.
  function dateIndex(entry) {
    if (entry.byStart) return entry;
    function sorted(field) {
      return entry.items.filter(function (item) { return !!item[field]; })
        .sort(function (a, b) { return a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0; });
    }
    entry.byStart = sorted("start");
    entry.byEnd = entry.def.id === "plots" ? [] : sorted("end");
    return entry;
  }

  // Items of `list` (sorted by `field`) with lo <= item[field] <= hi.
  function sortedRange(list, field, lo, hi, out) {
    var a = 0, b = list.length;
    while (a < b) { var m = (a + b) >> 1; if (list[m][field] < lo) a = m + 1; else b = m; }
    for (var i = a; i < list.length && list[i][field] <= hi; i++) out.push(list[i]);
    return out;
  }

  // What a date-only step may change in one layer, from the previous applied state `prev` to `s`.
  function changedItems(entry, prev, s) {
    dateIndex(entry);
    var out = [];
    if (entry.def.id === "plots") {
      sortedRange(entry.byStart, "start", minOf(prev.plots_from, s.plots_from), maxOf(prev.plots_from, s.plots_from), out);
      sortedRange(entry.byStart, "start", minOf(prev.plots_to, s.plots_to), maxOf(prev.plots_to, s.plots_to), out);
      return out;
    }
    var lo = minOf(prev.date, s.date), hi = maxOf(prev.date, s.date);
    sortedRange(entry.byStart, "start", lo, hi, out);
    return sortedRange(entry.byEnd, "end", lo, hi, out);
  }
  function minOf(a, b) { return a < b ? a : b; }
  function maxOf(a, b) { return a < b ? b : a; }


  function inTime(def, item, s) {
    if (def.id === "plots") {
      return item.start >= s.plots_from && item.start <= s.plots_to;
    }
    return (!item.start || item.start <= s.date) && (!item.end || item.end > s.date);
  }

  function matches(list, value) {
    if (!list || list.length === 0) return true;
    if (Array.isArray(value)) return value.some(function (v) { return list.indexOf(v) >= 0; });
    return list.indexOf(value) >= 0;
  }

  function inFilters(def, item, s) {
    var p = item.feature.properties, f = s.filters || {};
    if (def.id === "user") return true;
    if (def.id === "plots") {
      return matches(f.provinces, p.province_id) && matches(f.outcomes, p.outcome) &&
        matches(f.links, p.link) && matches(f.countries, p.country) && matches(f.regions, p.region) &&
        (!(f.min_killed > 0) || (typeof p.killed === "number" && p.killed >= f.min_killed));
    }
    // The target-country filter is about plots only: territory and provinces are never filtered by it.
    if (def.id === "affiliates") return matches(f.provinces, p.province_id || p.id);
    return true;
  }

  function labelsOn(s) {
    if (!ISMap.labels) return;
    ISMap.labels.forEach(function (label) {
      var show = !label.since || label.since <= s.date;
      if (show === label.shown) return;
      if (show) ISMap.labelGroup.addLayer(label.dot); else ISMap.labelGroup.removeLayer(label.dot);
      label.shown = show;
    });
  }

  // Labels never overlap: after a step, a pan or a zoom, labels are kept by rank (provinces by phase, then
  // places), and one that would overlap a kept label is hidden (its dot stays).
  var declutterQueued = false;
  function declutter() {
    if (declutterQueued) return;
    declutterQueued = true;
    window.requestAnimationFrame(function () {
      declutterQueued = false;
      var container = ISMap.map && ISMap.map.getContainer();
      if (!container) return;
      var labels = Array.prototype.slice.call(container.querySelectorAll(".ismap-label"));
      var ranked = labels.map(function (node, i) {
        var m = /ismap-rank-(\d+)/.exec(node.className), rank = m ? parseInt(m[1], 10) : 5;
        node.style.visibility = "";
        return { node: node, rank: rank, order: i, box: node.getBoundingClientRect() };
      }).sort(function (a, b) { return b.rank - a.rank || a.order - b.order; });
      var kept = [], hidden = 0;
      ranked.forEach(function (l) {
        var b = l.box, clash = b.width === 0 || kept.some(function (k) {
          return b.left < k.right && b.right > k.left && b.top < k.bottom && b.bottom > k.top;
        });
        if (clash && b.width > 0) { l.node.style.visibility = "hidden"; hidden += 1; } else if (b.width > 0) kept.push(b);
      });
      container.dataset.labelsHidden = String(hidden);
      container.dataset.labelsShown = String(kept.length);
    });
  }
  ISMap.declutter = declutter;

  // At world zoom (BUNDLE_ZOOM and below) the plots' paths are bundled: one arc per start and target country,
  // as thick as the number of plots it stands for, with the count on hover; zoom in for each plot's own path.
  var BUNDLE_ZOOM = 3;

  function curve(a, b) {
    var n = 17, pts = [], mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2, dx = b[0] - a[0], dy = b[1] - a[1];
    var cx = mx - dy * 0.18, cy = my + dx * 0.18;
    for (var i = 0; i <= n; i++) {
      var t = i / n, u = 1 - t;
      pts.push([u * u * a[1] + 2 * u * t * cy + t * t * b[1], u * u * a[0] + 2 * u * t * cx + t * t * b[0]]);
    }
    return pts;
  }

  function bundlePlots(s) {
    var map = ISMap.map, entry = ISMap.layers.plots;
    if (!entry) return;
    var bundled = map.getZoom() <= BUNDLE_ZOOM;
    if (!ISMap.bundles) ISMap.bundles = L.layerGroup();
    ISMap.bundles.clearLayers();
    if (!bundled || (s.layers && s.layers.plots === false)) {
      if (map.hasLayer(ISMap.bundles)) map.removeLayer(ISMap.bundles);
      if (!map.hasLayer(entry.group)) map.addLayer(entry.group);
      map.getContainer().dataset.bundles = "0";
      return;
    }
    if (map.hasLayer(entry.group)) map.removeLayer(entry.group);
    var groups = {};
    entry.items.forEach(function (item) {
      if (!item.visible) return;
      var c = item.feature.geometry.coordinates, p = item.feature.properties;
      var key = c[0][0].toFixed(2) + "," + c[0][1].toFixed(2) + ">" + p.country;
      var g = groups[key] || (groups[key] = { start: c[0], lon: 0, lat: 0, n: 0, outcomes: {}, country: p.country,
                                               from: p.anchor_name });
      g.lon += p.target_lon; g.lat += p.target_lat; g.n += 1;
      g.outcomes[p.outcome] = (g.outcomes[p.outcome] || 0) + 1;
    });
    var colours = ISMap.outcomeColours || {}, total = 0, keys = Object.keys(groups);
    keys.forEach(function (key) {
      var g = groups[key], end = [g.lon / g.n, g.lat / g.n];
      var main = OUTCOME_ORDER.slice().sort(function (a, b) { return (g.outcomes[b] || 0) - (g.outcomes[a] || 0); })[0];
      var line = L.polyline(curve(g.start, end), { pane: "ismap-plots", color: colours[main] || "#777", opacity: 0.75,
        weight: Math.min(12, 1.5 + 2 * Math.log(g.n) / Math.LN2) });
      var parts = OUTCOME_ORDER.filter(function (o) { return g.outcomes[o]; })
        .map(function (o) { return g.outcomes[o] + " " + label(o); });
      line.bindTooltip(function () {
        var box = el("div", "ismap-tip");
        box.appendChild(el("strong", null, g.n + (g.n === 1 ? " plot" : " plots") + ": " + g.from + " → " + countryName(g.country)));
        box.appendChild(el("div", null, parts.join(", ") + " · zoom in for each path"));
        return box;
      }, { sticky: true, className: "ismap-tooltip" });
      line.bundleCount = g.n;
      ISMap.bundles.addLayer(line);
      total += g.n;
    });
    if (!map.hasLayer(ISMap.bundles)) map.addLayer(ISMap.bundles);
    map.getContainer().dataset.bundles = String(keys.length);
    map.getContainer().dataset.bundledPlots = String(total);
  }

  // Comparing two dates: ground held at the earlier date only was lost by the later one, ground held at the
  // later date only was gained; ground held at both keeps its usual look. `compareEarlier`: the compare date
  // is before the map date.
  function compareShade(heldNow, heldThen, compareEarlier) {
    var earlier = compareEarlier ? heldThen : heldNow, later = compareEarlier ? heldNow : heldThen;
    if (earlier && later) return "kept";
    if (earlier) return "lost";
    if (later) return "gained";
    return null;
  }

  var COMPARE_STYLES = {
    gained: { stroke: true, color: "#1a1a1a", weight: 1, opacity: 0.9, fillColor: "#D55E00", fillOpacity: 0.78 },
    lost: { stroke: true, color: "#0072B2", weight: 1.2, opacity: 0.95, dashArray: "4 3", fillColor: "#56B4E9",
            fillOpacity: 0.55 }
  };

  function restyle(def, item, shade) {
    var key = shade === "gained" || shade === "lost" ? shade : "";
    if ((item.shade || "") === key || !item.layer.setStyle) return;  // (never made for an unshaded feature)
    item.layer.setStyle(key ? COMPARE_STYLES[key] : (def.styles[item.feature.properties._style] || {}));
    item.shade = key;
  }

  // Side by side (swipe): the map date's ground in its own pane, the compare date's ground in a second pane,
  // each clipped to its side of a divider the user drags (or moves with the arrow keys once focused). The
  // earlier date is always on the left. The compare date's copies are built the first time they are needed.
  function swipeControl(map) {
    var then = map.createPane("ismap-territory-then"), main = map.getPane("ismap-territory");
    then.style.zIndex = String(PANES.territory - 1);
    then.style.pointerEvents = "none";
    var group = L.layerGroup().addTo(map), frac = 0.5, active = false, leftIsThen = true, count = 0;
    var line = el("div", "ismap-swipe");
    var handle = el("button", "ismap-swipe-handle", "◀ ▶");
    handle.type = "button";
    handle.setAttribute("aria-label", "Divider between the two dates: drag it, or use the arrow keys");
    var left = el("div", "ismap-swipe-label ismap-swipe-left"), right = el("div", "ismap-swipe-label ismap-swipe-right");
    [handle, left, right].forEach(function (n) { line.appendChild(n); });
    line.hidden = true;
    map.getContainer().appendChild(line);
    L.DomEvent.disableClickPropagation(line);
    L.DomEvent.disableScrollPropagation(line);

    function clip() {
      if (!active) return;
      var size = map.getSize(), nw = map.containerPointToLayerPoint([0, 0]), se = map.containerPointToLayerPoint(size);
      var x = nw.x + size.x * frac;
      var l = "rect(" + nw.y + "px, " + x + "px, " + se.y + "px, " + nw.x + "px)";
      var r = "rect(" + nw.y + "px, " + se.x + "px, " + se.y + "px, " + x + "px)";
      (leftIsThen ? then : main).style.clip = l;
      (leftIsThen ? main : then).style.clip = r;
      line.style.left = (size.x * frac) + "px";
      map.getContainer().dataset.swipeAt = frac.toFixed(3);
    }
    function moveTo(f) { frac = Math.max(0.05, Math.min(0.95, f)); clip(); }
    map.on("move zoom resize viewreset zoomend moveend", clip);
    handle.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      handle.setPointerCapture(e.pointerId);
      map.dragging.disable();
      function moved(ev) {
        var box = map.getContainer().getBoundingClientRect();
        moveTo((ev.clientX - box.left) / box.width);
      }
      function up() {
        handle.removeEventListener("pointermove", moved);
        handle.removeEventListener("pointerup", up);
        handle.removeEventListener("pointercancel", up);
        map.dragging.enable();
      }
      handle.addEventListener("pointermove", moved);
      handle.addEventListener("pointerup", up);
      handle.addEventListener("pointercancel", up);
    });
    handle.addEventListener("keydown", function (e) {
      var by = { ArrowLeft: -0.05, ArrowRight: 0.05 }[e.key];
      if (by === undefined) return;
      e.preventDefault(); e.stopPropagation();
      moveTo(frac + by);
    });

    var control = {};
    // item: a territory item; show: whether its compare-date copy is drawn.
    control.item = function (item, show) {
      if (show && !item.thenLayer) {
        var style = ISMap.layers.territory.def.styles[item.feature.properties._style] || {};
        item.thenLayer = L.geoJSON(item.feature, { pane: "ismap-territory-then", interactive: false,
          style: function () { return style; } });
      }
      if (!item.thenLayer) return;
      if (show && !item.thenShown) group.addLayer(item.thenLayer);
      if (!show && item.thenShown) group.removeLayer(item.thenLayer);
      item.thenShown = show;
      if (show) count += 1;
    };
    control.begin = function () { count = 0; };
    control.update = function (s) {
      var on = !!(s.compare && s.compare.date && s.compare.swipe);
      var box = map.getContainer();
      if (!on) {
        if (active) { main.style.clip = ""; then.style.clip = ""; }
        active = false; line.hidden = true;
        delete box.dataset.swipe;
        return;
      }
      active = true; line.hidden = false;
      leftIsThen = s.compare.date < s.date;
      var early = leftIsThen ? s.compare.date : s.date, late = leftIsThen ? s.date : s.compare.date;
      left.textContent = "◀ " + formatDate(early, "day");
      right.textContent = formatDate(late, "day") + " ▶";
      box.dataset.swipe = JSON.stringify({ left: early, right: late, compareShown: count });
      clip();
    };
    return control;
  }

  // What, besides the date, decides which features show: a step that changes only the date (the time bar, play)
  // takes the fast path through changedItems; any other change visits every feature.
  function stateKey(s) {
    return JSON.stringify([s.layers || null, s.filters || null, s.compare || null]);
  }

  function apply(s) {
    var map = ISMap.map, counts = {}, markersIn = [], markersOut = [];
    var shaded = { gained: 0, lost: 0, kept: 0 };
    var swipe = !!(s.compare && s.compare.date && s.compare.swipe);
    var key = stateKey(s), prev = ISMap.applied;
    var fast = !!(prev && prev.key === key && !(s.compare && s.compare.date));
    if (ISMap.swipe && !fast) ISMap.swipe.begin();
    labelsOn(s);
    Object.keys(ISMap.layers).forEach(function (id) {
      var entry = ISMap.layers[id], def = entry.def, on = !s.layers || s.layers[id] !== false;
      var compare = def.id === "territory" && s.compare && s.compare.date ? s.compare : null;
      if (entry.shown === undefined) entry.shown = 0;
      function visit(item) {
        var now = inTime(def, item, s), shade = null;
        if (def.id === "territory" && ISMap.swipe && !fast) {
          ISMap.swipe.item(item, !!(compare && swipe && on && inTime(def, item, { date: compare.date })));
        }
        if (compare && !swipe) {
          shade = compareShade(now, inTime(def, item, { date: compare.date }), compare.date < s.date);
          if (shade) shaded[shade] += 1;
        }
        restyle(def, item, shade);
        var show = on && (now || shade !== null) && inFilters(def, item, s);
        if (show !== item.visible) {
          if (show) entry.group.addLayer(item.layer); else entry.group.removeLayer(item.layer);
          if (item.marker) (show ? markersIn : markersOut).push(item.marker);
          item.visible = show;
          entry.shown += show ? 1 : -1;
        }
      }
      (fast ? changedItems(entry, prev, s) : entry.items).forEach(visit);
      counts[id] = entry.shown;
    });
    ISMap.applied = { key: key, date: s.date, plots_from: s.plots_from, plots_to: s.plots_to };
    ISMap.fastSteps = (ISMap.fastSteps || 0) + (fast ? 1 : 0);
    if (ISMap.cluster) {
      if (markersOut.length) ISMap.cluster.removeLayers(markersOut);
      if (markersIn.length) ISMap.cluster.addLayers(markersIn);
    }
    var box = map.getContainer();
    box.dataset.date = s.date;
    if (s.month) box.dataset.month = s.month;
    box.dataset.counts = JSON.stringify(counts);
    if (s.compare && s.compare.date) { box.dataset.compare = JSON.stringify(shaded); box.dataset.compareDate = s.compare.date; }
    else { delete box.dataset.compare; delete box.dataset.compareDate; }
    if (ISMap.compareKey) ISMap.compareKey.update(s);
    if (ISMap.swipe) ISMap.swipe.update(s);
    box.dataset.steps = String(++ISMap.steps);
    if (ISMap.legend) ISMap.legend.setDate(s);
    if (ISMap.timebar) ISMap.timebar.drawHistogram(plotHistogram(s));
    if (ISMap.table) ISMap.table.refresh();
    bundlePlots(s);
    declutter();
  }

  // ---- time: the map steps through months by itself; the server only learns the month afterwards.

  function monthEnd(month) {
    var y = parseInt(month.slice(0, 4), 10), m = parseInt(month.slice(5, 7), 10);
    return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  }

  function shiftMonth(month, n) {
    var i = parseInt(month.slice(0, 4), 10) * 12 + parseInt(month.slice(5, 7), 10) - 1 + n;
    var y = Math.floor(i / 12), m = i % 12 + 1;
    return String(y).padStart(4, "0") + "-" + String(m).padStart(2, "0");
  }

  function monthList(timeline) {
    var out = [], m = timeline.first;
    while (m <= timeline.last && out.length < 2400) { out.push(m); m = shiftMonth(m, 1); }
    return out;
  }

  // The day a month stands for (its last day, or today in the current month) and the plots' window:
  // the same rules as geo.view.month_date and View.plot_window.
  function derive(s, month) {
    var t = s.timeline, w = s.window || {}, out = {};
    Object.keys(s).forEach(function (k) { out[k] = s[k]; });
    var day = monthEnd(month);
    if (t && t.today && day > t.today) day = t.today;
    out.month = month; out.date = day; out.label = formatDate(day, "day");
    if (w.kind === "cumulative") { out.plots_from = "2013-01-01"; out.plots_to = day; }
    else if (w.kind === "range" && w.from && w.to) {
      var last = monthEnd(w.to);
      out.plots_from = w.from + "-01"; out.plots_to = t && t.today && last > t.today ? t.today : last;
    } else { out.plots_from = shiftMonth(month, -((w.months || 12) - 1)) + "-01"; out.plots_to = day; }
    return out;
  }

  function show(state) {
    ISMap.state = state;
    if (ISMap.ready) apply(state);
    if (ISMap.timebar) ISMap.timebar.sync();
  }

  // Tell the app which month the map shows (it reruns for the stats, the URL and the exports). st_folium's
  // own value (centre, zoom) is kept; streamlit-folium exposes the component API as window.Streamlit.
  function report(month) {
    // A static build has no app to tell: the month goes into the page's address (#date=YYYY-MM), so a copied
    // link opens on it (static/site.js reads it).
    if (ISMap.cfg && ISMap.cfg.site) {
      if (window.history && history.replaceState && month) history.replaceState(null, "", "#date=" + month);
      return;
    }
    var api = window.Streamlit, data = window.__GLOBAL_DATA__;
    if (!api || typeof api.setComponentValue !== "function" || !data || !month) return;
    var value = {};
    Object.keys(data.previous_data || {}).forEach(function (k) { value[k] = data.previous_data[k]; });
    value.ismap_month = month;
    api.setComponentValue(value);
  }

  // From the server: filters, layers, plot window, and a month. In the app the map owns the month once it
  // shows one (`map_owns_month`: its own steps must not be undone by a rerun that has not heard of them yet);
  // a briefing's scenes always set it.
  ISMap.setState = function (s) {
    ISMap.server = s;
    if (!s.month) { show(s); return; }
    if (!s.map_owns_month || !ISMap.month) ISMap.month = s.month;
    // The app still has another month: a report was lost (a pan's value replaced it before a run): again.
    else if (s.month !== ISMap.month) report(ISMap.month);
    ISMap.months = monthList(s.timeline);
    show(derive(s, ISMap.month));
  };

  // From the map's own controls: draw the month at once; `tell` the app afterwards.
  ISMap.goTo = function (month, tell) {
    var s = ISMap.server;
    if (!s || !s.month || ISMap.months.indexOf(month) < 0 || month === ISMap.month) return false;
    ISMap.month = month;
    show(derive(s, month));
    if (tell) report(month);
    return true;
  };

  ISMap.step = function (n, tell) {
    var i = ISMap.months.indexOf(ISMap.month);
    if (i < 0) return false;
    return ISMap.goTo(ISMap.months[Math.max(0, Math.min(ISMap.months.length - 1, i + n))], tell);
  };

  function monthLabel(month) {
    return MONTHS[parseInt(month.slice(5, 7), 10) - 1] + " " + month.slice(0, 4);
  }

  // The time bar, along the bottom of the map: step back, play/pause, step forward; a month slider with a
  // histogram of plots per month above it (stacked by outcome, with the filters applied) and year ticks below;
  // the month; the speed of play. Keys work wherever focus is in the map (see keyControl).
  var OUTCOME_ORDER = ["attack", "failed", "foiled"];

  function timeBar() {
    var control = { element: null }, timer = null;
    var bar = el("div", "ismap-timebar");
    control.element = bar;
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Map date");
    function button(text, label, cls) {
      var b = el("button", "ismap-tb-button " + cls, text);
      b.type = "button"; b.title = label; b.setAttribute("aria-label", label);
      return b;
    }
    var back = button("◀", "Previous month (←)", "ismap-tb-back");
    var play = button("▶ Play", "Play: one month after another (space)", "ismap-tb-play");
    var forward = button("▶", "Next month (→)", "ismap-tb-forward");
    var track = el("div", "ismap-tb-track");
    var histogram = el("div", "ismap-tb-histogram");
    histogram.setAttribute("aria-hidden", "true");
    var slider = el("input", "ismap-tb-slider");
    slider.type = "range"; slider.min = "0"; slider.step = "1";
    slider.setAttribute("aria-label", "Map date (month)");
    var ticks = el("div", "ismap-tb-ticks");
    ticks.setAttribute("aria-hidden", "true");
    // Key events (C4): a mark above the slider for each, and a list that jumps to one (the keyboard's way in).
    var bookmarks = (ISMap.cfg && ISMap.cfg.bookmarks) || [];
    var marks = el("div", "ismap-tb-marks");
    marks.setAttribute("aria-hidden", "true");
    [histogram, marks, slider, ticks].forEach(function (n) { track.appendChild(n); });
    var label = el("output", "ismap-tb-label", "");
    var events = el("select", "ismap-tb-events");
    events.setAttribute("aria-label", "Jump to a key event");
    events.title = "Jump to a key event";
    var none = el("option", null, "Key events");
    none.value = "";
    events.appendChild(none);
    function eventText(b) { return (b.precision === "day" ? parseInt(b.date.slice(8, 10), 10) + " " : "") +
      monthLabel(b.month) + ": " + b.label; }
    bookmarks.forEach(function (b, i) {
      var opt = el("option", null, eventText(b));
      opt.value = String(i);
      events.appendChild(opt);
    });
    function jump(i) {
      var b = bookmarks[i];
      if (!b) return;
      stop();
      if (!ISMap.goTo(b.month, true)) control.sync();
      events.value = String(i);
    }
    events.addEventListener("change", function () { if (events.value !== "") jump(parseInt(events.value, 10)); });
    var speed = el("select", "ismap-tb-speed");
    speed.setAttribute("aria-label", "Seconds per month when playing");
    [["0.5", "0.5 s"], ["1", "1 s"], ["2", "2 s"], ["3", "3 s"]].forEach(function (o) {
      var opt = el("option", null, o[1] + " / month"); opt.value = o[0]; speed.appendChild(opt);
    });
    speed.value = "1";
    [back, play, forward, track, label].concat(bookmarks.length ? [events] : [], [speed])
      .forEach(function (n) { bar.appendChild(n); });

    function stop() {
      if (timer) clearInterval(timer);
      timer = null;
      play.textContent = "▶ Play"; play.setAttribute("aria-pressed", "false");
      bar.dataset.playing = "0";
    }
    function start() {
      if (ISMap.months.indexOf(ISMap.month) >= ISMap.months.length - 1) ISMap.goTo(ISMap.months[0], true);
      play.textContent = "⏸ Pause"; play.setAttribute("aria-pressed", "true");
      bar.dataset.playing = "1";
      timer = setInterval(function () { if (!ISMap.step(1, true)) stop(); }, parseFloat(speed.value) * 1000);
    }
    control.toggle = function () { if (timer) stop(); else start(); };
    back.addEventListener("click", function () { ISMap.step(-1, true); });
    forward.addEventListener("click", function () { ISMap.step(1, true); });
    play.addEventListener("click", control.toggle);
    speed.addEventListener("change", function () { if (timer) { stop(); start(); } });
    slider.addEventListener("input", function () { ISMap.goTo(ISMap.months[parseInt(slider.value, 10)], false); });
    slider.addEventListener("change", function () { report(ISMap.month); });

    var drawnFor = null, ticksFor = null;
    // Bars per month: one column per month of the slider, as wide as the slider's step.
    var drawnCounts = null;
    control.drawHistogram = function (counts) {
      if (counts === drawnCounts) return;  // the same filters' counts (plotHistogram keeps them)
      drawnCounts = counts;
      var key = JSON.stringify(counts);
      if (key === drawnFor) return;
      drawnFor = key;
      while (histogram.firstChild) histogram.removeChild(histogram.firstChild);
      var n = ISMap.months.length, most = 1, colours = ISMap.outcomeColours || {};
      ISMap.months.forEach(function (m) { var c = counts[m]; if (c) most = Math.max(most, c.total); });
      var svgNS = "http://www.w3.org/2000/svg", svg = document.createElementNS(svgNS, "svg");
      svg.setAttribute("viewBox", "0 0 " + n + " " + most);
      svg.setAttribute("preserveAspectRatio", "none");
      ISMap.months.forEach(function (m, i) {
        var c = counts[m];
        if (!c) return;
        var y = most;
        OUTCOME_ORDER.forEach(function (o) {
          if (!c[o]) return;
          var r = document.createElementNS(svgNS, "rect");
          y -= c[o];
          r.setAttribute("x", String(i + 0.1)); r.setAttribute("width", "0.8");
          r.setAttribute("y", String(y)); r.setAttribute("height", String(c[o]));
          r.setAttribute("fill", colours[o] || "#777");
          svg.appendChild(r);
        });
      });
      histogram.appendChild(svg);
      histogram.dataset.months = String(Object.keys(counts).length);
      histogram.title = "Plots and attacks per month (filters applied); peak " + most + " in a month";
    };
    // The track's width is read once and again after a resize: read on every step, just after the step changed
    // the map, it forced the page's layout there and then.
    var trackWidth = 0;
    function drawTicks() {
      if (!trackWidth) trackWidth = track.clientWidth;
      var key = ISMap.months.length + ":" + trackWidth;
      if (key === ticksFor || !ISMap.months.length) return;
      ticksFor = key;
      while (ticks.firstChild) ticks.removeChild(ticks.firstChild);
      var n = ISMap.months.length, every = trackWidth / (n / 12) < 34 ? 2 : 1;
      ISMap.months.forEach(function (m, i) {
        if (m.slice(5, 7) !== "01" || parseInt(m.slice(0, 4), 10) % every) return;
        var t = el("span", "ismap-tb-tick", m.slice(0, 4));
        t.style.left = (100 * (i + 0.5) / n) + "%";
        ticks.appendChild(t);
      });
    }

    var marksFor = null;
    function drawMarks() {
      var n = ISMap.months.length;
      if (marksFor === n || !n) return;
      marksFor = n;
      while (marks.firstChild) marks.removeChild(marks.firstChild);
      bookmarks.forEach(function (b, i) {
        var at = ISMap.months.indexOf(b.month);
        if (at < 0) return;
        var m = el("span", "ismap-tb-mark");
        m.style.left = (100 * (at + 0.5) / n) + "%";
        m.title = eventText(b);
        m.dataset.month = b.month;
        m.addEventListener("click", function () { jump(i); });
        marks.appendChild(m);
      });
    }

    control.sync = function () {
      if (!ISMap.month) return;
      drawMarks();
      // The list names the event of the map's month, if there is one; otherwise it reads "Key events".
      var chosen = bookmarks[parseInt(events.value, 10)];
      if (!chosen || chosen.month !== ISMap.month) {
        var here = -1;
        bookmarks.forEach(function (b, i) { if (here < 0 && b.month === ISMap.month) here = i; });
        events.value = here < 0 ? "" : String(here);
      }
      slider.max = String(ISMap.months.length - 1);
      slider.value = String(ISMap.months.indexOf(ISMap.month));
      slider.setAttribute("aria-valuetext", monthLabel(ISMap.month));
      label.textContent = monthLabel(ISMap.month);
      back.disabled = ISMap.month === ISMap.months[0];
      forward.disabled = ISMap.month === ISMap.months[ISMap.months.length - 1];
      drawTicks();
    };
    control.stop = stop;
    control.addTo = function (map) {
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.disableScrollPropagation(bar);
      // Arrow keys on the slider move the month, not the map.
      L.DomEvent.on(bar, "keydown", L.DomEvent.stopPropagation);
      map.getContainer().appendChild(bar);
      map.getContainer().classList.add("ismap-has-timebar");
      window.addEventListener("resize", function () { ticksFor = null; trackWidth = 0; drawTicks(); });
      return control;
    };
    return control;
  }

  // Keys anywhere in the map (not in a text field): ← → a month, PageUp/PageDown a year, Home/End the first and
  // last month, space play/pause; Shift with the arrows pans, + and - zoom (Leaflet's own keys are off, they
  // would pan with the arrows).
  function keyControl(map) {
    map.keyboard.disable();
    document.addEventListener("keydown", function (e) {
      var t = e.target, tag = t && t.tagName ? t.tagName.toLowerCase() : "";
      if (tag === "input" || tag === "select" || tag === "textarea" || (t && t.isContentEditable)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var pan = { ArrowLeft: [-120, 0], ArrowRight: [120, 0], ArrowUp: [0, -120], ArrowDown: [0, 120] }[e.key];
      if (e.shiftKey && pan) { map.panBy(pan); e.preventDefault(); return; }
      var steps = { ArrowLeft: -1, ArrowRight: 1, PageUp: -12, PageDown: 12 }[e.key];
      if (steps) { ISMap.step(steps, true); e.preventDefault(); return; }
      if (e.key === "Home" || e.key === "End") {
        ISMap.goTo(ISMap.months[e.key === "Home" ? 0 : ISMap.months.length - 1], true); e.preventDefault(); return;
      }
      if (e.key === " " && tag !== "button" && ISMap.timebar) { ISMap.timebar.toggle(); e.preventDefault(); return; }
      if (e.key === "+" || e.key === "=") { map.zoomIn(); e.preventDefault(); }
      else if (e.key === "-" || e.key === "_") { map.zoomOut(); e.preventDefault(); }
    });
  }

  // Plots per month for the histogram: every plot that passes the filters, whatever the window.
  // Plots a month under the filters (not the date): counted again only when the filters change.
  function plotHistogram(s) {
    var entry = ISMap.layers.plots, counts = {}, key = JSON.stringify(s.filters || null);
    if (!entry) return counts;
    if (entry.histogram && entry.histogram.key === key) return entry.histogram.counts;
    entry.histogram = { key: key, counts: counts };
    entry.items.forEach(function (item) {
      if (!inFilters(entry.def, item, s)) return;
      var m = item.start.slice(0, 7), c = counts[m] || (counts[m] = { total: 0 });
      c.total += 1;
      c[item.feature.properties.outcome] = (c[item.feature.properties.outcome] || 0) + 1;
    });
    return counts;
  }

  // ---- the table of plots beside the map: what the map shows, searchable and sortable; a row flies to its plot.
  var TABLE_COLUMNS = [
    { key: "date", label: "Date", value: function (p) { return p.date; }, text: function (p) { return formatDate(p.date, p.date_precision); } },
    { key: "target_place", label: "Target", value: function (p) { return p.target_place.toLowerCase(); }, text: function (p) { return p.target_place; } },
    { key: "country", label: "Country", value: function (p) { return countryName(p.country); }, text: function (p) { return countryName(p.country); } },
    { key: "province", label: "Province", value: function (p) { return shortName(p.province); }, text: function (p) { return shortName(p.province); } },
    { key: "outcome", label: "Outcome", value: function (p) { return p.outcome; }, text: function (p) { return label(p.outcome); } },
    { key: "killed", label: "Killed", value: function (p) { return p.killed === null || p.killed === undefined ? -1 : p.killed; }, text: function (p) { return p.outcome === "foiled" ? "" : (p.killed === null || p.killed === undefined ? "n/r" : String(p.killed)); } }
  ];

  function shortName(name) {
    return String(name || "").replace(/\s*\(.*\)\s*$/, "");
  }

  // The page's address with the map's own date, centre and zoom (the app writes them into the address only
  // after it has caught up with the map); other parameters (layers, filters) are already in the address.
  function viewLink(map) {
    var href;
    try { href = window.parent.location.href; } catch (err) { href = window.location.href; }
    var url = new URL(href);
    var wrap = function (lng) { return ((lng + 180) % 360 + 360) % 360 - 180; };
    var centre = map.getCenter();
    if (ISMap.state && ISMap.state.month) url.searchParams.set("date", ISMap.state.month);
    url.searchParams.set("lat", Math.max(-85, Math.min(85, centre.lat)).toFixed(4));
    url.searchParams.set("lon", wrap(centre.lng).toFixed(4));
    url.searchParams.set("zoom", String(Math.max(2, Math.min(12, Math.round(map.getZoom())))));
    return url.toString();
  }

  // Copies with the Clipboard API where the page is a secure context (https, localhost), else with a selected
  // text field (plain http on a LAN); if both fail the link is shown to copy by hand.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = el("textarea", null, text);
      area.setAttribute("readonly", "");
      area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  // What the compare shading means, shown only while two dates are compared.
  function compareKeyControl() {
    var control = L.control({ position: "topright" });
    var box = el("div", "ismap-compare-key");
    box.hidden = true;
    control.onAdd = function () { return box; };
    control.update = function (s) {
      box.hidden = !(s.compare && s.compare.date);
      if (box.hidden) return;
      box.textContent = "";
      var earlier = s.compare.date < s.date ? s.compare.date : s.date, later = s.compare.date < s.date ? s.date : s.compare.date;
      box.appendChild(el("div", "ismap-compare-title", "Compared: " + formatDate(earlier, "day") + " → " + formatDate(later, "day")));
      if (s.compare.swipe) {
        box.appendChild(el("div", "ismap-compare-row", "Left of the divider: ground held on " + formatDate(earlier, "day")));
        box.appendChild(el("div", "ismap-compare-row", "Right of it: ground held on " + formatDate(later, "day")));
        box.appendChild(el("div", "ismap-compare-row", "Drag the divider, or focus it and use ← →"));
        return;
      }
      [["gained", "Gained by IS between the two dates"], ["lost", "Lost by IS between the two dates"]].forEach(function (pair) {
        var row = el("div", "ismap-compare-row"), sw = el("span", "ismap-compare-swatch"), st = COMPARE_STYLES[pair[0]];
        sw.style.background = st.fillColor; sw.style.border = "2px " + (st.dashArray ? "dashed " : "solid ") + st.color;
        row.appendChild(sw); row.appendChild(document.createTextNode(pair[1])); box.appendChild(row);
      });
      box.appendChild(el("div", "ismap-compare-row", "Held at both dates: the usual shading"));
    };
    return control;
  }

  // The presenter fills the screen (the Fullscreen API on the page that holds the map; F does the same).
  function fullscreenTarget() {
    try { return window.parent.document; } catch (err) { return document; }
  }

  function toggleFullscreen() {
    var doc = fullscreenTarget();
    if (doc.fullscreenElement) return doc.exitFullscreen();
    var root = doc.documentElement;
    return root.requestFullscreen ? root.requestFullscreen({ navigationUI: "hide" }) : Promise.reject(new Error("no Fullscreen API"));
  }

  function fullscreenControl() {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var button = el("button", "ismap-fullscreen", "Full screen (F)");
      button.type = "button";
      var sync = function () {
        var on = !!fullscreenTarget().fullscreenElement;
        button.textContent = on ? "Leave full screen (F)" : "Full screen (F)";
        button.setAttribute("aria-pressed", on ? "true" : "false");
      };
      button.addEventListener("click", function () { Promise.resolve(toggleFullscreen()).catch(function () {}); });
      fullscreenTarget().addEventListener("fullscreenchange", sync);
      [document, fullscreenTarget()].forEach(function (doc) {
        doc.addEventListener("keydown", function (e) {
          if ((e.key === "f" || e.key === "F") && !e.ctrlKey && !e.metaKey && !e.altKey &&
              !/^(INPUT|TEXTAREA|SELECT)$/.test((e.target && e.target.tagName) || "")) {
            Promise.resolve(toggleFullscreen()).catch(function () {});
          }
        });
      });
      L.DomEvent.disableClickPropagation(button);
      return button;
    };
    return control;
  }

  function copyLinkControl(map) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = el("div", "ismap-copylink");
      var button = el("button", "ismap-copylink-button", "Copy link to this view");
      button.type = "button";
      button.title = "Copies an address that opens this date, place, zoom, layers and filters";
      var status = el("span", "ismap-copylink-status", "");
      status.setAttribute("role", "status");
      var shown = el("input", "ismap-copylink-text");
      shown.type = "text"; shown.readOnly = true; shown.hidden = true;
      shown.setAttribute("aria-label", "Link to this view");
      button.addEventListener("click", function () {
        var link = viewLink(map);
        box.dataset.link = link;
        copyText(link).then(function () {
          status.textContent = "Copied"; shown.hidden = true;
        }, function () {
          status.textContent = "Copy it from here:"; shown.value = link; shown.hidden = false; shown.select();
        });
      });
      box.appendChild(button); box.appendChild(status); box.appendChild(shown);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  function plotTable(map) {
    var control = L.control({ position: "topleft" }), open = false, sortKey = "date", sortDir = 1, query = "";
    var wrap = el("div", "ismap-table-wrap");
    var toggle = el("button", "ismap-table-toggle", "Plots table");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    var panel = el("div", "ismap-table-panel");
    panel.hidden = true;
    var head = el("div", "ismap-table-head");
    var search = el("input", "ismap-table-search");
    search.type = "search"; search.placeholder = "Search target, country, province, summary";
    search.setAttribute("aria-label", "Search the plots shown");
    var csv = el("button", "ismap-table-csv", "CSV");
    csv.type = "button"; csv.title = "Download this table as CSV";
    var count = el("div", "ismap-table-count", "");
    head.appendChild(search); head.appendChild(csv);
    var table = el("table", "ismap-table");
    var thead = el("thead"), headRow = el("tr"), tbody = el("tbody");
    TABLE_COLUMNS.forEach(function (c) {
      var th = el("th", null, c.label);
      th.dataset.key = c.key;
      th.setAttribute("role", "button"); th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(c.key); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(c.key); });
      headRow.appendChild(th);
    });
    thead.appendChild(headRow); table.appendChild(thead); table.appendChild(tbody);
    [head, count, table].forEach(function (n) { panel.appendChild(n); });
    wrap.appendChild(toggle); wrap.appendChild(panel);

    function sortBy(key) {
      sortDir = key === sortKey ? -sortDir : 1; sortKey = key; control.refresh();
    }
    function rows() {
      var entry = ISMap.layers.plots;
      if (!entry) return [];
      var q = query.trim().toLowerCase(), column = TABLE_COLUMNS.filter(function (c) { return c.key === sortKey; })[0];
      var shown = entry.items.filter(function (item) {
        if (!item.visible) return false;
        if (!q) return true;
        var p = item.feature.properties;
        return [p.target_place, countryName(p.country), p.country, p.province, p.summary, p.route_text, label(p.outcome)]
          .join(" ").toLowerCase().indexOf(q) >= 0;
      });
      return shown.sort(function (a, b) {
        var x = column.value(a.feature.properties), y = column.value(b.feature.properties);
        return (x < y ? -1 : x > y ? 1 : a.feature.id < b.feature.id ? -1 : 1) * sortDir;
      });
    }
    control.rows = rows;
    control.refresh = function () {
      var entry = ISMap.layers.plots;
      toggle.textContent = "Plots table (" + (ISMap.state && entry ? entry.shown || 0 : 0) + ")";
      if (!open) return;
      var list = rows();
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      list.forEach(function (item) {
        var p = item.feature.properties, tr = el("tr");
        tr.dataset.id = item.feature.id; tr.tabIndex = 0;
        TABLE_COLUMNS.forEach(function (c) { tr.appendChild(el("td", null, c.text(p))); });
        tr.addEventListener("click", function () { flyTo(item); });
        tr.addEventListener("keydown", function (e) { if (e.key === "Enter") flyTo(item); });
        tbody.appendChild(tr);
      });
      Array.prototype.forEach.call(headRow.children, function (th) {
        th.setAttribute("aria-sort", th.dataset.key === sortKey ? (sortDir > 0 ? "ascending" : "descending") : "none");
      });
      count.textContent = list.length + " shown" + (query ? " matching the search" : "") + " · click a row to go to it";
      panel.dataset.rows = String(list.length);
    };
    function flyTo(item) {
      var p = item.feature.properties, target = L.latLng(p.target_lat, p.target_lon);
      map.once("moveend", function () {
        var cluster = ISMap.cluster;
        if (item.marker && cluster && cluster.hasLayer(item.marker)) {
          cluster.zoomToShowLayer(item.marker, function () { item.marker.openPopup(); });
        } else if (item.marker) { item.marker.openPopup(); }
      });
      map.setView(target, Math.max(map.getZoom(), 6), { animate: false });
      map.fire("moveend");
    }
    function toCsv() {
      var header = ["id", "date", "date_precision", "target_place", "country", "country_name", "province", "link",
                    "outcome", "target_type", "killed", "injured", "confidence", "summary"];
      var inert = function (v) {
        var t = v === null || v === undefined ? "" : String(v);
        if (/^[=+\-@\t\r]/.test(t)) t = "'" + t;  // as the app's CSV exports: no spreadsheet formulas
        return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
      };
      var lines = [header.join(",")];
      rows().forEach(function (item) {
        var p = item.feature.properties;
        lines.push(header.map(function (h) { return inert(h === "country_name" ? countryName(p.country) : p[h]); }).join(","));
      });
      return lines.join("\n") + "\n";
    }
    control.csv = toCsv;
    csv.addEventListener("click", function () {
      var blob = new Blob([toCsv()], { type: "text/csv;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "plots-table-" + (ISMap.month || "map") + ".csv";
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    });
    search.addEventListener("input", function () { query = search.value; control.refresh(); });
    toggle.addEventListener("click", function () {
      open = !open; panel.hidden = !open; toggle.setAttribute("aria-expanded", String(open));
      wrap.classList.toggle("ismap-table-open", open);
      control.refresh();
    });
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(wrap);
      L.DomEvent.disableScrollPropagation(wrap);
      L.DomEvent.on(wrap, "keydown", L.DomEvent.stopPropagation);
      return wrap;
    };
    return control;
  }

  function legendControl(cfg) {
    var control = L.control({ position: cfg.timebar || cfg.presenter ? "topright" : "bottomleft" });
    control.onAdd = function () {
      var box = el("details", "ismap-legend");
      // Collapsed by default into a clear control, so it never sits over what a person reads; open in exports
      // and slides, where it explains a still picture.
      box.open = cfg.legendOpen === true || (cfg.legendOpen !== false && !cfg.timebar);
      var summary = el("summary", "ismap-legend-summary");
      summary.appendChild(el("span", "ismap-legend-date", ""));
      summary.appendChild(el("span", "ismap-legend-hint", " Legend"));
      box.appendChild(summary);
      cfg.layers.forEach(function (def) {
        var group = el("div", "ismap-legend-group");
        group.dataset.layer = def.id;
        group.appendChild(el("div", "ismap-legend-title", def.name));
        if (def.id === "plots") group.appendChild(el("div", "ismap-legend-window", ""));
        def.legend.forEach(function (entry) {
          var row = el("div", "ismap-legend-row");
          var swatch = el("span", "ismap-swatch ismap-swatch-" + entry.kind);
          if (entry.kind === "fill") {
            // The swatch is the fill as the map draws it: the same colour at the same opacity over the theme's
            // land (not a brightened copy, which made the three confidence levels look alike on the projector).
            swatch.style.background = cfg.theme.land;
            swatch.style.borderColor = entry.style.stroke === false ? cfg.theme.border : entry.style.color;
            var ink = el("span", "ismap-swatch-ink");
            ink.style.background = entry.style.fillColor;
            ink.style.opacity = String(entry.style.fillOpacity === undefined ? 0.5 : entry.style.fillOpacity);
            swatch.appendChild(ink);
            if (entry.style.pattern === "hatch") {
              swatch.classList.add("ismap-swatch-hatch");
              ink.style.opacity = String(Math.min(1, (entry.style.fillOpacity || 0.3) * 2.2));
              ink.style.background = "repeating-linear-gradient(45deg, " + entry.style.fillColor + " 0 2px, transparent 2px 5px)";
            }
          } else {
            swatch.style.borderTopColor = entry.style.color;
            swatch.style.borderTopWidth = Math.max(1, Math.round(entry.style.weight || 2)) + "px";
            swatch.style.borderTopStyle = entry.style.dashArray ? (entry.style.dashArray.indexOf("10") === 0 ? "dashed" : "dotted") : "solid";
          }
          row.appendChild(swatch);
          row.appendChild(el("span", null, entry.label));
          group.appendChild(row);
        });
        box.appendChild(group);
      });
      box.appendChild(el("div", "ismap-legend-note", cfg.caption || ""));
      L.DomEvent.disableClickPropagation(box);
      control.box = box;
      return box;
    };
    control.setDate = function (s) {
      if (!control.box) return;
      control.box.querySelector(".ismap-legend-date").textContent = s.label || s.date;
      // Which plots the arcs are (U12): the window, not just the map date.
      var windowLine = control.box.querySelector(".ismap-legend-window");
      if (windowLine && s.plots_from && s.plots_to) {
        windowLine.textContent = "Plots and attacks from " + formatDate(s.plots_from, "day") + " to " + formatDate(s.plots_to, "day");
      }
      control.box.querySelectorAll(".ismap-legend-group").forEach(function (g) {
        g.style.display = s.layers && s.layers[g.dataset.layer] === false ? "none" : "";
      });
    };
    return control;
  }

  function drawBasemap(map, cfg, data) {
    var theme = cfg.theme;
    // Below the tile pane: opt-in online tiles cover it when they load, and it shows through when they do not.
    map.createPane("ismap-basemap").style.zIndex = 150;
    L.geoJSON(data, {
      pane: "ismap-basemap",
      interactive: false,
      style: function () {
        return { color: theme.border, weight: 0.7, fillColor: theme.land, fillOpacity: 1, opacity: 1 };
      }
    }).addTo(map);
  }

  // A label with `since` names a place known for a plot: it is shown from that date on (labelsOn).
  function drawLabels(map, cfg, labels) {
    var group = L.layerGroup();
    ISMap.labels = labels.map(function (p) {
      var dot = L.circleMarker([p.lat, p.lon], { radius: 2, color: cfg.theme.label, weight: 1, fillOpacity: 1, interactive: false });
      dot.bindTooltip(new LabelTooltip({ permanent: true, direction: "right", className: "ismap-label ismap-city-label" })
        .setContent(el("span", null, p.name)));
      return { dot: dot, since: p.since || null, name: p.name, shown: false };
    });
    ISMap.labelGroup = group;
    labelsOn(ISMap.state || { date: "9999-12-31" });
    function toggle() {
      if (map.getZoom() >= (cfg.labelMinZoom || 5)) group.addTo(map); else group.remove();
    }
    map.on("zoomend", toggle);
    toggle();
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

  function showError(map, message) {
    var box = el("div", "ismap-error", message);
    map.getContainer().appendChild(box);
    map.getContainer().dataset.error = message;
  }

  // Standalone exports: scenes with previous/next (arrows, Page Up/Down) and a month slider, no server needed.
  function standaloneControl(map, cfg) {
    var spec = cfg.standalone, index = 0;
    var control = L.control({ position: "topright" });
    var box = el("div", "ismap-standalone");
    var heading = el("div", "ismap-standalone-title", spec.title);
    var counter = el("div", "ismap-standalone-counter", "");
    var sceneTitle = el("div", "ismap-standalone-scene", "");
    var caption = el("div", "ismap-standalone-caption", "");
    var sources = el("div", "ismap-standalone-sources", "");
    var nav = el("div", "ismap-standalone-nav");
    var prev = el("button", "ismap-prev", "◀ Previous"), next = el("button", "ismap-next", "Next ▶");
    var slider = el("input", "ismap-month");
    slider.type = "range"; slider.min = "0"; slider.max = String(spec.months.length - 1); slider.step = "1";
    var monthLabel = el("span", "ismap-month-label", "");
    nav.appendChild(prev); nav.appendChild(counter); nav.appendChild(next);
    [heading, sceneTitle, nav, caption, sources].forEach(function (n) { box.appendChild(n); });
    var sliderRow = el("div", "ismap-standalone-slider");
    sliderRow.appendChild(el("span", null, "Month "));
    sliderRow.appendChild(slider);
    sliderRow.appendChild(monthLabel);
    box.appendChild(sliderRow);
    function show(i) {
      index = Math.max(0, Math.min(spec.scenes.length - 1, i));
      var scene = spec.scenes[index];
      counter.textContent = (index + 1) + " / " + spec.scenes.length;
      sceneTitle.textContent = scene.title;
      caption.textContent = scene.caption;
      sources.textContent = (scene.refs || []).map(function (id) {
        var r = ISMap.refs[id]; return r ? r.publisher + ", " + r.date : id;
      }).join("; ");
      slider.value = String(Math.max(0, spec.months.indexOf(scene.date.slice(0, 7))));
      monthLabel.textContent = scene.date.slice(0, 7);
      map.setView(scene.center, scene.zoom, { animate: false });
      ISMap.setState(scene);
      box.dataset.scene = String(index + 1);
    }
    slider.addEventListener("input", function () {
      var month = spec.months[parseInt(slider.value, 10)];
      monthLabel.textContent = month;
      ISMap.goTo(month, false);
    });
    prev.addEventListener("click", function () { show(index - 1); });
    next.addEventListener("click", function () { show(index + 1); });
    document.addEventListener("keydown", function (e) {
      if (e.target === slider) return;
      if (e.key === "ArrowRight" || e.key === "PageDown") { show(index + 1); e.preventDefault(); }
      if (e.key === "ArrowLeft" || e.key === "PageUp") { show(index - 1); e.preventDefault(); }
    });
    control.onAdd = function () { L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box); return box; };
    control.show = show;
    // One month of the current scene, as the slider shows it (the animation export steps through these).
    control.goMonth = function (month) {
      var i = spec.months.indexOf(month);
      if (i < 0) return false;
      slider.value = String(i);
      monthLabel.textContent = month;
      return ISMap.goTo(month, false) || ISMap.month === month;
    };
    return control;
  }

  // A style may ask for a pattern ("hatch"): its fill becomes an SVG pattern of diagonal lines in the style's
  // colour over a tint at the style's opacity, defined once per colour and opacity in a hidden SVG of the page.
  function patternId(style) {
    return "ismap-pat-" + style.pattern + "-" + String(style.fillColor || style.color).replace(/[^0-9A-Za-z]/g, "") +
      "-" + Math.round((style.fillOpacity || 0) * 100);
  }
  function ensurePattern(style) {
    var id = patternId(style);
    if (document.getElementById(id)) return id;
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.getElementById("ismap-pattern-defs");
    if (!defs) {
      var svg = document.createElementNS(ns, "svg");
      svg.setAttribute("width", "0");
      svg.setAttribute("height", "0");
      svg.setAttribute("aria-hidden", "true");
      svg.style.position = "absolute";
      defs = document.createElementNS(ns, "defs");
      defs.id = "ismap-pattern-defs";
      svg.appendChild(defs);
      document.body.appendChild(svg);
    }
    var colour = style.fillColor || style.color;
    var opacity = style.fillOpacity === undefined ? 0.3 : style.fillOpacity;
    var pattern = document.createElementNS(ns, "pattern");
    pattern.id = id;
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "7");
    pattern.setAttribute("height", "7");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var tint = document.createElementNS(ns, "rect");
    tint.setAttribute("width", "7");
    tint.setAttribute("height", "7");
    tint.setAttribute("fill", colour);
    tint.setAttribute("fill-opacity", String(opacity * 0.6));
    var line = document.createElementNS(ns, "rect");
    line.setAttribute("width", "2");
    line.setAttribute("height", "7");
    line.setAttribute("fill", colour);
    line.setAttribute("fill-opacity", String(Math.min(1, opacity * 2.2)));
    pattern.appendChild(tint);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    return id;
  }
  function resolvePatterns(cfg) {
    cfg.layers.forEach(function (def) {
      Object.keys(def.styles || {}).forEach(function (key) {
        var style = def.styles[key];
        if (!style || !style.pattern) return;
        def.styles[key] = L.extend({}, style, { fillColor: "url(#" + ensurePattern(style) + ")", fillOpacity: 1,
                                                patternColour: style.fillColor || style.color,
                                                patternOpacity: style.fillOpacity === undefined ? 0.3 : style.fillOpacity });
      });
    });
  }
  ISMap.patternId = patternId;

  ISMap.init = function (map, cfg) {
    ISMap.map = map;
    ISMap.cfg = cfg;
    resolvePatterns(cfg);
    // The frame follows the window's height (set by the app's CSS, which may apply after Leaflet measured the
    // map): redraw whenever the map's box changes size, keeping its centre.
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize({ animate: false }); if (ISMap.declutter) ISMap.declutter(); })
        .observe(map.getContainer());
    }
    if (map.attributionControl) map.attributionControl.setPrefix("Leaflet");
    if (cfg.presenter) {
      fullscreenControl().addTo(map);
      // A clicker's keys must move scenes even after someone clicked the map: pass them to the page.
      map.keyboard.disable();
      document.addEventListener("keydown", function (e) {
        if (["ArrowLeft", "ArrowRight", "PageUp", "PageDown", "Escape"].indexOf(e.key) < 0) return;
        try {
          window.parent.document.dispatchEvent(new KeyboardEvent("keydown", { key: e.key, code: e.code, bubbles: true }));
          e.preventDefault();
        } catch (err) { /* not same-origin: nothing to forward to */ }
      });
    }
    map.setMaxZoom(cfg.maxZoom || 12);
    map.setMinZoom(cfg.minZoom || 2);
    var box = map.getContainer();
    box.classList.add("ismap-theme-" + cfg.themeName);
    box.style.background = cfg.theme.background;
    if (cfg.tiles && cfg.tiles.url) {
      var failures = 0;
      L.tileLayer(cfg.tiles.url, { attribution: cfg.tiles.attribution || "", maxZoom: 12 })
        .on("tileerror", function () {
          failures += 1;
          if (failures === 3) box.dataset.tiles = "unreachable";
        })
        .on("tileload", function () { box.dataset.tiles = "online"; })
        .addTo(map);
    }
    // Each source is either fetched from the app (url) or embedded in a standalone export (data).
    function load(url, data) { return data !== undefined && data !== null ? Promise.resolve(data) : fetchJson(url); }
    var jobs = [load(cfg.basemapUrl, cfg.basemapData), null, load(cfg.labelsUrl, cfg.labelsData)]
      .concat(cfg.layers.map(function (def) { return load(def.url, def.data); }));
    // The bibliography is only read when a popup opens: it loads after the first map is drawn, and a popup
    // opened before it arrives is redrawn with it.
    function loadRefs() {
      return load(cfg.refsUrl, cfg.refsData).then(function (refs) {
        refs.forEach(function (r) { ISMap.refs[r.id] = r; });
        ISMap.refsLoaded = true;
        box.dataset.refs = "1";
        if (map._popup && map.hasLayer(map._popup)) map._popup.update();
      });
    }
    Promise.all(jobs).then(function (results) {
      drawBasemap(map, cfg, results[0]);
      createPanes(map);
      ISMap.cluster = L.markerClusterGroup({
        maxClusterRadius: 36, showCoverageOnHover: false, spiderfyOnMaxZoom: true, chunkedLoading: false,
        iconCreateFunction: function (cluster) {
          var n = cluster.getChildCount(), by = { attack: 0, failed: 0, foiled: 0 };
          cluster.getAllChildMarkers().forEach(function (m) { by[m.plotOutcome] = (by[m.plotOutcome] || 0) + 1; });
          var box = el("div", "ismap-cluster-inner", String(n));
          box.title = by.attack + " attacks, " + by.failed + " failed, " + by.foiled + " foiled";
          return L.divIcon({ html: box, className: "ismap-cluster", iconSize: [30, 30] });
        }
      });
      cfg.layers.forEach(function (def, i) {
        var group = L.layerGroup().addTo(map);
        var features = shareBack(def, results[3 + i].features);
        def.renderer = rendererFor(def, features.length);
        if (def.renderer) box.dataset["canvas_" + def.id] = "1";
        var items = features.map(function (f) { return buildItem(map, def, f); });
        ISMap.layers[def.id] = { def: def, group: group, items: items };
      });
      if (ISMap.renderers) routeCanvasEvents(map);
      ISMap.cluster.addTo(map);
      drawLabels(map, cfg, results[2]);
      map.on("zoomend moveend", declutter);
      map.on("zoomend", function () { if (ISMap.state) bundlePlots(ISMap.state); });
      ISMap.legend = legendControl(cfg);
      ISMap.legend.addTo(map);
      L.control.scale({ imperial: false }).addTo(map);
      ISMap.ready = true;
      box.dataset.ready = "1";
      // A missing bibliography must not hide a map that is drawn: popups then list the ids. In the app it is
      // fetched when the first popup opens, or once the page has been idle for a few seconds (it is the biggest
      // file after the layers, and the first map does not need it); an open popup is redrawn when it arrives.
      var refsPromise = null;
      function refsOnce() {
        if (!refsPromise) refsPromise = loadRefs().catch(function (err) { if (window.console) console.error(err); });
        return refsPromise;
      }
      var refsLoading = cfg.refsData || cfg.standalone ? refsOnce() : Promise.resolve();
      if (!cfg.refsData) {
        map.on("popupopen", refsOnce);
        setTimeout(refsOnce, 4000);
      }
      ISMap.outcomeColours = {};
      cfg.layers.forEach(function (def) {
        if (def.id !== "plots") return;
        OUTCOME_ORDER.forEach(function (o) { if (def.styles[o + "-directed"]) ISMap.outcomeColours[o] = def.styles[o + "-directed"].color; });
      });
      if (cfg.timebar) {
        ISMap.timebar = timeBar();
        ISMap.timebar.addTo(map);
        keyControl(map);
      }
      if (cfg.table && ISMap.layers.plots) {
        ISMap.table = plotTable(map);
        ISMap.table.addTo(map);
      }
      if (cfg.timebar && !cfg.standalone && !cfg.site) copyLinkControl(map).addTo(map);  // a static build reads no link
      if (ISMap.layers.territory) ISMap.swipe = swipeControl(map);
      ISMap.compareKey = compareKeyControl();
      ISMap.compareKey.addTo(map);
      if (cfg.standalone) {
        map.keyboard.disable();
        ISMap.standalone = standaloneControl(map, cfg);
        ISMap.standalone.addTo(map);
        refsLoading.then(function () { ISMap.standalone.show(0); });
      } else if (ISMap.state) show(ISMap.state);
      return refsLoading;
    }).catch(function (err) {
      if (window.console) console.error(err);
      showError(map, "The map could not be drawn: " + (err && err.message ? err.message : String(err)));
    });
  };
})();
