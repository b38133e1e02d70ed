// The recordings page: times are shown in the browser's zone (the server renders them in
// the zone the form's hidden "tz" names, so a first visit is sent there once); the pause
// list seeks the player; an audio error is said in words. The <audio> reads
// /recordings/<id>/audio itself: each Range request it makes is checked and audited there.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (err) {
    zone = "";
  }
  var url = new URL(window.location.href);
  if (zone && !url.searchParams.get("tz")) {
    url.searchParams.set("tz", zone);
    window.location.replace(url.toString());
    return;
  }
  var hidden = document.querySelector('#rc-search input[name="tz"]');
  if (hidden && !hidden.value) hidden.value = zone;

  var audio = document.getElementById("rc-audio");
  var problem = document.getElementById("rc-audio-error");
  if (audio && problem) {
    audio.addEventListener("error", function () {
      problem.textContent = t("The audio could not be loaded: the file may be gone or unreadable.");
      problem.hidden = false;
    });
  }
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-seek]") : null;
    if (!target || !audio) return;
    audio.currentTime = Number(target.getAttribute("data-seek")) || 0;
    audio.play().catch(function () { /* the user presses play themselves */ });
  });
  var player = document.getElementById("rc-player");
  if (player && player.scrollIntoView) player.scrollIntoView({ block: "nearest" });
})();
