/* The map's layers for any folium map (layers/folium_layers.py): draws features handed over as JSON, writes every
   text with textContent, links only http(s) addresses. No data is ever parsed as HTML. */
(function () {
  "use strict";
  if (window.ISLayers) return;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeHref(address) {
    return /^https?:\/\//i.test(String(address || "")) ? String(address) : null;
  }

  function sources(spec, ids) {
    var list = el("ol", "islayers-sources");
    list.style.paddingLeft = "1.2em";
    ids.forEach(function (id) {
      var ref = spec.refs[id];
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

  function popup(spec, props) {
    var box = el("div", "islayers-popup");
    box.style.maxWidth = "360px";
    box.appendChild(el("div", "islayers-kind", spec.kind));
    var title = el("strong", "islayers-title", props.title);
    box.appendChild(title);
    var fields = el("dl", "islayers-fields");
    props.rows.forEach(function (row) {
      fields.appendChild(el("dt", null, row[0]));
      fields.appendChild(el("dd", null, row[1]));
    });
    box.appendChild(fields);
    if (props.refs.length) {
      box.appendChild(el("div", "islayers-sources-title", "Sources"));
      box.appendChild(sources(spec, props.refs));
    }
    return box;
  }

  function draw(group, spec) {
    var layer = L.geoJSON(spec.features, {
      style: function (f) { return spec.styles[f.properties.style] || {}; },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, spec.styles[f.properties.style] || {}); },
      onEachFeature: function (f, item) {
        item.bindTooltip(function () { return el("strong", null, f.properties.title); }, { sticky: true });
        item.bindPopup(function () { return popup(spec, f.properties); }, { maxWidth: 380 });
      }
    });
    layer.addTo(group);
    group.islayersCount = (group.islayersCount || 0) + spec.features.length;
    group.islayersName = spec.name;
    return layer;
  }

  function swatch(entry) {
    var s = entry.style || {};
    var box = el("span", "islayers-swatch");
    box.style.display = "inline-block";
    box.style.width = "18px";
    box.style.height = entry.kind === "line" ? "0" : "12px";
    box.style.marginRight = "6px";
    box.style.verticalAlign = "middle";
    if (entry.kind === "line") {
      box.style.borderTop = (s.weight || 2) + "px " + (s.dashArray ? "dashed" : "solid") + " " + (s.color || "#000");
    } else {
      box.style.background = s.fillColor || s.color || "#000";
      box.style.opacity = String(Math.max(Number(s.fillOpacity || 0), 0.15));
      box.style.border = "1px solid " + (s.color || "#000");
    }
    return box;
  }

  function legend(map, entries) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = el("details", "islayers-legend");
      box.style.background = "white";
      box.style.padding = "4px 8px";
      box.style.font = "12px sans-serif";
      box.appendChild(el("summary", null, "Legend"));
      entries.forEach(function (entry) {
        var row = el("div");
        row.appendChild(swatch(entry));
        row.appendChild(document.createTextNode(entry.label));
        box.appendChild(row);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    return control;
  }

  window.ISLayers = { draw: draw, legend: legend };
})();
