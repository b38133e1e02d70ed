/* The call card: who is calling, what they told the IVR, their history; filled from the
 * pop at once and from pop_update when the database answers (docs/websocket-api.md). */
(function () {
  "use strict";
  var u = window.sbSeat.util;
  var t = u.t, tKey = u.tKey, $ = u.$, el = u.el, present = u.present, first = u.first;
  var asList = u.asList, toMs = u.toMs, text = u.text, listInto = u.listInto;
  var maskedNode = u.maskedNode, monthDay = u.monthDay, LANGUAGES = u.LANGUAGES;
  var seat = null; // the page's state, given to render()
  var CALL_STATUS = { ringing: "Ringing", answered: "On a call", ended: "Call ended", wrap_up: "Wrap-up" };
  function codeOf(c) {
    return typeof c === "object" && c ? first(c.code, c.name) : c;
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
    if (customer && customer.id) $("customer-name").replaceChildren(Object.assign(document.createElement("a"), { href: "/customers/" + customer.id, target: "_blank", textContent: $("customer-name").textContent }));  // the history in a new tab: the seat stays on the call
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
      var chosen = d.kind === "language" ? tKey("", LANGUAGES[d.value] || d.value) : d.value;
      var shown = d.kind === "menu" || d.kind === "language"
        ? document.createTextNode(first(d.digits, "") + (present(chosen) ? " → " + chosen : ""))
        : present(d.field) ? maskedNode(d.masked, d.field, card.revealed)
        : document.createTextNode(String(first(d.value, d.digits, d.masked, "")));
      return present(label) ? [tKey("ivr_label.", label) + ": ", shown] : shown;
    });
    var raw = first(typeof ivr.digits === "string" ? ivr.digits : undefined, card.ivr_digits, card.digits);
    if (!items.length && typeof raw === "object" && raw) {
      items = Object.keys(raw).map(function (k) { return tKey("ivr_label.", k) + ": " + raw[k]; });
    } else if (!items.length && present(raw)) {
      // The offer's keys (app_queue) come masked: the full digits are a logged look away.
      var field = typeof ivr.digits === "string" && present(ivr.digits) ? "ivr.digits" : "ivr_digits";
      items = [[t("Keys pressed") + ": ", maskedNode(raw, field, card.revealed)]];
    }
    listInto("ivr-digits", items);
  }
  function renderIdentifiers(card, customer) {
    var node = $("call-ids");
    node.textContent = "";
    var number = first(card.number, card.caller_number);
    var parts = present(number) ? [document.createTextNode(number)] : [];
    asList(customer && customer.identifiers).forEach(function (i) {
      if (typeof i !== "object" || !i) return;
      // The caller's own number is shown above; its masked twin would say nothing more.
      if (i.kind === "phone" && present(number) && present(i.masked) &&
          String(number).slice(-4) === String(i.masked).slice(-4)) return;
      var span = el("span", "identifier", present(i.kind) ? tKey("identifier.", i.kind) + " " : "");
      span.appendChild(maskedNode(first(i.masked, i.value), i.field, card.revealed));
      parts.push(span);
    });
    parts.forEach(function (part, index) {
      if (index) node.append(" · ");
      node.append(part);
    });
  }
  window.sbSeat.card = {
    render: function (state) {
      seat = state;
      renderCall();
    },
    codesFor: function (state, queue) {
      seat = state;
      return codesFor(queue);
    },
    codeOf: codeOf,
    dispositionLabel: function (state, code, queue) {
      seat = state;
      return dispositionLabel(code, queue);
    }
  };
})();
