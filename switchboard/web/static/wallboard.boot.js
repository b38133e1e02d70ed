/* Points the seat's reconnecting socket (seat.socket.js, loaded next) at /ws/wallboard:
 * it reads its URL through sbSeat.util.meta("sb-ws-url"), which this wraps. */
(function () {
  "use strict";
  var util = window.sbSeat.util;
  var meta = util.meta;
  window.sbSeat.util = Object.assign({}, util, {
    meta: function (name) {
      var value = meta(name);
      return name === "sb-ws-url" ? value.replace(/\/ws\/seat$/, "/ws/wallboard") : value;
    }
  });
})();
