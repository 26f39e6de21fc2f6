// Appointment reception: the arrivals board's live refresh and the booking form's host default.

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

// The booking page: tapping a member makes their VIP manager the host, unless a host was chosen.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (!radio.matches || !radio.matches("input[name=member][data-host]")) return;
    var form = radio.closest("[data-book-form]");
    if (!form) return;
    var host = form.querySelector("select[name=host]");
    if (host && !host.value) host.value = radio.dataset.host;
  });
})();
