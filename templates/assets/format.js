// The site's one number style, in the browser: the twin of cardpress/render/env.py (filters
// num, signed, count, pvalue and pct), documented in docs/site.md ("Numbers"). The browser
// tests hold both to the same output. JavaScript has one number type, so the caller names the
// kind: num for measured quantities (fixed decimals), count for counts.
(function () {
  "use strict";
  var DECIMALS = 4;
  var P_DECIMALS = 3;
  var LARGE = 1e15;  // from here on, a mantissa times a power of ten, as env.py's LARGE
  var SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";

  function grouped(text) {
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }
  function missing(value) {
    return value === null || value === undefined || (typeof value === "number" && Number.isNaN(value));
  }
  // toExponential rounds the exact value half away from zero, as env.py's _powered does.
  function powered(value, places) {
    var parts = value.toExponential(places).split("e");
    var exponent = String(Number(parts[1])).replace(/[0-9]/g, function (d) {
      return SUPERSCRIPT.charAt(Number(d));
    });
    return parts[0] + " × 10" + exponent;
  }
  // toFixed rounds the exact binary value half away from zero, as env.py's _fixed does.
  function num(value, decimals) {
    var places = decimals === undefined ? DECIMALS : decimals;
    if (missing(value)) { return "undefined"; }
    if (typeof value !== "number") { return String(value); }
    if (!Number.isFinite(value)) { return value > 0 ? "∞" : "−∞"; }
    if (Math.abs(value) >= LARGE) { return powered(value, places); }
    var text = value.toFixed(places);
    if (value !== 0 && /^-?[0.]+$/.test(text)) {
      var last = (Math.pow(10, -places)).toFixed(places);
      return value > 0 ? "< " + last : "> -" + last;
    }
    if (value === 0) { text = text.replace(/^-/, ""); }
    return grouped(text);
  }
  function signed(value, decimals) {
    var text = num(value, decimals);
    if (typeof value !== "number" || !(value > 0)) { return text; }
    return text.charAt(0) === "<" ? text.replace("< ", "< +") : "+" + text;
  }
  function count(value, noun) {
    // A fractional count (a median of counts) gets one decimal, as in env.py.
    var text = missing(value) ? "undefined"
      : typeof value !== "number" ? String(value)
      : Number.isInteger(value) && Math.abs(value) < LARGE ? grouped(String(value))
      : num(value, 1);
    if (noun === undefined) { return text; }
    return text + " " + (value === 1 ? noun : noun + "s");
  }
  function pvalue(value) {
    if (missing(value)) { return "undefined"; }
    if (value >= 0 && value < 0.5 * Math.pow(10, -P_DECIMALS)) { return "< 0.001"; }
    return num(value, P_DECIMALS);
  }
  function pct(value) {
    if (missing(value)) { return "undefined"; }
    var percent = value * 100;
    if (percent > 0 && percent < 0.05) { return "<0.1%"; }
    return percent.toFixed(1) + "%";
  }
  window.cardpressFormat = { num: num, signed: signed, count: count, pvalue: pvalue, pct: pct };
}());
