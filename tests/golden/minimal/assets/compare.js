// Compare any two versions of a model, chosen in the address (?from=1&to=2), in the browser.
// The page ships every version's data (#compare-data); the rules are those of the version diff
// pages (cardpress/compute/diff.py): changed keys only for parameters, code and data sets; every
// metric and fairness disparity with Δ = second − first; the card text as a line diff.
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  var out = document.getElementById("compare-result");
  var source = document.getElementById("compare-data");
  if (!form || !out || !source) { return; }
  var versions = JSON.parse(source.textContent);
  // A Map, and own-key checks below: a version or key from the address or the records may be
  // any text, "toString" and "__proto__" included, which a plain object already "has".
  var byName = new Map();
  versions.forEach(function (v) { byName.set(v.version, v); });
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  // Numbers as the pages write them: assets/format.js, the twin of the "num" and "signed" filters.
  var num = window.cardpressFormat.num;
  var signedNumber = window.cardpressFormat.signed;
  // Which way is better, by the metric's name: the rules of cardpress/compute/direction.py.
  var LOWER = /error|loss|fpr|fnr|false_positive|false_negative|brier|mae|mse|rmse|ece|difference|gap/;
  var HIGHER = /accuracy|precision|recall|f1|auc|average_precision|\bap\b|r2|tpr|tnr|specificity|sensitivity|true_positive|true_negative|ratio/;
  function judged(delta, name) {
    var key = name.toLowerCase().replace(/[- ]/g, "_");
    // a ratio between groups is parity at 1, also of errors ("MAE ratio"): higher is better
    var way = /ratio$/.test(key) ? "higher" : LOWER.test(key) ? "lower" : HIGHER.test(key) ? "higher" : null;
    if (delta === null || way === null) { return null; }
    if (delta === 0) { return "same"; }
    return (delta > 0) === (way === "higher") ? "better" : "worse";
  }
  function signed(delta, name) {
    if (delta === null) { return "—"; }
    var text = signedNumber(delta);
    var change = name === undefined ? null : judged(delta, name);
    if (change === "better" || change === "worse") {
      text += " " + (change === "better" ? "▲" : "▼") + " " + change;
    }
    return change ? { text: text, cls: "change-" + change } : text;
  }
  function shown(value) { return value === null || value === undefined ? "—" : num(value); }

  function compareKeys(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i += 1) {
      if (a[i] < b[i]) { return -1; }
      if (a[i] > b[i]) { return 1; }
    }
    return a.length - b.length;
  }

  // One row per key added, removed or changed.
  function keyed(old, now) {
    var names = Object.keys(old).concat(Object.keys(now).filter(function (k) { return !has(old, k); }));
    names.sort(function (a, b) { return compareKeys([a], [b]); });
    var rows = [];
    names.forEach(function (name) {
      if (!has(old, name)) { rows.push([name, "added", null, now[name]]); }
      else if (!has(now, name)) { rows.push([name, "removed", old[name], null]); }
      else if (old[name] !== now[name]) { rows.push([name, "changed", old[name], now[name]]); }
    });
    return rows;
  }

  // Every key of either side: [key parts..., before, after, delta].
  function deltas(oldRows, newRows) {
    var table = Object.create(null);
    function add(rows, slot) {
      rows.forEach(function (row) {
        var key = row.slice(0, -1);
        var id = JSON.stringify(key);
        if (!table[id]) { table[id] = { key: key, values: [null, null] }; }
        table[id].values[slot] = row[row.length - 1];
      });
    }
    add(oldRows, 0);
    add(newRows, 1);
    var entries = Object.keys(table).map(function (id) { return table[id]; });
    entries.sort(function (a, b) { return compareKeys(a.key, b.key); });
    return entries.map(function (e) {
      var was = e.values[0], now = e.values[1];
      var delta = was !== null && now !== null ? now - was : null;
      return e.key.concat([was, now, delta]);
    });
  }

  // Longest common subsequence of lines; each line of the result is " ", "-" or "+" and text.
  function lineDiff(a, b) {
    var n = a.length, m = b.length, i, j;
    var lengths = [];
    for (i = 0; i <= n; i += 1) { lengths.push(new Array(m + 1).fill(0)); }
    for (i = n - 1; i >= 0; i -= 1) {
      for (j = m - 1; j >= 0; j -= 1) {
        lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1
          : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
      }
    }
    var ops = [];
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) { ops.push([" ", a[i]]); i += 1; j += 1; }
      else if (j < m && (i === n || lengths[i][j + 1] >= lengths[i + 1][j])) { ops.push(["+", b[j]]); j += 1; }
      else { ops.push(["-", a[i]]); i += 1; }
    }
    return ops;
  }

  // Changes with one line of context around each; "…" where unchanged lines are left out.
  function withContext(ops) {
    var keep = ops.map(function (op, k) {
      if (op[0] !== " ") { return true; }
      return (k > 0 && ops[k - 1][0] !== " ") || (k + 1 < ops.length && ops[k + 1][0] !== " ");
    });
    var lines = [];
    ops.forEach(function (op, k) {
      if (keep[k]) { lines.push(op); }
      else if (lines.length && lines[lines.length - 1][0] !== "…") { lines.push(["…", ""]); }
    });
    if (lines.length && lines[lines.length - 1][0] === "…") { lines.pop(); }
    return lines;
  }

  function table(caption, headings, rows, numeric) {
    var wrap = el("div", null, { "class": "table-wrap", tabindex: "0" });
    var t = el("table", null, { "class": "compact" });
    t.appendChild(el("caption", caption));
    var head = el("tr");
    headings.forEach(function (h) { head.appendChild(el("th", h, { scope: "col" })); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    rows.forEach(function (cells) {
      var tr = body.appendChild(el("tr"));
      cells.forEach(function (cell, k) {
        var td = tr.appendChild(k === 0 ? el("th", null, { scope: "row" }) : el("td"));
        if (numeric && numeric[k] && cell !== null && typeof cell === "object") {
          td.className = "num " + cell.cls; td.textContent = cell.text;
        } else if (numeric && numeric[k]) { td.className = "num"; td.textContent = cell; }
        else if (typeof cell === "object" && cell !== null) { td.appendChild(cell); }
        else { td.textContent = cell; }
      });
    });
    wrap.appendChild(t);
    return wrap;
  }

  function section(id, title, content, empty) {
    out.appendChild(el("h2", title, { id: id }));
    out.appendChild(content || el("p", empty));
  }

  function code(value) { return el("code", value === null ? "—" : value); }

  function render(first, second) {
    var a = byName.get(first), b = byName.get(second);
    var labelA = "Version " + first, labelB = "Version " + second;
    out.textContent = "";
    var lead = el("p", null, { "class": "lead" });
    lead.appendChild(document.createTextNode("Version " + second + " compared with "));
    lead.appendChild(el("a", "version " + first, { href: "../v/" + first + "/index.html" }));
    lead.appendChild(document.createTextNode("; Δ = version " + second + " − version " + first + "."));
    out.appendChild(lead);
    if (a.algorithm !== b.algorithm) {
      var change = el("p", null, { "class": "alert", id: "algorithm" });
      change.appendChild(el("strong", "Algorithm changed:"));
      change.appendChild(document.createTextNode(" " + (a.algorithm || "not recorded") + " → " + (b.algorithm || "not recorded")));
      out.appendChild(change);
    } else if (b.algorithm) {
      out.appendChild(el("p", "Algorithm: " + b.algorithm + " (unchanged).", { id: "algorithm" }));
    }
    [["params", "Parameters", "Parameters added, removed or changed"],
     ["code", "Code version", "Code fields that changed"],
     ["datasets", "Data sets", "Data sets added, removed or changed (role, location, sha256, rows)"]
    ].forEach(function (part) {
      var rows = keyed(a[part[0]], b[part[0]]).map(function (r) {
        return [r[0], r[1], code(r[2]), code(r[3])];
      });
      section(part[0], part[1], rows.length ? table(part[2], ["Name", "Change", labelA, labelB], rows) : null, "No changes.");
    });
    var metrics = deltas(a.metrics, b.metrics).map(function (r) {
      return [r[0], r[1], r[2] || "all", shown(r[3]), shown(r[4]), signed(r[5], r[0])];
    });
    section("metrics", "Metrics", metrics.length ? table(
      "Metrics of both versions; Δ = version " + second + " − version " + first,
      ["Metric", "Data set", "Group", labelA, labelB, "Δ"], metrics,
      [false, false, false, true, true, true]) : null, "Neither version records metrics.");
    var fairness = deltas(a.fairness, b.fairness).map(function (r) {
      return [r[0], r[1], shown(r[2]), shown(r[3]), signed(r[4], r[1])];
    });
    section("fairness", "Fairness disparities", fairness.length ? table(
      "Headline disparities of the fairness reports; Δ = version " + second + " − version " + first,
      ["Grouping", "Measure", labelA, labelB, "Δ"], fairness,
      [false, false, true, true, true]) : null, "Neither version has a fairness report.");
    var ops = lineDiff(a.text, b.text);
    var changed = ops.some(function (op) { return op[0] !== " "; });
    var pre = null;
    if (changed) {
      pre = el("pre", null, { "class": "text-diff", "aria-label": "Diff of the card text" });
      pre.appendChild(document.createTextNode("--- version " + first + "\n+++ version " + second + "\n"));
      withContext(ops).forEach(function (op) {
        var line = op[0] === "…" ? "…" : op[0] + op[1];
        var node = op[0] === "+" ? el("ins", line) : op[0] === "-" ? el("del", line) : document.createTextNode(line);
        pre.appendChild(node);
        pre.appendChild(document.createTextNode("\n"));
      });
    }
    section("text", "Card text", pre, "The card text is the same.");
  }

  var query = new URLSearchParams(window.location.search);
  var first = query.get("from") || form.elements.from.value;
  var second = query.get("to") || form.elements.to.value;
  var unknown = [first, second].filter(function (v) { return !byName.has(v); });
  if (unknown.length) {
    out.appendChild(el("p", "No version " + unknown.join(" or ") + " of this model. Choose two versions above.", { "class": "alert" }));
    return;
  }
  form.elements.from.value = first;
  form.elements.to.value = second;
  document.title = "Version " + first + " → " + second + " — " + document.title;
  render(first, second);
}());
