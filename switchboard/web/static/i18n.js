// window.t(msgid): the msgid in the reader's language, from the catalogue the server put
// in <script type="application/json" id="sb-catalogue"> (JSON: never run, so CSP-safe).
// Unknown msgids come back unchanged; the server's catalogue test keeps that from happening.
(function () {
  "use strict";
  var node = document.getElementById("sb-catalogue");
  var catalogue = {};
  try {
    catalogue = node ? JSON.parse(node.textContent || "{}") : {};
  } catch (err) {
    catalogue = {};
  }
  window.t = function (msgid) {
    return Object.prototype.hasOwnProperty.call(catalogue, msgid) ? catalogue[msgid] : msgid;
  };
})();
