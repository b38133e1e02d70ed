/* The agent seat: renders the websocket's snapshot and deltas (docs/websocket-api.md) and
 * posts the agent's actions to /api/v1/seat/. Plain script, no build step, no inline code
 * (the page's CSP forbids it). Every visible string goes through window.t (the catalogue).
 * Rendering tolerates missing fields: a pop may arrive before the database has answered. */
(function () {
  "use strict";

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

  // ---- what the page knows ---------------------------------------------------------------
  var seat = {
    agent: { queues: [] }, state: null, reason: null, sinceMs: null, offsetMs: 0,
    reasons: [], dispositions: {}, figures: null, call: null, wrapUp: null,
    saved: null, live: false, figuresAtMs: 0
  };
  function nowMs() {
    return Date.now() + seat.offsetMs;
  }

  // ---- messages --------------------------------------------------------------------------
  var handlers = {
    snapshot: function (m) {
      if (present(m.now)) seat.offsetMs = toMs(m.now) - Date.now();
      var agent = m.agent && typeof m.agent === "object" ? m.agent : {};
      seat.agent = {
        id: first(agent.id, agent.agent_id, m.agent_id),
        name: first(agent.name, agent.display_name, m.display_name),
        queues: asList(first(agent.queues, m.queues))
      };
      seat.reasons = asList(m.pause_reasons);
      seat.dispositions = m.dispositions || {};
      seat.figures = m.figures || null;
      seat.figuresAtMs = nowMs();
      var card = first(m.call, m.card);
      setCall(card && typeof card === "object" ? card : null, true);
      if (card && card.status === "wrap_up") startWrapUp(card);
      applyState(m); // after the card: a wrap-up state needs it
      seat.live = true;
      hideReconnecting();
      renderAll();
    },
    state: function (m) {
      applyState(m);
      renderAll();
    },
    pop: function (m) {
      setCall(cardOf(m), false);
      renderAll();
    },
    pop_update: function (m) {
      var update = cardOf(m);
      if (!seat.call || (present(update.call_id) && update.call_id !== seat.call.call_id)) return;
      merge(seat.call, update);
      normaliseCard(seat.call);
      seat.call.complete = true;
      renderAll();
    },
    call: function (m) {
      var update = cardOf(m);
      if (!seat.call || (present(update.call_id) && update.call_id !== seat.call.call_id)) return;
      var status = first(m.event, m.status, update.phase, update.status);
      if (status === "missed" || status === "done") {
        // The offer rang out or the call is handled: the card closes.
        setCall(null, false);
        renderAll();
        return;
      }
      merge(seat.call, update);
      normaliseCard(seat.call);
      if (status === "answered") seat.call.waitedFrozen = waitedSeconds(seat.call);
      if (present(status)) seat.call.status = status;
      if (status === "wrap_up") startWrapUp(m);
      renderAll();
    },
    figures: function (m) {
      seat.figures = m.figures || m;
      seat.figuresAtMs = nowMs();
      renderFigures();
    }
  };
  function cardOf(m) {
    var inner = first(m.call, m.card);
    var card = inner && typeof inner === "object" ? Object.assign({}, inner) : {};
    if (present(m.call_id) && !present(card.call_id)) card.call_id = m.call_id;
    if (!inner) {
      Object.keys(m).forEach(function (k) {
        if (k !== "v" && k !== "type") card[k] = m[k];
      });
    }
    return card;
  }
  function merge(target, update) {
    Object.keys(update).forEach(function (k) {
      if (k !== "v" && k !== "type" && update[k] !== undefined) target[k] = update[k];
    });
  }
  function applyState(m) {
    var s = m.state && typeof m.state === "object" ? m.state : m;
    if (present(s.state) && typeof s.state === "string") seat.state = s.state;
    else if (typeof m.state === "string") seat.state = m.state;
    seat.reason = first(s.reason, null);
    var since = toMs(s.since);
    seat.sinceMs = since === undefined ? nowMs() : since;
    var settled = seat.state === "ready" || notReady() || seat.state === "logged_out";
    if (settled && seat.call && seat.call.status === "wrap_up") {
      // Wrap-up ran out (or ended elsewhere): the card stays, its disposition still editable.
      seat.call.status = "ended";
      seat.wrapUp = null;
    }
    if (seat.state !== "wrap_up" && !(seat.call && seat.call.status === "wrap_up")) {
      seat.wrapUp = null;
    } else if (seat.state === "wrap_up" && !seat.wrapUp) {
      startWrapUp({ at: s.since }); // a snapshot taken during wrap-up: it began at `since`
    }
  }
  function setCall(card, fromSnapshot) {
    var previous = seat.call && seat.call.call_id;
    seat.call = card;
    if (!card) {
      seat.wrapUp = null;
      return;
    }
    card.receivedMs = nowMs();
    normaliseCard(card);
    if (typeof card.complete !== "boolean") card.complete = fromSnapshot || card.customer !== undefined;
    if (card.status !== "ringing") card.waitedFrozen = waitedSeconds(card);
    if (card.call_id !== previous) {
      seat.saved = null;
      seat.wrapUp = null;
      resetDispositionForm();
    }
  }
  function normaliseCard(card) {
    card.status = first(card.phase, card.status, "ringing");
  }
  function startWrapUp(m) {
    var total = first(m.wrap_up_s, m.wrapup_s, seat.call && seat.call.wrap_up_s);
    var until = toMs(first(m.wrap_up_until, m.until));
    var start = first(toMs(m.at), nowMs());
    if (until !== undefined && present(total)) start = until - total * 1000;
    seat.wrapUp = { startMs: start, totalS: present(total) ? Number(total) : null };
  }
  function waitedSeconds(card) {
    if (present(card.waitedFrozen)) return card.waitedFrozen;
    var base = Number(first(card.waited_s, card.waited, 0)) || 0;
    return base + (nowMs() - card.receivedMs) / 1000;
  }

  // ---- websocket with back-off -----------------------------------------------------------
  var socket = null, attempt = 0, lastHeardMs = 0, retryTimer = null;
  var PING_EVERY_MS = 20000, SILENCE_LIMIT_MS = 45000;
  var SESSION_ENDED = 4001; // the server's close code: reconnecting cannot help, logging in can
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
    ws.onopen = function () {
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
      if (m && typeof m === "object" && handlers[m.type]) {
        if (m.type === "snapshot") attempt = 0;
        handlers[m.type](m);
      }
    };
    ws.onclose = function (event) {
      if (socket !== ws) return;
      socket = null;
      if (event.code === SESSION_ENDED) sessionEnded();
      else scheduleReconnect();
    };
  }
  function scheduleReconnect() {
    seat.live = false;
    attempt += 1;
    // 0.5 s doubling to 15 s, with jitter so a restarted server is not hit by every seat at once.
    var delay = Math.min(15000, 500 * Math.pow(2, attempt - 1)) * (0.75 + Math.random() * 0.5);
    showReconnecting();
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
  function showReconnecting() {
    var banner = $("banner-reconnect");
    banner.textContent = tf("Connection lost: reconnecting… (attempt {n})", { n: attempt });
    banner.hidden = false;
    $("seat").classList.add("stale");
  }
  function sessionEnded() {
    seat.live = false;
    var banner = $("banner-reconnect");
    banner.textContent = t("Your session has ended: log in again.") + " ";
    var link = el("a", null, t("Go to the login page"));
    link.href = "/login";
    banner.appendChild(link);
    banner.hidden = false;
    $("seat").classList.add("stale");
  }
  function hideReconnecting() {
    $("banner-reconnect").hidden = true;
    $("seat").classList.remove("stale");
  }

  // ---- actions ---------------------------------------------------------------------------
  function showError(message) {
    $("error-text").textContent = message;
    $("banner-error").hidden = false;
  }
  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta("csrf-token") },
      body: JSON.stringify(body || {})
    }).then(
      function (response) {
        return response.text().then(function (text) {
          var data = null;
          try {
            data = text ? JSON.parse(text) : null;
          } catch (e) {
            data = null;
          }
          if (!response.ok) {
            var message = data && data.error && data.error.message;
            throw new Error(message || tf("The request failed (HTTP {status}).", { status: response.status }));
          }
          if (data && data.type === "state") handlers.state(data);
          return data;
        });
      },
      function () {
        throw new Error(t("Switchboard could not be reached: check the network and try again."));
      }
    ).catch(function (error) {
      showError(error.message);
      throw error;
    });
  }
  function quiet(promise) {
    return promise.catch(function () { return null; }); // already shown by post()
  }
  function setState(action, body) {
    closePauseMenu();
    return quiet(post("/api/v1/seat/" + action, body));
  }
  function notReady() {
    return seat.state === "not_ready" || seat.state === "paused";
  }
  function canReady() {
    return notReady() || seat.state === "wrap_up";
  }
  function canPause() {
    return present(seat.state) && seat.state !== "logged_out";
  }
  function canFinish() {
    return seat.state === "wrap_up" || !!(seat.call && seat.call.status === "wrap_up");
  }
  function selectedCode() {
    var checked = document.querySelector('#disposition-codes input[name="code"]:checked');
    return checked ? checked.value : null;
  }
  function saveDisposition() {
    var code = selectedCode();
    var note = $("disposition-note").value;
    if (!seat.call) return Promise.resolve(null);
    if (!code) {
      showError(t("Choose a disposition code first."));
      return Promise.reject(new Error("no code"));
    }
    var url = "/api/v1/seat/calls/" + encodeURIComponent(seat.call.call_id) + "/disposition";
    return post(url, { code: code, note: note }).then(function (data) {
      seat.saved = { code: code, note: note };
      renderDisposition();
      return data;
    });
  }
  function finishWrapUp() {
    if (!canFinish()) return Promise.resolve(null);
    var code = selectedCode();
    var unsaved = code && !(seat.saved && seat.saved.code === code &&
                            seat.saved.note === $("disposition-note").value);
    var before = unsaved ? saveDisposition() : Promise.resolve(null);
    return quiet(before.then(function () {
      return post("/api/v1/seat/finish-wrapup", {});
    }).then(function () {
      seat.wrapUp = null;
      setCall(null, false);
      renderAll();
    }));
  }
  function createCustomer(event) {
    event.preventDefault();
    var prefill = seat.call && seat.call.new_customer && typeof seat.call.new_customer === "object"
      ? seat.call.new_customer : {};
    var fields = Object.assign({}, prefill, {
      name: $("new-customer-name").value, phone: $("new-customer-phone").value
    });
    quiet(post("/api/v1/seat/customers", fields).then(function (data) {
      var customer = data && (data.customer || data);
      if (seat.call && customer) {
        seat.call.customer = customer;
        seat.call.complete = true;
      }
      $("new-customer").hidden = true;
      renderCall();
    }));
  }

  // ---- pause menu ------------------------------------------------------------------------
  function reasonCode(r) {
    return typeof r === "object" && r ? first(r.code, r.name, r.reason) : r;
  }
  function reasonLabel(r) {
    if (typeof r === "object" && r && present(r.label)) return r.label;
    return tKey("pause_reason.", reasonCode(r));
  }
  function openPauseMenu() {
    if (!canPause()) return;
    var menu = $("pause-reasons");
    menu.hidden = false;
    $("btn-pause").setAttribute("aria-expanded", "true");
    var item = menu.querySelector("button");
    if (item) item.focus();
  }
  function closePauseMenu() {
    $("pause-reasons").hidden = true;
    $("btn-pause").setAttribute("aria-expanded", "false");
  }
  function renderPauseMenu() {
    var menu = $("pause-reasons");
    var key = JSON.stringify(seat.reasons);
    if (menu.dataset.reasons === key) return; // rebuilt only on change: keeps the focus
    menu.dataset.reasons = key;
    menu.textContent = "";
    seat.reasons.forEach(function (r) {
      var li = el("li");
      li.setAttribute("role", "none");
      var button = el("button", "menu-item", reasonLabel(r));
      button.type = "button";
      button.setAttribute("role", "menuitem");
      button.dataset.reason = reasonCode(r);
      li.appendChild(button);
      menu.appendChild(li);
    });
    if (!seat.reasons.length) menu.appendChild(el("li", "menu-empty", t("No pause reasons are configured.")));
  }

  // ---- rendering -------------------------------------------------------------------------
  var STATE_LABELS = {
    ready: "Ready", not_ready: "Not ready", paused: "Not ready", logged_out: "Logged out",
    reserved: "Ringing", ringing: "Ringing",
    on_call: "On a call", busy: "On a call", talking: "On a call", wrap_up: "Wrap-up"
  };
  var CALL_STATUS = { ringing: "Ringing", answered: "On a call", ended: "Call ended", wrap_up: "Wrap-up" };
  var LANGUAGES = { cmn: "Mandarin", zh: "Mandarin", "zh-CN": "Mandarin", yue: "Cantonese", en: "English" };

  function renderAll() {
    renderState();
    renderCall();
    renderDisposition();
    renderFigures();
    renderClock();
  }
  function renderState() {
    var root = $("seat");
    root.dataset.state = seat.state || "connecting";
    $("state-label").textContent = present(seat.state)
      ? tKey("", STATE_LABELS[seat.state] || seat.state) : t("Connecting…");
    $("state-reason").textContent = notReady() && present(seat.reason)
      ? reasonLabel(seat.reason) : "";
    var loggedOut = seat.state === "logged_out";
    $("btn-ready").disabled = !canReady();
    $("btn-pause").disabled = !canPause();
    $("btn-logout").disabled = loggedOut || !present(seat.state);
    $("btn-logout").hidden = loggedOut;
    $("btn-login").hidden = !loggedOut;
    if (!canPause()) closePauseMenu();
    renderPauseMenu();
    var a = seat.agent;
    $("agent-name").textContent = present(a.name)
      ? a.name + (present(a.id) ? " (" + a.id + ")" : "") : (a.id || "");
    $("agent-queues").textContent = a.queues.join(" ");
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
  function maskedNode(full, masked) {
    if (!present(masked) || masked === full) return document.createTextNode(String(full));
    var button = el("button", "masked", masked);
    button.type = "button";
    button.title = t("Show the full value");
    button.dataset.full = String(full);
    return button;
  }
  function codeOf(c) {
    return typeof c === "object" && c ? first(c.code, c.name) : c;
  }
  function dispositionLabel(code, queue) {
    var found = codesFor(queue).filter(function (c) { return codeOf(c) === code; })[0];
    if (found && typeof found === "object" && present(found.label)) return found.label;
    return tKey("disposition.", code);
  }
  function customerOf(card) {
    return card.customer && typeof card.customer === "object" ? card.customer : null;
  }
  function renderCall() {
    var card = seat.call;
    $("call-empty").hidden = !!card;
    $("call-body").hidden = !card;
    $("call-card").dataset.status = card ? card.status : "";
    if (!card) return;
    var customer = customerOf(card);
    var pending = !card.complete;
    var failed = present(card.error);
    $("call-status").textContent = tKey("", CALL_STATUS[card.status] || card.status);
    text("call-queue", card.queue);
    $("customer-name").textContent = customer
      ? first(customer.name, customer.display_name, "—")
      : pending ? t("Looking up the caller…")
      : failed ? t("Customer details could not be read") : t("Unknown caller");
    $("call-loading").hidden = !pending;
    var vip = first(card.vip, card.vip_level, customer && first(customer.vip_level, customer.vip));
    var vipNode = $("call-vip");
    vipNode.hidden = !present(vip) || vip === 0 || vip === "0";
    vipNode.textContent = typeof vip === "number"
      ? t("VIP") + " " + new Array(Math.min(vip, 5) + 1).join("★") : t("VIP") + " " + vip;
    var language = first(card.language, customer && customer.language);
    $("call-language").textContent = present(language) ? tKey("", LANGUAGES[language] || language) : "";
    renderIdentifiers(card, customer);
    var unknown = !customer && !pending && !failed;
    $("btn-new-customer").hidden = !unknown || !$("new-customer").hidden;
    if (!unknown) $("new-customer").hidden = true;
    renderIvr(card);
    var tickets = asList(card.tickets).map(function (tk) {
      if (typeof tk !== "object" || !tk) return String(tk);
      var status = present(tk.status) ? " (" + tKey("ticket_status.", tk.status) + ")" : "";
      return (present(tk.id) ? "#" + tk.id + " " : "") + first(tk.title, tk.subject, "") + status;
    });
    listInto("call-tickets", tickets);
    var history = asList(first(card.last_calls, card.recent_calls)).slice(0, 5).map(function (c) {
      if (typeof c !== "object" || !c) return String(c);
      var at = toMs(first(c.at, c.started_at, c.date));
      var day = at === undefined ? "" : monthDay(new Date(at)) + " ";
      var code = codeOf(first(c.disposition, c.code));
      var what = present(code) ? dispositionLabel(code, c.queue)
        : present(c.outcome) ? tKey("outcome.", c.outcome) : t("no disposition");
      return day + what + (present(c.queue) ? " · " + c.queue : "");
    });
    listInto("call-history", history);
    var csat = first(card.csat, card.last_csat);
    $("call-csat").textContent = !present(csat) ? "—" : typeof csat === "object"
      ? first(csat.score, "—") + (present(csat.scale) ? "/" + csat.scale : "") : String(csat);
    if (pending) {
      ["call-tickets", "call-history", "call-csat"].forEach(function (id) { $(id).textContent = "…"; });
    }
  }
  function monthDay(date) {
    var m = date.getMonth() + 1, d = date.getDate();
    return (m < 10 ? "0" : "") + m + "-" + (d < 10 ? "0" : "") + d;
  }
  // The IVR: the steps entered, and what the caller keyed in, labelled with the flow's names.
  function renderIvr(card) {
    var ivr = card.ivr && typeof card.ivr === "object" ? card.ivr : {};
    var path = asList(first(ivr.path, card.ivr_path)).map(function (p) {
      return typeof p === "object" && p ? first(p.label, p.name, p.step, "") : p;
    });
    $("ivr-path").textContent = path.length ? path.join(" → ") : "—";
    var inputs = asList(first(ivr.inputs, Array.isArray(ivr.digits) ? ivr.digits : undefined));
    var items = inputs.map(function (d) {
      if (typeof d !== "object" || !d) return String(d);
      var label = first(d.label, d.name, d.key);
      var value = first(d.value, d.digits, "");
      var chosen = d.kind === "language" ? tKey("", LANGUAGES[d.value] || d.value) : d.value;
      var shown = d.kind === "menu" || d.kind === "language"
        ? document.createTextNode(first(d.digits, "") + (present(chosen) ? " → " + chosen : ""))
        : maskedNode(value, d.masked);
      return present(label) ? [tKey("ivr_label.", label) + ": ", shown] : shown;
    });
    var raw = first(typeof ivr.digits === "string" ? ivr.digits : undefined, card.ivr_digits, card.digits);
    if (!items.length && typeof raw === "object" && raw) {
      items = Object.keys(raw).map(function (k) { return tKey("ivr_label.", k) + ": " + raw[k]; });
    } else if (!items.length && present(raw)) {
      items = [t("Keys pressed") + ": " + raw];
    }
    listInto("ivr-digits", items);
  }
  function renderIdentifiers(card, customer) {
    var node = $("call-ids");
    node.textContent = "";
    var number = first(card.number, card.caller_number);
    var parts = present(number) ? [document.createTextNode(number)] : [];
    asList(customer && customer.identifiers).forEach(function (i) {
      var value = typeof i === "object" && i ? first(i.value, i.masked) : i;
      var kind = typeof i === "object" && i ? i.kind : "";
      if (!present(value) || value === number) return;
      var span = el("span", "identifier", present(kind) ? tKey("identifier.", kind) + " " : "");
      span.appendChild(maskedNode(value, typeof i === "object" && i ? i.masked : undefined));
      parts.push(span);
    });
    parts.forEach(function (part, index) {
      if (index) node.append(" · ");
      node.append(part);
    });
  }
  function codesFor(queue) {
    var card = seat.call;
    if (card && Array.isArray(card.dispositions) && card.dispositions.length &&
        (!present(queue) || queue === card.queue)) {
      return card.dispositions;
    }
    var d = seat.dispositions;
    if (Array.isArray(d)) return d;
    if (!d || typeof d !== "object") return [];
    var byQueue = d.by_queue && typeof d.by_queue === "object" ? d.by_queue : d;
    return asList(first(present(queue) ? byQueue[queue] : undefined, d["default"], d["*"]));
  }
  function resetDispositionForm() {
    $("disposition-codes").textContent = "";
    $("disposition-codes").dataset.callId = "";
    $("disposition-note").value = "";
    $("disposition-saved").textContent = "";
  }
  function renderDisposition() {
    var card = seat.call;
    var fieldset = $("disposition-codes");
    var callId = card ? String(card.call_id) : "";
    if (fieldset.dataset.callId !== callId || !fieldset.children.length) {
      fieldset.textContent = "";
      fieldset.dataset.callId = callId;
      codesFor(card && card.queue).forEach(function (c, index) {
        var code = codeOf(c);
        var label = el("label", "code");
        var input = el("input");
        input.type = "radio";
        input.name = "code";
        input.value = code;
        label.appendChild(input);
        label.appendChild(el("kbd", null, index < 9 ? String(index + 1) : ""));
        label.appendChild(el("span", null, dispositionLabel(code, card && card.queue)));
        fieldset.appendChild(label);
      });
      if (card && !fieldset.children.length) fieldset.appendChild(el("p", "muted", t("No disposition codes for this queue.")));
    }
    fieldset.disabled = !card;
    $("disposition-note").disabled = !card;
    $("btn-disposition").disabled = !card;
    $("btn-finish").disabled = !canFinish();
    var saved = seat.saved && seat.saved.code === selectedCode() &&
      seat.saved.note === $("disposition-note").value;
    $("disposition-saved").textContent = saved ? t("Saved") : "";
  }
  function renderFigures() {
    var f = seat.figures;
    var list = $("figures-list");
    list.textContent = "";
    if (!f || typeof f !== "object") {
      $("figures-short").textContent = "";
      list.appendChild(el("dd", "muted", "—"));
      return;
    }
    var handled = first(f.calls_handled, f.handled, 0);
    var aht = first(f.avg_handle_s, f.aht_s, f.average_handle_s);
    $("figures-short").textContent = tf("Today {n} calls", { n: handled }) +
      (present(aht) ? " · " + tf("avg {t}", { t: fmtDuration(aht) }) : "");
    var rows = [
      [t("Calls handled"), handled],
      [t("Average handle time"), present(aht) ? fmtDuration(aht) : "—"],
      [t("Missed offers"), first(f.missed_offers, f.missed, 0)]
    ];
    var byReason = Object.assign({}, first(f.not_ready_s, f.not_ready_by_reason, f.paused_s) || {});
    if (notReady() && present(seat.reason) && seat.sinceMs !== null) {
      // The figures count a running pause up to their own moment; the page counts on.
      var from = Math.max(seat.sinceMs, seat.figuresAtMs);
      byReason[seat.reason] = (Number(byReason[seat.reason]) || 0) + Math.max(0, (nowMs() - from) / 1000);
    }
    Object.keys(byReason).forEach(function (r) {
      rows.push([tf("Not ready: {reason}", { reason: reasonLabel(r) }), fmtDuration(byReason[r])]);
    });
    rows.forEach(function (row) {
      list.appendChild(el("dt", null, row[0]));
      list.appendChild(el("dd", null, row[1]));
    });
  }
  function renderClock() {
    if (notReady()) renderFigures();
    $("state-timer").textContent = seat.sinceMs === null ? "—" : fmtClock((nowMs() - seat.sinceMs) / 1000);
    var card = seat.call;
    $("call-waited").textContent = card ? tf("Waited {t}", { t: fmtDuration(waitedSeconds(card)) }) : "";
    var bar = $("wrapup");
    var w = seat.wrapUp;
    bar.hidden = !w;
    if (!w) return;
    var elapsed = (nowMs() - w.startMs) / 1000;
    var progress = $("wrapup-progress");
    if (w.totalS) {
      $("wrapup-text").textContent = tf("Wrap-up {elapsed} / {total}",
        { elapsed: fmtDuration(Math.min(elapsed, w.totalS)), total: fmtDuration(w.totalS) });
      progress.value = Math.min(1, elapsed / w.totalS);
      progress.hidden = false;
    } else {
      $("wrapup-text").textContent = tf("Wrap-up {elapsed}", { elapsed: fmtDuration(elapsed) });
      progress.hidden = true;
    }
  }

  // ---- wiring ----------------------------------------------------------------------------
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  function onKey(event) {
    // F8 / F9 / Ctrl+Enter: none is taken by Chromium or Firefox on a page.
    if (event.key === "F8" && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      if (canReady()) setState("ready");
    } else if (event.key === "F9" && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      openPauseMenu();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      finishWrapUp();
    } else if (event.key === "Escape" && !$("pause-reasons").hidden) {
      closePauseMenu();
      $("btn-pause").focus();
    } else if (/^[1-9]$/.test(event.key) && !typing(event.target) && !event.ctrlKey &&
               !event.altKey && !event.metaKey && !$("disposition-codes").disabled) {
      var inputs = document.querySelectorAll('#disposition-codes input[name="code"]');
      var input = inputs[Number(event.key) - 1];
      if (input) {
        input.checked = true;
        input.focus();
        renderDisposition();
      }
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !$("pause-reasons").hidden) {
      event.preventDefault();
      var items = Array.prototype.slice.call(document.querySelectorAll("#pause-reasons button"));
      var at = items.indexOf(document.activeElement);
      var next = items[(at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length];
      if (next) next.focus();
    }
  }
  function start() {
    $("btn-ready").addEventListener("click", function () { setState("ready"); });
    $("btn-login").addEventListener("click", function () { setState("login"); });
    $("btn-logout").addEventListener("click", function () { setState("logout"); });
    $("btn-pause").addEventListener("click", function () {
      if ($("pause-reasons").hidden) openPauseMenu(); else closePauseMenu();
    });
    $("pause-reasons").addEventListener("click", function (event) {
      var button = event.target.closest("button[data-reason]");
      if (button) setState("pause", { reason: button.dataset.reason });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".pause-menu")) closePauseMenu();
    });
    $("btn-error-close").addEventListener("click", function () { $("banner-error").hidden = true; });
    $("disposition-form").addEventListener("submit", function (event) {
      event.preventDefault();
      quiet(saveDisposition());
    });
    $("disposition-form").addEventListener("input", renderDisposition);
    $("disposition-form").addEventListener("change", renderDisposition);
    $("btn-finish").addEventListener("click", finishWrapUp);
    $("btn-new-customer").addEventListener("click", function () {
      $("new-customer").hidden = false;
      $("btn-new-customer").hidden = true;
      var call = seat.call || {};
      var prefill = call.new_customer && typeof call.new_customer === "object" ? call.new_customer : {};
      $("new-customer-phone").value = first(prefill.phone, call.number, call.caller_number, "");
      $("new-customer-name").value = "";
      $("new-customer-name").focus();
    });
    $("btn-new-customer-cancel").addEventListener("click", function () {
      $("new-customer").hidden = true;
      renderCall();
    });
    $("new-customer").addEventListener("submit", createCustomer);
    $("call-body").addEventListener("click", function (event) {
      var button = event.target.closest("button.masked");
      if (!button) return;
      button.replaceWith(document.createTextNode(button.dataset.full));
    });
    document.addEventListener("keydown", onKey);
    setInterval(renderClock, 1000);
    setInterval(heartbeat, PING_EVERY_MS);
    renderAll();
    connect();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
