// cardpress search: plain JavaScript over window.CARDPRESS_SEARCH (search/index.js), so it works
// from file:// and from any web host, with no network request.
(function () {
  "use strict";
  var entries = window.CARDPRESS_SEARCH || [];
  var input = document.getElementById("search-query");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status) { return; }
  var SHOWN = 50;  // results listed at most; the status says how many more matched

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

  // A stretch of the text around the first term found, the term in <mark>; DOM nodes only.
  function snippet(text, wanted) {
    var lower = text.toLowerCase();
    var at = -1, term = "";
    for (var i = 0; i < wanted.length && at < 0; i++) { at = lower.indexOf(wanted[i]); term = wanted[i]; }
    var span = document.createElement("span");
    span.className = "snippet";
    if (at < 0) { span.textContent = text.slice(0, 140) + (text.length > 140 ? "…" : ""); return span; }
    var start = Math.max(0, at - 60), end = Math.min(text.length, at + term.length + 80);
    span.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + term.length);
    span.appendChild(mark);
    span.appendChild(document.createTextNode(text.slice(at + term.length, end) + (end < text.length ? "…" : "")));
    return span;
  }

  // One result per page: its best-scoring section, linked to that section.
  function best(hits) {
    var byPage = {};
    var order = [];
    hits.forEach(function (hit) {
      var page = hit.entry.url.split("#")[0];
      if (!Object.prototype.hasOwnProperty.call(byPage, page)) { byPage[page] = hit; order.push(page); }
      else if (hit.score > byPage[page].score) { byPage[page] = hit; }
    });
    return order.map(function (page) { return byPage[page]; });
  }

  function show(query) {
    var wanted = terms(query);
    list.textContent = "";
    if (wanted.length === 0) { status.textContent = "Type a word to search."; return; }
    // Equal scores keep the index's order: titles in version order ("m 9" before "m 10").
    var found = best(entries
      .map(function (entry, at) { return { entry: entry, score: score(entry, wanted), at: at }; })
      .filter(function (hit) { return hit.score > 0; })
      .sort(function (a, b) { return b.score - a.score || a.at - b.at; }));
    var hits = found.slice(0, SHOWN);
    var quoted = "\u201c" + query + "\u201d";
    status.textContent = hits.length === 0 ? "No results for " + quoted + "."
      : found.length > SHOWN ? "The first " + SHOWN + " of " + found.length + " results for " + quoted
        + ": add a word to narrow them (a version number, a section)."
      : hits.length + " result" + (hits.length === 1 ? "" : "s") + " for " + quoted + ".";
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "../" + hit.entry.url;  // the search page is one folder below the site root
      link.textContent = hit.entry.title;
      var kind = document.createElement("span");
      kind.className = "sub";
      kind.textContent = " " + hit.entry.kind + (hit.entry.section ? " · " + hit.entry.section : "");
      item.appendChild(link);
      item.appendChild(kind);
      item.appendChild(document.createElement("br"));
      item.appendChild(snippet(hit.entry.text, wanted));
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
