/* The seat's websocket: connects to <meta name="sb-ws-url">, hands each message on, and on a
 * loss reconnects with jittered back-off until the server's fresh snapshot arrives. A close
 * with 4001 (the session ended) is not retried: logging in again is what helps. A connect
 * that never opened may be a refused upgrade (an expired session: HTTP 403, which a script
 * cannot see) or the network: GET /api/v1/seat/session tells them apart (401: log in). */
(function () {
  "use strict";
  var meta = window.sbSeat.util.meta;
  var PING_EVERY_MS = 20000, SILENCE_LIMIT_MS = 45000;
  var SESSION_ENDED = 4001;
  var SESSION_URL = "/api/v1/seat/session";
  var socket = null, attempt = 0, lastHeardMs = 0, retryTimer = null, on = null;

  function wsUrl() {
    var url = meta("sb-ws-url") || "/ws/seat";
    if (/^wss?:/.test(url)) return url;
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + url;
  }
  function connect() {
    retryTimer = null;
    var ws;
    try {
      ws = new WebSocket(wsUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    var opened = false;
    ws.onopen = function () {
      opened = true;
      lastHeardMs = Date.now();
    };
    ws.onmessage = function (event) {
      lastHeardMs = Date.now();
      var m;
      try {
        m = JSON.parse(event.data);
      } catch (e) {
        return; // not ours to show: the next snapshot repairs what a bad frame would have said
      }
      if (!m || typeof m !== "object") return;
      if (m.type === "snapshot") attempt = 0;
      on.message(m);
    };
    ws.onclose = function (event) {
      if (socket !== ws) return;
      socket = null;
      if (event.code === SESSION_ENDED) on.sessionEnded();
      else if (!opened) checkSession();
      else scheduleReconnect();
    };
  }
  function checkSession() {
    fetch(SESSION_URL, { credentials: "same-origin", cache: "no-store" }).then(
      function (response) {
        if (response.status === 401) on.sessionEnded(); // no retry: only logging in helps
        else scheduleReconnect(); // the session is fine (or the server is down): retry
      },
      function () { scheduleReconnect(); } // the network: retry
    );
  }
  function scheduleReconnect() {
    attempt += 1;
    // 0.5 s doubling to 15 s, with jitter so a restarted server is not hit by every seat at once.
    var delay = Math.min(15000, 500 * Math.pow(2, attempt - 1)) * (0.75 + Math.random() * 0.5);
    on.lost(attempt);
    if (retryTimer === null) retryTimer = setTimeout(connect, delay);
  }
  function heartbeat() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastHeardMs > SILENCE_LIMIT_MS) {
      socket.close(); // half-open: onclose reconnects and the snapshot catches up
      return;
    }
    socket.send(JSON.stringify({ type: "ping" }));
  }

  window.sbSeat.socket = {
    // callbacks: message(m), lost(attempt), sessionEnded()
    start: function (callbacks) {
      on = callbacks;
      setInterval(heartbeat, PING_EVERY_MS);
      connect();
    }
  };
})();
