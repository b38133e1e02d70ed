/* The reports page: reads the form, asks GET /api/v1/reports/{kind} (same-origin session
 * cookie) and draws the table and the charts from the report's columns and units, so any
 * report kind with the common JSON form (docs/reports.md) shows without code here. CHARTS
 * picks the charted columns of the kinds that want more than the default choice. The
 * forecast reads weeks of history instead of a period: its own fields replace the range,
 * its rows are weekday + time of day, and its chart marks the peak and off-peak. */
(function () {
  "use strict";
  var root = document.getElementById("reports");
  if (!root) return;
  var t = window.t;
  var form = document.getElementById("rp-form");
  var field = function (id) { return document.getElementById(id); };
  var zone = root.getAttribute("data-timezone") || "UTC";

  // Per kind: bars of counts with a percentage line (right axis), and times in seconds.
  // A kind not here gets its first count, percentage and seconds columns.
  var CHARTS = {
    queue: { bars: ["offered", "answered", "abandoned"], line: ["service_level_1_pct"],
      times: ["asa_s", "aht_s", "longest_wait_s"], stackTimes: false },
    agent: { bars: ["handled", "missed_offers"], line: ["occupancy_pct"],
      times: ["ready_s", "reserved_s", "on_call_s", "wrap_up_s", "not_ready_s"],
      stackTimes: true }
  };
  // The forecast's two charts (drawForecast): agents per interval with the calls expected
  // on their own axis, and the service level and occupancy those agents would give.
  var FORECAST_CHARTS = { bars: ["agents", "scheduled"], calls: "offered",
    rates: ["service_level_pct", "occupancy_pct"] };
  // Text values that are data, shown translated (the API, CSV and XLSX keep the codes).
  var VALUES = {
    weekday: { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday",
      fri: "Friday", sat: "Saturday", sun: "Sunday" },
    peak: { peak: "Peak", off_peak: "Off-peak" }
  };
  function value(key, text) {
    var names = VALUES[key];
    return names && names[text] ? t(names[text]) : text;
  }
  var PEAKS = { peak: "rgba(220, 38, 38, 0.22)", off_peak: "rgba(22, 163, 74, 0.18)" };
  // Labels carrying a value (a threshold, a score, a reason, a code): the English label's
  // shape, the msgid translating it ({0} being the value) and, for a reason or a code, the
  // prefix of the value's own msgid (the seat's words, or the site's: [seat]
  // disposition_labels, [queues] pause_reason_labels).
  var SHAPES = [
    [/^Service level \((.+) s\)$/, "Service level ({0} s)"],
    [/^CSAT (\d+)$/, "CSAT {0}"],
    [/^Not ready: (.*)$/, "Not ready: {0}", "pause_reason."],
    [/^Disposition: (.*)$/, "Disposition: {0}", "disposition."],
    [/^Option (.+)$/, "Option {0}"]
  ];
  function valueOf(prefix, code) {
    if (!prefix) return code;
    var own = t(prefix + code);
    return own === prefix + code ? code : own;
  }

  // A column whose label another page translates differently (the wallboard's "Abandoned"
  // is a rate) has its own key, report.column.<key>.
  function label(english, key) {
    var mine = key ? t("report.column." + key) : null;
    if (key && mine !== "report.column." + key) return mine;
    var own = t(english);
    if (own !== english) return own;
    for (var i = 0; i < SHAPES.length; i++) {
      var m = SHAPES[i][0].exec(english);
      if (m) return t(SHAPES[i][1]).replace("{0}", valueOf(SHAPES[i][2], m[1]));
    }
    return english;
  }

  // ---- values by unit ------------------------------------------------------------------
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) {
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + two(m) : m) + ":" + two(s % 60);
  }
  function when(iso, interval) {
    // The API writes interval starts in the centre's zone with their offset: the wall
    // clock is the string's own, whatever zone this browser is in.
    var day = iso.slice(0, 10), time = iso.slice(11, 16);
    if (interval === "month") return iso.slice(0, 7);
    if (interval === "day" || interval === "week") return day;
    return day.slice(5) + " " + time;
  }
  function show(value, unit, interval) {
    if (value === null || value === undefined) return "—"; // nothing to average
    switch (unit) {
      case "interval": return when(value, interval);
      case "s": return clock(value);
      case "pct": return value.toFixed(1) + "%";
      case "score": case "erlang": return value.toFixed(2);
      default: return String(value);
    }
  }

  // ---- dates in the centre's zone ------------------------------------------------------
  function today() {
    var parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric",
      month: "2-digit", day: "2-digit" }).formatToParts(new Date());
    var get = function (type) {
      return Number(parts.filter(function (p) { return p.type === type; })[0].value);
    };
    return new Date(Date.UTC(get("year"), get("month") - 1, get("day")));
  }
  function iso(date) { return date.toISOString().slice(0, 10); }
  function plusDays(date, days) { return new Date(date.getTime() + days * 86400000); }
  function range(preset) {
    var d = today(), monday = plusDays(d, -((d.getUTCDay() + 6) % 7));
    var first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
    switch (preset) {
      case "today": return [d, d];
      case "yesterday": return [plusDays(d, -1), plusDays(d, -1)];
      case "this_week": return [monday, plusDays(monday, 6)];
      case "last_week": return [plusDays(monday, -7), plusDays(monday, -1)];
      case "this_month":
        return [first, plusDays(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)), -1)];
      case "last_month":
        return [new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)), plusDays(first, -1)];
      default: return null;
    }
  }
  function applyPreset() {
    var span = range(field("rp-preset").value);
    if (!span) return;
    field("rp-from").value = iso(span[0]);
    field("rp-to").value = iso(span[1]);
  }

  // ---- the forecast's fields -------------------------------------------------------------
  function forecasting() { return field("rp-kind").value === "forecast"; }
  function showFields() {
    var mine = forecasting();
    Array.prototype.forEach.call(form.querySelectorAll(".rp-range"), function (node) {
      node.hidden = mine;
    });
    Array.prototype.forEach.call(form.querySelectorAll(".rp-fc"), function (node) {
      node.hidden = !mine;
    });
    var queue = field("rp-queue");
    // A forecast is of one queue: "all queues" is not one.
    queue.options[0].disabled = mine;
    if (mine && !queue.value && queue.options.length > 1) queue.selectedIndex = 1;
  }
  function fraction(id) {
    var text = field(id).value.trim();
    return text === "" || isNaN(Number(text)) ? text : String(Number(text) / 100);
  }
  var FORECAST = [["rp-fc-interval", "interval"], ["rp-weeks", "weeks"],
    ["rp-target", "target"], ["rp-shrinkage", "shrinkage"], ["rp-occupancy", "occupancy"]];

  // ---- the request ---------------------------------------------------------------------
  function query() {
    var params = new URLSearchParams();
    if (forecasting()) {
      params.set("queue", field("rp-queue").value);
      params.set("interval", field("rp-fc-interval").value);
      params.set("weeks", field("rp-weeks").value.trim());
      params.set("target", field("rp-target").value.trim());
      params.set("shrinkage", fraction("rp-shrinkage"));
      params.set("max_occupancy", fraction("rp-occupancy"));
      return params;
    }
    params.set("from", field("rp-from").value);
    params.set("to", field("rp-to").value);
    params.set("interval", field("rp-interval").value);
    var queue = field("rp-queue").value, agent = field("rp-agent").value.replace(/\s+/g, "");
    if (queue) params.set("queue", queue);
    if (agent) params.set("agent", agent);
    return params;
  }
  function apiUrl(format) {
    var params = query();
    if (format) params.set("format", format);
    return "/api/v1/reports/" + encodeURIComponent(field("rp-kind").value) + "?" + params;
  }
  function setExports(ready) {
    ["csv", "xlsx"].forEach(function (format) {
      var link = field("rp-" + format);
      link.href = ready ? apiUrl(format) : "#";
      link.setAttribute("aria-disabled", ready ? "false" : "true");
    });
  }
  function remember() {
    var params = query();
    params.set("kind", field("rp-kind").value);
    if (forecasting()) {  // the page's own fields, as the user typed them
      FORECAST.forEach(function (pair) { params.set(pair[1], field(pair[0]).value); });
      params.delete("max_occupancy");
    } else {
      params.set("preset", field("rp-preset").value);
    }
    history.replaceState(null, "", "/reports?" + params);
  }

  var asked = 0;
  function run() {
    var mine = ++asked;
    remember();
    setExports(false);
    root.setAttribute("data-state", "loading");
    field("rp-problem").hidden = true;
    field("rp-status").textContent = t("Loading…");
    fetch(apiUrl(null), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var message = body.error && body.error.message;
            throw new Error(message || t("The server answered") + " " + response.status);
          }
          return body;
        });
      })
      .then(function (report) {
        if (mine !== asked) return;
        draw(report);
        setExports(true);
        root.setAttribute("data-state", "ready");
      }, function (error) {
        if (mine !== asked) return;
        var problem = field("rp-problem");
        problem.textContent = error.message || t("The report could not be loaded.");
        problem.hidden = false;
        field("rp-status").textContent = "";
        field("rp-table-box").hidden = true;
        field("rp-charts").hidden = true;
        root.setAttribute("data-state", "error");
      });
  }

  // ---- the table -----------------------------------------------------------------------
  function cell(tag, text, cls) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function drawTable(report) {
    var interval = report.parameters.interval;
    var head = document.createElement("tr");
    report.columns.forEach(function (c, i) {
      var th = cell("th", label(c.label, c.key), "rp-" + c.unit + (i < 2 ? " rp-fixed" + i : ""));
      th.dataset.key = c.key;
      th.scope = "col";
      head.appendChild(th);
    });
    var body = document.createDocumentFragment();
    report.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      report.columns.forEach(function (c, i) {
        var td = cell("td", c.unit === "text" ? value(c.key, row[c.key])
          : show(row[c.key], c.unit, interval),
          "rp-" + c.unit + (i < 2 ? " rp-fixed" + i : ""));
        td.dataset.key = c.key;
        if (c.unit === "interval") td.title = row[c.key];
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var table = field("rp-table");
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren(body);
    field("rp-table-box").hidden = false;
    field("rp-status").textContent = report.rows.length
      ? t("Rows:") + " " + report.rows.length
      : t("Nothing to show for this range.");
  }

  // ---- the charts ----------------------------------------------------------------------
  var charts = {};
  var current = null;
  function columnsOf(report, unit, count) {
    return report.columns.filter(function (c) { return c.unit === unit; })
      .slice(0, count).map(function (c) { return c.key; });
  }
  function chartSpec(report) {
    var known = {};
    report.columns.forEach(function (c) { known[c.key] = c; });
    var spec = CHARTS[report.kind] || { bars: columnsOf(report, "count", 3),
      line: columnsOf(report, "pct", 1), times: columnsOf(report, "s", 3), stackTimes: false };
    var keep = function (keys) { return keys.filter(function (k) { return known[k]; }); };
    return { bars: keep(spec.bars), line: keep(spec.line), times: keep(spec.times),
      stackTimes: spec.stackTimes, known: known };
  }
  function subjectKey(report) {
    var text = report.columns.filter(function (c) { return c.unit === "text"; })[0];
    return text ? text.key : null;
  }
  function chart(id) {
    if (!charts[id]) charts[id] = window.echarts.init(field(id), null, { renderer: "svg" });
    return charts[id];
  }
  function series(rows, key, type, extra) {
    return Object.assign({ type: type, name: key, data: rows.map(function (r) {
      return r[key] === undefined ? null : r[key];
    }) }, extra || {});
  }
  // Ticks of a seconds axis on whole minutes or hours (4 to 8 of them), never 16:40.
  var STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  function timeStep(longest) {
    for (var i = 0; i < STEPS.length; i++) if (longest / STEPS[i] <= 6) return STEPS[i];
    return Math.ceil(longest / 6 / 86400) * 86400;
  }
  function drawCharts(report) {
    if (!window.echarts) return;
    var spec = chartSpec(report), interval = report.parameters.interval;
    var key = subjectKey(report), select = field("rp-subject");
    var subjects = [];
    report.rows.forEach(function (r) {
      if (key && subjects.indexOf(r[key]) < 0) subjects.push(r[key]);
    });
    var chosen = subjects.indexOf(select.value) >= 0 ? select.value : subjects[0];
    select.replaceChildren.apply(select, subjects.map(function (s) {
      var option = cell("option", value(key, s));
      option.value = s;
      option.selected = s === chosen;
      return option;
    }));
    field("rp-subject-label").hidden = subjects.length < 2;
    var rows = key ? report.rows.filter(function (r) { return r[key] === chosen; }) : report.rows;
    // A forecast's rows are times of day (of the weekday chosen), not intervals.
    var times = rows.map(function (r) {
      return r.interval === undefined ? r.start : when(r.interval, interval);
    });
    var name = function (k) { return label(spec.known[k].label, k); };
    field("rp-chart-title").textContent = key && chosen !== undefined
      ? label(spec.known[key].label) + ": " + value(key, chosen) : "";
    field("rp-charts").hidden = !rows.length;
    if (!rows.length) return;
    var base = {
      animation: false,
      grid: { left: 56, right: 56, top: 48, bottom: 56 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      xAxis: { type: "category", data: times, axisLabel: { hideOverlap: true } },
      dataZoom: rows.length > 48 ? [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }] : []
    };
    if (report.kind === "forecast") {
      drawForecast(report, rows, base, name);
      return;
    }
    var counts = spec.bars.map(function (k) {
      return series(rows, k, "bar", { name: name(k) });
    }).concat(spec.line.map(function (k) {
      return series(rows, k, "line", { name: name(k), yAxisIndex: 1, symbolSize: 7,
        tooltip: { valueFormatter: function (v) { return show(v, "pct"); } } });
    }));
    chart("rp-chart-counts").setOption(Object.assign({}, base, {
      yAxis: [{ type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: counts
    }), true);
    var timed = spec.times.map(function (k) {
      return series(rows, k, spec.stackTimes ? "bar" : "line", { name: name(k), symbolSize: 6,
        stack: spec.stackTimes ? "time" : undefined,
        tooltip: { valueFormatter: function (v) { return show(v, "s"); } } });
    });
    var longest = Math.max.apply(null, [60].concat(rows.map(function (r) {
      return spec.stackTimes
        ? spec.times.reduce(function (sum, k) { return sum + (r[k] || 0); }, 0)
        : Math.max.apply(null, spec.times.map(function (k) { return r[k] || 0; }));
    })));
    var step = timeStep(longest);
    chart("rp-chart-rates").setOption(Object.assign({}, base, {
      yAxis: [{ type: "value", interval: step, max: Math.ceil(longest / step) * step,
        axisLabel: { formatter: function (v) { return clock(v); } } }],
      series: timed
    }), true);
    resizeCharts(); // shown just now
  }
  function resizeCharts() {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  }

  // The forecast: bars of agents (peak and off-peak shaded), the calls expected as a dashed
  // line on the right axis; then the service level (the target drawn) and occupancy.
  function drawForecast(report, rows, base, name) {
    var times = base.xAxis.data, pct = function (v) { return show(v, "pct"); };
    var agents = FORECAST_CHARTS.bars.map(function (k) {
      return series(rows, k, "bar", { name: name(k) });
    });
    agents[agents.length - 1].markArea = peakAreas(rows, times);
    agents.push(series(rows, FORECAST_CHARTS.calls, "line", { name: name(FORECAST_CHARTS.calls),
      yAxisIndex: 1, symbolSize: 5, lineStyle: { type: "dashed" } }));
    chart("rp-chart-counts").setOption(Object.assign({}, base, {
      // A tick (hidden) on every interval: ECharts ends marked areas on ticks, and a peak
      // of one interval between thinned ticks would have no width.
      xAxis: Object.assign({}, base.xAxis, { axisTick: { show: false, interval: 0 } }),
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1 }],
      series: agents
    }), true);
    var target = Number(String(report.parameters.target).split("/")[0]);
    var rates = FORECAST_CHARTS.rates.map(function (k) {
      return series(rows, k, "line", { name: name(k), symbolSize: 6,
        tooltip: { valueFormatter: pct } });
    });
    if (target) {
      rates[0].markLine = { silent: true, symbol: "none", lineStyle: { type: "dotted" },
        label: { formatter: report.parameters.target, position: "insideEndTop" },
        data: [{ yAxis: target }] };
    }
    chart("rp-chart-rates").setOption(Object.assign({}, base, {
      yAxis: [{ type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: rates
    }), true);
    resizeCharts();
  }

  // The forecast's peak and off-peak intervals as shaded, labelled stretches of the axis.
  function peakAreas(rows, times) {
    var areas = [];
    rows.forEach(function (r, i) {
      var mark = r.peak, last = areas[areas.length - 1];
      if (!PEAKS[mark]) return;
      if (last && last.mark === mark && last.end === i - 1) { last.end = i; return; }
      areas.push({ mark: mark, start: i, end: i });
    });
    return { silent: true, label: { position: "top", color: "#5b6473", fontSize: 11 },
      data: areas.map(function (a) {
        return [{ name: value("peak", a.mark), xAxis: times[a.start],
          itemStyle: { color: PEAKS[a.mark] } }, { xAxis: times[a.end] }];
      }) };
  }

  function draw(report) {
    current = report;
    drawTable(report);
    drawCharts(report);
  }

  // ---- wiring --------------------------------------------------------------------------
  function fill() {
    var params = new URLSearchParams(window.location.search);
    var set = function (id, name) {
      var value = params.get(name);
      if (value !== null) field(id).value = value;
    };
    set("rp-kind", "kind"); set("rp-preset", "preset"); set("rp-queue", "queue");
    if (params.get("kind") === "forecast") {
      FORECAST.forEach(function (pair) { set(pair[0], pair[1]); });
    } else {
      set("rp-interval", "interval"); set("rp-agent", "agent");
    }
    if (!field("rp-kind").value) field("rp-kind").selectedIndex = 0;
    if (!field("rp-preset").value) field("rp-preset").value = "today";
    if (!field("rp-interval").value) field("rp-interval").value = "hour";
    if (field("rp-preset").value === "custom" && params.get("from")) {
      set("rp-from", "from"); set("rp-to", "to");
    } else {
      applyPreset();
    }
  }
  field("rp-preset").addEventListener("change", function () {
    applyPreset();
    run();
  });
  ["rp-from", "rp-to"].forEach(function (id) {
    field(id).addEventListener("change", function () { field("rp-preset").value = "custom"; });
  });
  field("rp-kind").addEventListener("change", function () {
    showFields();
    run();
  });
  ["rp-interval", "rp-queue", "rp-fc-interval"].forEach(function (id) {
    field(id).addEventListener("change", run);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  field("rp-subject").addEventListener("change", function () {
    if (current) drawCharts(current);
  });
  ["rp-csv", "rp-xlsx"].forEach(function (id) {
    field(id).addEventListener("click", function (event) {
      if (field(id).getAttribute("aria-disabled") === "true") event.preventDefault();
    });
  });
  window.addEventListener("resize", function () {
    resizeCharts();
  });
  fill();
  showFields();
  run();
})();
