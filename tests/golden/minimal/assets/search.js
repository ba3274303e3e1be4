// cardpress search: plain JavaScript over window.CARDPRESS_SEARCH (search/index.js), so it works
// from file:// and from any web host, with no network request.
(function () {
  "use strict";
  var entries = window.CARDPRESS_SEARCH || [];
  var input = document.getElementById("search-query");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status) { return; }

  function terms(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}._@-]+/u).filter(function (t) { return t.length > 0; });
  }

  // Every term must match (as a word prefix); a match in the title counts more than in the text.
  function score(entry, wanted) {
    var title = " " + entry.title.toLowerCase();
    var text = " " + entry.text.toLowerCase();
    var total = 0;
    for (var i = 0; i < wanted.length; i++) {
      var needle = wanted[i];
      var inTitle = title.indexOf(" " + needle) >= 0 || title.indexOf(needle) >= 0;
      var inText = text.indexOf(" " + needle) >= 0 || text.indexOf(needle) >= 0;
      if (!inTitle && !inText) { return 0; }
      total += inTitle ? 5 : 1;
    }
    return total;
  }

  function show(query) {
    var wanted = terms(query);
    list.textContent = "";
    if (wanted.length === 0) { status.textContent = "Type a word to search."; return; }
    var hits = entries
      .map(function (entry) { return { entry: entry, score: score(entry, wanted) }; })
      .filter(function (hit) { return hit.score > 0; })
      .sort(function (a, b) { return b.score - a.score || a.entry.title.localeCompare(b.entry.title); })
      .slice(0, 50);
    status.textContent = hits.length === 0 ? "No results for \u201c" + query + "\u201d."
      : hits.length + " result" + (hits.length === 1 ? "" : "s") + " for \u201c" + query + "\u201d.";
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "../" + hit.entry.url;  // the search page is one folder below the site root
      link.textContent = hit.entry.title;
      var kind = document.createElement("span");
      kind.className = "sub";
      kind.textContent = " " + hit.entry.kind;
      item.appendChild(link);
      item.appendChild(kind);
      list.appendChild(item);
    });
  }

  var params = new URLSearchParams(window.location.search);
  var initial = params.get("q") || "";
  input.value = initial;
  if (initial) { show(initial); }
  input.addEventListener("input", function () { show(input.value); });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
    if (window.history && window.location.protocol !== "file:") {
      window.history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    }
  });
}());
