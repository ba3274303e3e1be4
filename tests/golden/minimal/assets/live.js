// The live part of a version card's "At a glance" panel, from review/status.js
// (window.CARDPRESS_STATUS), which every build rewrites while the card itself stays frozen.
// Without JavaScript the panel keeps its link to the review page.
(function () {
  "use strict";
  var status = window.CARDPRESS_STATUS;
  var box = document.getElementById("live-status");
  if (!status || !box) { return; }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function badge(text, kind) { return el("span", text, { "class": "badge " + kind }); }
  function row(list, term, parts) {
    list.appendChild(el("dt", term));
    var dd = list.appendChild(el("dd"));
    parts.forEach(function (part) {
      dd.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
  }
  // Counts as every page writes them (assets/format.js); a card published before that file
  // existed still gets thousands separators.
  var format = window.cardpressFormat;
  function count(n) { return format ? format.count(n) : n.toLocaleString("en"); }
  var decisionKind = { "approved": "ok", "approved-with-conditions": "ok", "rejected": "bad" };

  box.textContent = "";
  box.appendChild(el("h3", "Now"));
  var list = box.appendChild(el("dl", null, { "class": "facts" }));
  var s = status.signoff;
  var decision = status.decision
    ? [badge(status.decision, decisionKind[status.decision] || "warn"),
       s ? " by " + s.name + " (" + s.role + "), " + s.signed_at.slice(0, 10) : ""]
    : [badge("no current sign-off", "warn")];
  if (status.stale_signoffs) {
    decision.push(" · " + status.stale_signoffs + " stale (an earlier record)");
  }
  decision.push(" · ", el("a", "review", { href: box.getAttribute("data-review") }));
  row(list, "Decision", decision);
  if (status.contradiction) {
    row(list, "Status", [badge("⚠ contradiction", "bad"), " " + status.contradiction]);
  }
  if (status.gate) {
    var gate = status.gate;
    var kind = { pass: "ok", warn: "warn", fail: "bad" }[gate.verdict];
    var mark = { pass: "✓ ", warn: "! ", fail: "✗ " }[gate.verdict];
    row(list, "Policy gate", [badge(mark + gate.verdict.toUpperCase(), kind),
      " " + gate.counts.pass + " pass, " + gate.counts.warn + " warn, " + gate.counts.fail + " fail"]);
  }
  if (status.drift) {
    var d = status.drift;
    var parts = [];
    if (d.latest) {
      parts.push(badge(d.drifted ? "⚠ drift" : "✓ no drift", d.drifted ? "bad" : "ok"));
      parts.push(" latest window " + d.latest + ": " + d.verdict + "; ");
    }
    parts.push(d.windows_drifted + " of " + d.windows + " windows drifted · ");
    parts.push(el("a", "drift timeline", { href: box.getAttribute("data-drift") }));
    row(list, "Drift", parts);
  }
  var p = status.production;
  if (p) {
    var served = count(p.rows) + " rows since " + p.first_window.slice(0, 10);
    var parts = [served];
    if (p.before_approval) {
      parts = [badge("⚠ used before approval", "bad"), " " + served + "; " +
        count(p.rows_before_approval) + " of them " +
        (p.approved_at ? "before the approval of " + p.approved_at.slice(0, 10) : "with no approving sign-off")];
    }
    row(list, "In production", parts);
  }
})();
