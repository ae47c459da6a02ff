/* The static build's filter panel (layers/site.py): the same filters as the app's sidebar, applied by the map
   in the page (ISMap.setState with the map keeping its month). Values are fixed lists, labels are text. */
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

  window.ISMapSite = function () {
    var map = window.ISMap && window.ISMap.map;
    if (!map) return;
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
})();
