/* The static build's filter panel (layers/site.py): the same filters as the app's sidebar, applied by the map
   in the page (ISMap.setState with the map keeping its month). Options are fixed lists, or (provinces, target
   countries) values from the data; every label and value is set as text (textContent, .value), never markup. */
(function () {
  "use strict";
  var LINKS = [["directed", "Directed"], ["enabled", "Enabled"], ["inspired", "Inspired"], ["unknown", "Link unknown"]];
  var OUTCOMES = [["attack", "Attack carried out"], ["failed", "Failed"], ["foiled", "Foiled"]];
  var LAYERS = [["territory", "Territory held"], ["affiliates", "Provinces"], ["plots", "External plots and attacks"]];
  var KILLED = [0, 1, 5, 10, 20, 50, 100];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function group(title, items, name) {
    var box = el("fieldset", "ismap-site-group");
    box.appendChild(el("legend", null, title));
    items.forEach(function (item) {
      var label = el("label", "ismap-site-option");
      var input = el("input");
      input.type = "checkbox";
      input.name = name;
      input.value = item[0];
      input.checked = true;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + item[1]));
      box.appendChild(label);
    });
    return box;
  }

  function checked(form, name, all) {
    var values = Array.prototype.filter.call(form.querySelectorAll("input[name='" + name + "']"),
      function (i) { return i.checked; }).map(function (i) { return i.value; });
    return values.length === all.length ? [] : values.length ? values : ["none"];  // none ticked: nothing shown
  }

  function plotFeatures() {
    var layers = (window.ISMap.cfg && window.ISMap.cfg.layers) || [];
    var def = layers.filter(function (l) { return l.id === "plots"; })[0];
    return def && def.data && def.data.features ? def.data.features : [];
  }

  // [value, label] pairs of one property over the features, sorted by label (labels from another property or
  // a lookup, else the value itself).
  function distinct(features, key, labelKey, lookup) {
    var seen = Object.create(null);  // data values such as "constructor" are keys like any other
    features.forEach(function (f) {
      var p = f.properties || {}, v = p[key];
      if (typeof v !== "string" || !v || seen[v]) return;
      seen[v] = String((labelKey && p[labelKey]) || (lookup && lookup[v]) || v);
    });
    return Object.keys(seen).map(function (v) { return [v, seen[v]]; })
      .sort(function (a, b) { return a[1].localeCompare(b[1]); });
  }

  function choice(title, name, everything, items) {
    var label = el("label", "ismap-site-choice", title + " ");
    var select = el("select");
    select.name = name;
    var all = el("option", null, everything);
    all.value = "";
    select.appendChild(all);
    items.forEach(function (item) {
      var option = el("option", null, item[1]);
      option.value = item[0];
      select.appendChild(option);
    });
    label.appendChild(select);
    return { label: label, select: select };
  }

  // The month in the address (#date=YYYY-MM), if it is one the time bar offers.
  function linkedMonth() {
    var match = /^#date=(\d{4}-(0[1-9]|1[0-2]))$/.exec(window.location.hash || "");
    return match && window.ISMap.months && window.ISMap.months.indexOf(match[1]) >= 0 ? match[1] : null;
  }

  window.ISMapSite = function () {
    var map = window.ISMap && window.ISMap.map;
    if (!map) return;
    var linked = linkedMonth();
    if (linked) window.ISMap.goTo(linked, false);
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = el("details", "ismap-site-filters");
      box.appendChild(el("summary", null, "Layers and filters"));
      var form = el("form");
      form.appendChild(group("Layers", LAYERS, "layer"));
      form.appendChild(group("Link to the group", LINKS, "link"));
      form.appendChild(group("Outcome", OUTCOMES, "outcome"));
      var killed = el("label", "ismap-site-killed", "At least this many killed ");
      var select = el("select");
      select.name = "killed";
      KILLED.forEach(function (n) {
        var option = el("option", null, n === 0 ? "any toll" : String(n));
        option.value = String(n);
        select.appendChild(option);
      });
      killed.appendChild(select);
      form.appendChild(killed);
      form.appendChild(el("p", "ismap-site-note", "A toll filter leaves out plots whose toll is unknown."));
      var plots = plotFeatures();
      var names = (window.ISMap.cfg && window.ISMap.cfg.countries) || {};
      var province = choice("Directing province", "province", "all provinces", distinct(plots, "province_id", "province"));
      var country = choice("Target country", "country", "all countries", distinct(plots, "country", null, names));
      form.appendChild(province.label);
      form.appendChild(country.label);
      form.addEventListener("change", function () {
        var base = window.ISMap.server || window.ISMap.state;
        if (!base) return;
        var layers = {};
        Object.keys(base.layers || {}).forEach(function (k) { layers[k] = base.layers[k]; });
        form.querySelectorAll("input[name='layer']").forEach(function (i) { layers[i.value] = i.checked; });
        var filters = {};
        Object.keys(base.filters || {}).forEach(function (k) { filters[k] = base.filters[k]; });
        filters.links = checked(form, "link", LINKS);
        filters.outcomes = checked(form, "outcome", OUTCOMES);
        filters.min_killed = parseInt(select.value, 10) || 0;
        filters.provinces = province.select.value ? [province.select.value] : [];
        filters.countries = country.select.value ? [country.select.value] : [];
        var next = {};
        Object.keys(base).forEach(function (k) { next[k] = base[k]; });
        next.layers = layers;
        next.filters = filters;
        next.map_owns_month = true;
        window.ISMap.setState(next);
        box.dataset.changed = String((parseInt(box.dataset.changed || "0", 10) || 0) + 1);
      });
      box.appendChild(form);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
  };
  // layers/site.py puts this file after the map's own scripts: the map exists by now.
  window.ISMapSite();
})();
