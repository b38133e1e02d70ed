/* The agent seat: renders the websocket's snapshot and deltas (docs/websocket-api.md) and
 * posts the agent's actions to /api/v1/seat/. Plain script, no build step, no inline code
 * (the page's CSP forbids it). Every visible string goes through window.t (the catalogue).
 * Rendering tolerates missing fields: a pop may arrive before the database has answered. */
(function () {
  "use strict";
  var u = window.sbSeat.util, cardView = window.sbSeat.card;
  var t = u.t, tf = u.tf, tKey = u.tKey, $ = u.$, el = u.el, meta = u.meta;
  var present = u.present, first = u.first, asList = u.asList, toMs = u.toMs;
  var fmtClock = u.fmtClock, fmtDuration = u.fmtDuration;

  // ---- what the page knows ---------------------------------------------------------------
  var seat = {
    agent: { queues: [] }, state: null, reason: null, sinceMs: null,
    clock: { serverMs: null, browserMs: 0, rate: 1 },
    reasons: [], dispositions: {}, figures: null, call: null, wrapUp: null,
    saved: null, live: false, figuresAtMs: 0
  };
  // The server's clock (the seat's `now`), not the browser's: the two may differ (a demo
  // starts at a simulated date) and the server's may run `rate` times faster (the demo's
  // speed). Every message carrying `now` re-anchors it, so drift never accumulates.
  function nowMs() {
    var c = seat.clock;
    if (c.serverMs === null) return Date.now();
    return c.serverMs + (Date.now() - c.browserMs) * c.rate;
  }
  function anchorClock(m) {
    var server = present(m.now) ? toMs(m.now) : undefined;
    if (server === undefined) return;
    var rate = Number(m.rate);
    seat.clock = { serverMs: server, browserMs: Date.now(), rate: rate > 0 ? rate : 1 };
  }

  // ---- messages --------------------------------------------------------------------------
  var handlers = {
    snapshot: function (m) {
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
      // After the card: a wrap-up runs from the state's `since`, for the card's wrap_up_s.
      applyState(m);
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
      if (status === "missed" || (status === "done" && !unsavedDisposition())) {
        // The offer rang out or the call is handled: the card closes.
        setCall(null, false);
        renderAll();
        return;
      }
      if (status === "done") {
        // Handled while the agent was still choosing: the card stays until they save.
        seat.call.status = "ended";
        seat.call.closing = true;
        seat.wrapUp = null;
        renderAll();
        return;
      }
      merge(seat.call, update);
      normaliseCard(seat.call);
      if (status === "answered") {
        // The server's wait (queue and ring) when it says; a reload's snapshot says the same.
        seat.call.waitedFrozen = present(update.waited_s) ? Number(update.waited_s) : waitedSeconds(seat.call);
      }
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
  // ---- the call's recording (recorder; docs/recorder.md) -------------------------------
  // The state comes from the `recording` message (what Asterisk reported), never from the
  // button's answer; the buttons act on the agent's own answered call only.
  var RECORDING_LABELS = { recording: "Recording now", paused: "Recording paused", off: "Not recorded" };
  var recordingAsked = false;
  handlers.recording = function (m) {
    if (!seat.call || String(m.call_id) !== String(seat.call.call_id)) return;
    seat.call.recording = m.state;
    recordingAsked = false;
    renderRecording();
  };
  function renderRecording() {
    var card = seat.call, box = $("call-recording");
    var state = card && card.status === "answered" ? card.recording : undefined;
    box.hidden = !present(state);
    box.dataset.recording = state || "";
    $("recording-state").textContent = present(state) ? t(RECORDING_LABELS[state] || state) : "";
    $("btn-record").hidden = state !== "off";
    $("btn-recording-pause").hidden = state !== "recording";
    $("btn-recording-resume").hidden = state !== "paused";
    ["btn-record", "btn-recording-pause", "btn-recording-resume"].forEach(function (id) {
      $(id).disabled = recordingAsked;
    });
  }
  function askRecording(action) {
    if (!seat.call || recordingAsked) return;
    recordingAsked = true;
    renderRecording();
    var url = "/api/v1/seat/calls/" + encodeURIComponent(seat.call.call_id) + "/recording/" + action;
    quiet(post(url, {})).then(function (answer) {
      if (answer === null) { // refused (shown by post): the buttons come back
        recordingAsked = false;
        renderRecording();
      }
    });
  }
  function startRecordingButtons() {
    $("call-recording").addEventListener("click", function (event) {
      var button = event.target.closest("button[data-recording-action]");
      if (button) askRecording(button.dataset.recordingAction);
    });
  }
  // ---- end of the recording block --------------------------------------------------------

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

  function showReconnecting(attempt) {
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
  function unsavedDisposition() {
    var code = selectedCode(), note = $("disposition-note").value;
    if (!code && !note) return false;
    return !(seat.saved && seat.saved.code === code && seat.saved.note === note);
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
      if (seat.call && seat.call.closing) setCall(null, false); // kept only for this save
      renderAll();
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
      cardView.render(seat);
    }));
  }

  // The full value of a masked field: the server logs the look, then answers; until it
  // has, the card stays masked (and stays so when it refuses).
  function reveal(button) {
    var card = seat.call;
    if (!card || button.disabled) return;
    var field = button.dataset.field;
    button.disabled = true;
    var url = "/api/v1/seat/calls/" + encodeURIComponent(card.call_id) + "/reveal";
    quiet(post(url, { field: field }).then(function (data) {
      if (!data || !present(data.value)) return;
      card.revealed = card.revealed || {};
      card.revealed[field] = data.value;
      if (seat.call === card) cardView.render(seat);
    })).then(function () { button.disabled = false; });
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

  function renderAll() {
    renderState();
    cardView.render(seat);
    renderDisposition();
    renderFigures();
    renderClock();
    renderRecording();
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
      cardView.codesFor(seat, card && card.queue).forEach(function (c, index) {
        var code = cardView.codeOf(c);
        var label = el("label", "code");
        var input = el("input");
        input.type = "radio";
        input.name = "code";
        input.value = code;
        label.appendChild(input);
        label.appendChild(el("kbd", null, index < 9 ? String(index + 1) : ""));
        label.appendChild(el("span", null, cardView.dispositionLabel(seat, code, card && card.queue)));
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
  // ---- for seat.tickets.js (the card's "New ticket" form): the call shown, a redraw, post
  window.sbSeat.page = {
    call: function () { return seat.call; },
    render: renderAll,
    post: post
  };

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
      cardView.render(seat);
    });
    $("new-customer").addEventListener("submit", createCustomer);
    startRecordingButtons();
    $("call-body").addEventListener("click", function (event) {
      var button = event.target.closest("button.masked");
      if (button) reveal(button);
    });
    document.addEventListener("keydown", onKey);
    setInterval(renderClock, 1000);
    renderAll();
    window.sbSeat.socket.start({
      message: function (m) {
        anchorClock(m);
        if (handlers[m.type]) handlers[m.type](m);
      },
      lost: function (attempt) {
        seat.live = false;
        showReconnecting(attempt);
      },
      sessionEnded: sessionEnded
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
