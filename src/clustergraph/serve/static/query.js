// The query page: YASGUI on this server's /sparql, the stored queries as examples, and the
// name search. Text from the server is inserted as text, never as HTML.
(function () {
  "use strict";
  var endpoint = new URL("sparql", window.location.href).href;
  var YasguiClass = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  var yasgui = new YasguiClass(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } }
  });

  var select = document.getElementById("example");
  var summary = document.getElementById("example-summary");
  var queries = {};
  fetch("api/queries").then(function (r) { return r.json(); }).then(function (list) {
    list.forEach(function (q) {
      queries[q.name] = q;
      var option = document.createElement("option");
      option.value = q.name;
      option.textContent = q.name + ": " + q.summary;
      select.appendChild(option);
    });
    select.dataset.loaded = "true";
  });
  select.addEventListener("change", function () {
    var q = queries[select.value];
    if (!q) { return; }
    yasgui.getTab().setQuery(q.example);
    summary.textContent = q.description || q.summary;
  });

  var box = document.getElementById("search-box");
  var results = document.getElementById("search-results");
  var pending = null;
  function show(hits) {
    results.replaceChildren();
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = hit.page;
      link.textContent = hit.label;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind + (hit.matched !== hit.label ? " (" + hit.matched + ")" : "");
      item.appendChild(link);
      item.appendChild(kind);
      results.appendChild(item);
    });
    if (!hits.length && box.value.trim()) {
      var none = document.createElement("li");
      none.textContent = "Nothing by that name.";
      results.appendChild(none);
    }
  }
  box.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      var text = box.value.trim();
      if (!text) { show([]); return; }
      fetch("api/search?q=" + encodeURIComponent(text))
        .then(function (r) { return r.json(); })
        .then(function (data) { if (box.value.trim() === text) { show(data.results); } });
    }, 150);
  });
})();
