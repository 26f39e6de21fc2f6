// The arrivals board reloads its timeline when the store's boards are told something changed.
// The push (concierge/appointments/live.py) swaps #board-signal out of band; every page has one
// (base.html), and only a page with a [data-refresh-on-board] region fetches anything.
(function () {
  "use strict";
  if (window.receptionBoardReady) return;
  window.receptionBoardReady = true;

  function isBoardSignal(message) {
    return typeof message === "string" && message.indexOf('id="board-signal"') !== -1;
  }

  document.addEventListener("htmx:wsAfterMessage", function (event) {
    if (!isBoardSignal(event.detail && event.detail.message)) return;
    document.querySelectorAll("[data-refresh-on-board]").forEach(function (region) {
      htmx.trigger(region, "board-changed");
    });
  });

  // A refresh is not the desk at work: the server does not count it against the idle timeout.
  document.addEventListener("htmx:configRequest", function (event) {
    var cause = event.detail.triggeringEvent;
    if (cause && cause.type === "board-changed") event.detail.headers["X-Background-Refresh"] = "1";
  });
})();
