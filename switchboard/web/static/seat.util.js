/* The seat page's small helpers: the catalogue, the DOM, values that may be missing, time.
 * Loaded before seat.card.js, seat.socket.js and seat.js (window.sbSeat). */
(function () {
  "use strict";
  // Language codes as the IVR and the CRM write them -> catalogue msgids.
  var LANGUAGES = { cmn: "Mandarin", zh: "Mandarin", "zh-CN": "Mandarin", yue: "Cantonese", en: "English" };
  // ---- helpers ---------------------------------------------------------------------------
  function t(msgid) {
    return typeof window.t === "function" ? window.t(msgid) : msgid;
  }
  function tf(msgid, params) {
    return t(msgid).replace(/\{(\w+)\}/g, function (_m, k) {
      return params[k] === undefined ? "" : String(params[k]);
    });
  }
  // A catalogue key for data (a pause reason, a language): the raw value when untranslated.
  function tKey(prefix, value) {
    var key = prefix + String(value);
    var text = t(key);
    return text && text !== key ? text : String(value);
  }
  function $(id) {
    return document.getElementById(id);
  }
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") || "" : "";
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function present(v) {
    return v !== undefined && v !== null && v !== "";
  }
  function first() {
    for (var i = 0; i < arguments.length; i++) if (present(arguments[i])) return arguments[i];
    return undefined;
  }
  function asList(v) {
    return Array.isArray(v) ? v : [];
  }
  // Server times are epoch seconds (or ms, or ISO text); the page keeps its offset to them.
  function toMs(v) {
    if (typeof v === "number") return v > 1e12 ? v : v * 1000;
    if (typeof v === "string" && v) {
      var n = Date.parse(v);
      return isNaN(n) ? undefined : n;
    }
    return undefined;
  }
  function fmtClock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return [h, m, r].map(function (x) { return x < 10 ? "0" + x : String(x); }).join(":");
  }
  function fmtDuration(seconds) {
    var s = Math.max(0, Math.round(seconds));
    var m = Math.floor(s / 60), r = s % 60;
    if (m >= 60) return fmtClock(s);
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  function text(id, value) {
    $(id).textContent = present(value) ? String(value) : "—";
  }
  // Items are text or nodes (a masked value is a node).
  function listInto(id, items) {
    var node = $(id);
    node.textContent = "";
    if (!items.length) {
      node.textContent = "—";
      return;
    }
    var ul = el("ul", "plain");
    items.forEach(function (item) {
      var li = el("li");
      if (Array.isArray(item)) item.forEach(function (part) { li.append(part); });
      else li.append(item);
      ul.appendChild(li);
    });
    node.appendChild(ul);
  }
  // A sensitive value shows masked; the agent clicks to see it whole.
  // A masked value: a button that asks the server for the full value (a logged look,
  // POST .../reveal); `revealed` holds what the server already gave for this card.
  function maskedNode(masked, field, revealed) {
    if (revealed && present(field) && present(revealed[field])) {
      return document.createTextNode(String(revealed[field]));
    }
    if (!present(field)) return document.createTextNode(String(first(masked, "")));
    var button = el("button", "masked", masked);
    button.type = "button";
    button.title = t("Show the full value");
    button.dataset.field = String(field);
    return button;
  }
  function monthDay(date) {
    var m = date.getMonth() + 1, d = date.getDate();
    return (m < 10 ? "0" : "") + m + "-" + (d < 10 ? "0" : "") + d;
  }
  window.sbSeat = window.sbSeat || {};
  window.sbSeat.util = {
    t: t, tf: tf, tKey: tKey, $: $, meta: meta, el: el, present: present, first: first,
    asList: asList, toMs: toMs, fmtClock: fmtClock, fmtDuration: fmtDuration, text: text,
    listInto: listInto, maskedNode: maskedNode, monthDay: monthDay, LANGUAGES: LANGUAGES
  };
})();
