/* The wallboard: tiles per queue, agents, waiting calls and today's charts, from
 * /ws/wallboard's snapshot and deltas (docs/websocket-api.md, "Wallboard"). Clocks (longest
 * wait, time in state, call time) tick here between messages, from the server's time. */
(function () {
  "use strict";
  var u = window.sbSeat.util;
  var t = u.t, tf = u.tf, el = u.el, $ = u.$;
  var queues = {}; // name -> {queue, tile, waiting, series}
  var order = [];
  var agents = [];
  // The server's clock at the last message, this browser's then, and how many server
  // seconds pass per real one (a demo runs faster): the timers tick on the server's time.
  var anchor = { serverS: null, browserS: 0, rate: 1 };
  var live = false;
  var charts = {};

  function nowS() {
    var browser = Date.now() / 1000;
    if (anchor.serverS === null) return browser;
    return anchor.serverS + (browser - anchor.browserS) * anchor.rate;
  }
  function clock(seconds) {
    if (seconds === null || seconds === undefined || seconds < 0) return "—";
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    var ss = s % 60, two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + ":" + two(m) : m) + ":" + two(ss);
  }
  function pct(value) {
    return value === null || value === undefined ? "—" : value.toFixed(1) + "%";
  }
  function since(at) {
    return at === null || at === undefined ? null : nowS() - at;
  }
  function level(tile, waitS) {
    var c = tile.colours, sl = tile.service_level_pct;
    if ((sl !== null && sl < c.red_below_pct) || waitS > c.red_wait_s) return "red";
    if ((sl !== null && sl < c.amber_below_pct) || waitS > c.amber_wait_s) return "amber";
    return "ok";
  }
  var LEVEL_WORDS = { ok: "On target", amber: "Warning", red: "Breached" };
  var LEVEL_MARKS = { ok: "●", amber: "▲", red: "■" };

  // ---- tiles -------------------------------------------------------------------------------
  function figure(parent, label, cls, value) {
    var box = el("div", "wb-fig " + cls);
    box.appendChild(el("span", "wb-fig-label", label));
    box.appendChild(el("span", "wb-fig-value", value));
    parent.appendChild(box);
  }
  function tileNode(q) {
    var tile = q.tile, waitS = since(tile.oldest_since) || 0;
    var lv = level(tile, waitS);
    var node = el("article", "wb-tile wb-" + lv);
    node.dataset.queue = q.queue;
    node.dataset.level = lv;
    var head = el("header", "wb-tile-head");
    head.appendChild(el("h3", "wb-queue", u.tKey("queue.", q.queue)));
    head.appendChild(el("span", "wb-level", LEVEL_MARKS[lv] + " " + t(LEVEL_WORDS[lv])));
    node.appendChild(head);
    var main = el("div", "wb-main");
    figure(main, t("Waiting"), "wb-waiting", tile.waiting);
    figure(main, t("Longest wait"), "wb-longest", tile.waiting ? clock(waitS) : "—");
    // A number keeps its unit on the same line when the label wraps: "(20 s)", not "(20" "s)".
    var slLabel = tf("Service level ({s} s)", { s: Math.round(tile.service_level_s) });
    figure(main, slLabel.replace(/(\d) /g, "$1\u00a0"), "wb-sl", pct(tile.service_level_pct));
    node.appendChild(main);
    var more = el("div", "wb-more");
    figure(more, t("Abandoned"), "wb-abandon-pct", pct(tile.abandoned_pct));
    figure(more, t("Short abandons"), "wb-short", tile.short_abandons);
    figure(more, "ASA", "wb-asa", clock(tile.asa_s));
    figure(more, "AHT", "wb-aht", clock(tile.aht_s));
    figure(more, t("Offered"), "wb-offered", tile.offered);
    figure(more, t("Answered"), "wb-answered", tile.answered);
    figure(more, t("Abandoned calls"), "wb-abandoned", tile.abandoned);
    figure(more, t("Callbacks pending"), "wb-callbacks", tile.callbacks_pending);
    node.appendChild(more);
    var a = tile.agents;
    node.appendChild(el("p", "wb-agents-line",
      tf("Agents: {ready} ready · {busy} busy · {not_ready} not ready", a)));
    return node;
  }
  function renderTiles() {
    var box = $("wb-tiles");
    box.replaceChildren.apply(box, order.map(function (name) { return tileNode(queues[name]); }));
    $("wb-no-queues").hidden = order.length > 0;
  }

  // ---- tables ------------------------------------------------------------------------------
  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.appendChild(el("td", null, c)); });
    return tr;
  }
  function renderAgents() {
    var body = $("wb-agents").tBodies[0];
    body.replaceChildren.apply(body, agents.map(function (a) {
      var tr = row([
        a.name,
        u.tKey("state.", a.state),
        clock(since(a.since)),
        a.reason ? u.tKey("pause_reason.", a.reason) : "",
        a.call ? u.tKey("queue.", a.call.queue) : "",
        a.call ? clock(since(a.call.since)) : ""
      ]);
      tr.dataset.agent = a.agent_id;
      tr.className = "wb-state-" + a.state;
      return tr;
    }));
  }
  function renderWaiting() {
    var rows = [];
    order.forEach(function (name) {
      queues[name].waiting.forEach(function (c) { rows.push(c); });
    });
    var body = $("wb-waiting").tBodies[0];
    body.replaceChildren.apply(body, rows.map(function (c) {
      var tr = row([
        c.callback ? t("Callback") : String(c.position),
        c.customer ? c.customer + " · " + c.number : c.number || t("Unknown caller"),
        c.vip_tier ? "★".repeat(Math.min(c.vip_tier, 5)) : "",
        c.language ? u.tKey("language.", c.language) : "",
        u.tKey("queue.", c.queue),
        clock(since(c.since))
      ]);
      tr.dataset.call = c.call_id;
      if (c.callback) tr.className = "wb-callback";
      return tr;
    }));
  }

  // ---- charts (ECharts) ----------------------------------------------------------------------
  // The site's clock time of an interval (the day starts at the site's midnight, whatever
  // this browser's time zone).
  function hhmm(secondsIntoDay) {
    var m = Math.round(secondsIntoDay / 60), two = function (n) { return (n < 10 ? "0" : "") + n; };
    return two(Math.floor(m / 60) % 24) + ":" + two(m % 60);
  }
  function chartOption(field, yName, max) {
    var longest = 0, step = 900;
    order.forEach(function (name) {
      var s = queues[name].series;
      if (s[field].length > longest) { longest = s[field].length; step = s.step_s; }
    });
    var labels = [];
    for (var i = 0; i < longest; i++) labels.push(hhmm(i * step));
    return {
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 28 },
      legend: { top: 0, data: order.map(function (n) { return u.tKey("queue.", n); }) },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value", name: yName, min: 0, max: max, minInterval: 1 },
      series: order.map(function (name) {
        return { name: u.tKey("queue.", name), type: "line", connectNulls: false,
                 showSymbol: true, symbolSize: 5, data: queues[name].series[field] };
      })
    };
  }
  function renderCharts() {
    if (!window.echarts) return; // the vendor file is missing: `make vendor` installs it
    [["sl", "service_level_pct", "%", 100], ["waiting", "waiting", "", null]].forEach(function (c) {
      var node = $("wb-chart-" + c[0]);
      if (!charts[c[0]]) charts[c[0]] = window.echarts.init(node, null, { renderer: "svg" });
      charts[c[0]].setOption(chartOption(c[1], c[2], c[3]), true);
    });
  }

  // ---- messages ------------------------------------------------------------------------------
  function take(q) {
    if (!queues[q.queue]) {
      order.push(q.queue);
      order.sort();
    }
    queues[q.queue] = q;
  }
  function setLive(yes, text) {
    live = yes;
    var board = $("wallboard");
    board.dataset.state = yes ? "live" : "stale";
    $("wb-status").textContent = text;
  }
  function message(m) {
    if (typeof m.now === "number") {
      var rate = typeof m.rate === "number" && m.rate > 0 ? m.rate : 1;
      anchor = { serverS: m.now, browserS: Date.now() / 1000, rate: rate };
    }
    if (m.type === "snapshot") {
      queues = {};
      order = [];
      m.queues.forEach(take);
      agents = m.agents;
      setLive(true, t("Live"));
    } else if (m.type === "queue") {
      take(m);
    } else if (m.type === "agents") {
      agents = m.agents;
    } else {
      return;
    }
    render();
  }
  function render() {
    renderTiles();
    renderAgents();
    renderWaiting();
    renderCharts();
  }
  function tick() {
    if (!live) return;
    renderTiles();
    renderAgents();
    renderWaiting();
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.sbSeat.socket.start({
      message: message,
      lost: function () {
        // Never a stale figure shown as live: greyed, and said, until the next snapshot.
        setLive(false, t("Reconnecting…"));
      },
      sessionEnded: function () {
        window.location.assign("/login");
      }
    });
    setInterval(tick, 1000);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
  });
})();
