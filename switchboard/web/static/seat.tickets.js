/* The card's "New ticket" (新建工单): one click opens a small form prefilled from the call
 * (customer, call id, type complaint, the first category), one click on Create opens the
 * ticket with the call linked (POST /api/v1/seat/tickets). The server then puts it first
 * in the card's open tickets (a pop_update); the page shows it at once from the answer.
 * Loaded after seat.js, whose window.sbSeat.page gives the call shown, render and post. */
(function () {
  "use strict";
  var u = window.sbSeat.util, page = window.sbSeat.page;
  var t = u.t, tf = u.tf, tKey = u.tKey, $ = u.$, el = u.el, present = u.present, first = u.first;
  var options = null; // GET /api/v1/seat/tickets/form: types, categories, priorities
  var formCall = null; // the call id the open form is for

  function loadOptions() {
    return fetch("/api/v1/seat/tickets/form", { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) {
      options = data && Array.isArray(data.categories) && data.categories.length ? data : null;
      sync();
    }, function () { options = null; });
  }
  function fillSelect(select, items, chosen) {
    select.textContent = "";
    items.forEach(function (item) {
      var option = el("option", null, item.label);
      option.value = item.code;
      option.selected = item.code === chosen;
      select.appendChild(option);
    });
  }
  function customerOf(call) {
    return call && call.customer && typeof call.customer === "object" ? call.customer : null;
  }
  function openForm() {
    var call = page.call();
    if (!call || !options) return;
    formCall = String(call.call_id);
    var customer = customerOf(call);
    $("ticket-customer").textContent = customer
      ? first(customer.name, "#" + customer.id) : t("Unknown caller");
    $("ticket-call").textContent = tf("Call {id}", { id: formCall });
    fillSelect($("ticket-type"), options.types.map(function (code) {
      return { code: code, label: tKey("ticket_type.", code) };
    }), options.default_type);
    fillSelect($("ticket-category"), options.categories.map(function (c) {
      return { code: c.code, label: tKey("ticket_category.", c.code) === c.code ? c.label : tKey("ticket_category.", c.code) };
    }), options.categories[0].code);
    $("ticket-note").value = "";
    $("ticket-done").textContent = "";
    $("ticket-form").hidden = false;
    $("btn-new-ticket").hidden = true;
    $("btn-ticket-create").focus();
  }
  function closeForm() {
    formCall = null;
    $("ticket-form").hidden = true;
    sync();
  }
  function create(event) {
    event.preventDefault();
    var call = page.call();
    if (formCall === null) return;
    var customer = call && String(call.call_id) === formCall ? customerOf(call) : null;
    var button = $("btn-ticket-create");
    button.disabled = true;
    // No note: the subject says what and who ("质量 · 张伟"); else the note's first line.
    var category = $("ticket-category");
    var who = customer ? customer.name : call && first(call.number, call.caller_number);
    var subject = $("ticket-note").value.trim() || !present(who) ? ""
      : category.options[category.selectedIndex].textContent + " · " + who;
    page.post("/api/v1/seat/tickets", {
      call_id: formCall,
      customer_id: customer && present(customer.id) ? Number(customer.id) : null,
      type: $("ticket-type").value,
      category: category.value,
      note: $("ticket-note").value,
      subject: subject
    }).then(function (data) {
      var ticket = data && data.ticket;
      var shown = page.call();
      if (ticket && shown && String(shown.call_id) === String(data.call_id)) {
        var others = (Array.isArray(shown.tickets) ? shown.tickets : []).filter(function (tk) {
          return !tk || tk.id !== ticket.id;
        });
        shown.tickets = [ticket].concat(others);
        page.render();
      }
      closeForm();
      if (ticket) $("ticket-done").textContent = tf("Ticket #{id} opened", { id: ticket.id });
    }).catch(function () { return null; }) // seat.js's post() shows the reason
      .then(function () { button.disabled = false; });
  }
  // The button follows the card: there with a call, gone without; a form for a call no
  // longer shown closes.
  function sync() {
    var call = page.call();
    var callId = call ? String(call.call_id) : null;
    if (formCall !== null && formCall !== callId) {
      formCall = null;
      $("ticket-form").hidden = true;
    }
    // Written only on a change: each write is a mutation, which would call this again.
    var hide = !call || !options || formCall !== null;
    if ($("btn-new-ticket").hidden !== hide) $("btn-new-ticket").hidden = hide;
    if (!call && $("ticket-done").textContent) $("ticket-done").textContent = "";
  }
  function start() {
    $("btn-new-ticket").addEventListener("click", openForm);
    $("btn-ticket-cancel").addEventListener("click", closeForm);
    $("ticket-form").addEventListener("submit", create);
    document.addEventListener("keydown", function (event) {
      // Alt+N: free in Chromium and Firefox (Alt+T opens Firefox's Tools menu); by its
      // key code, since Alt+N types a dead key on a Mac.
      if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyN") {
        event.preventDefault();
        if (formCall === null) openForm();
      } else if (event.key === "Escape" && formCall !== null) {
        closeForm();
      }
    });
    // The card is redrawn from seat.js on each message; a light watch keeps the button in step.
    new MutationObserver(sync).observe($("call-card"), { attributes: true, subtree: true, childList: true });
    loadOptions();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
