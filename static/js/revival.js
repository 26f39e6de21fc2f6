// Dormant revival: the dashboard's live refresh.

// A region marked [data-refresh-on-revival] reloads itself (its own hx-get) when the store's revival
// figures change. The push (tasks/revival/live.py) swaps #revival-signal out of band (base.html
// holds one on every page); it carries no figures, so each page fetches its own part over HTTP.
(function () {
  "use strict";
  if (window.revivalSignalReady) return;
  window.revivalSignalReady = true;

  function isRevivalSignal(message) {
    return typeof message === "string" && message.indexOf('id="revival-signal"') !== -1;
  }

  document.addEventListener("htmx:wsAfterMessage", function (event) {
    if (!isRevivalSignal(event.detail && event.detail.message)) return;
    document.querySelectorAll("[data-refresh-on-revival]").forEach(function (region) {
      htmx.trigger(region, "revival-changed");
    });
  });

  // A refresh is not the manager at work: the server does not count it against the idle timeout.
  document.addEventListener("htmx:configRequest", function (event) {
    var cause = event.detail.triggeringEvent;
    if (cause && cause.type === "revival-changed") event.detail.headers["X-Background-Refresh"] = "1";
  });
})();
