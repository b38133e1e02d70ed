// Every page: window.sbPost (a JSON POST carrying the session's CSRF token), and the
// account bar's language switch and logout buttons.
(function () {
  "use strict";
  function meta(name) {
    var node = document.querySelector('meta[name="' + name + '"]');
    return node ? node.getAttribute("content") : "";
  }

  window.sbPost = function (url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta("csrf-token") },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var error = new Error((data.error && data.error.message) || response.statusText);
          error.code = data.error && data.error.code;
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  };

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var lang = target && target.closest("[data-sb-language]");
    if (lang) {
      window.sbPost("/api/v1/me/language", { language: lang.getAttribute("data-sb-language") })
        .then(function () { window.location.reload(); });
      return;
    }
    if (target && target.closest("[data-sb-logout]")) {
      window.sbPost("/logout", {}).then(function (data) {
        window.location.assign(data.redirect || "/login");
      }, function () { window.location.assign("/login"); });
    }
  });
})();
