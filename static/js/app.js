// Page behaviour that templates declare with data-* attributes. The Content-Security-Policy allows no
// inline script, no on*="" handlers and no htmx eval (hx-on, trigger filters), so it lives here.
// Listeners sit on the document, so content swapped in by htmx works without setting up again.
(function () {
  "use strict";

  // A live search form searches as the user types; Enter fires the search field's own "search" event,
  // which htmx listens for, and must not also load the page again.
  document.addEventListener("submit", function (event) {
    if (event.target.closest("[data-live-search]")) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var box = event.target.closest("[data-select-all]");
    if (!box) return;
    var name = box.dataset.selectAll;
    box.form.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other.name === name) other.checked = box.checked;
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-panel]");
    if (!button) return;
    var panel = button.closest(button.dataset.closePanel);
    if (panel) panel.innerHTML = "";
  });

  // A pushed alert refreshes the lists that show it, except while the user is working in one
  // (data-refresh-unless: a selector that matches while a panel is open).
  document.addEventListener("htmx:wsAfterMessage", function () {
    document.querySelectorAll("[data-refresh-on-alert]").forEach(function (list) {
      var busy = list.dataset.refreshUnless;
      if (busy && document.querySelector(busy)) return;
      htmx.trigger(list, "alerts-arrived");
    });
  });

  // Such a refresh is not the user at work: the server does not count it against the idle timeout.
  document.addEventListener("htmx:configRequest", function (event) {
    var cause = event.detail.triggeringEvent;
    if (cause && cause.type === "alerts-arrived") event.detail.headers["X-Background-Refresh"] = "1";
  });

  // Chart bars get their widths here: style="" attributes are refused by the policy.
  function sizeBars(root) {
    root.querySelectorAll("[data-bar-width]").forEach(function (bar) {
      bar.style.width = bar.dataset.barWidth;
    });
  }
  if (window.htmx) {
    htmx.onLoad(sizeBars);
  } else {
    document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  }
})();

// "Back" on the error pages: the previous page when there is one, else the link's own start page.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-go-back]");
  if (!link || window.history.length < 2) return;
  event.preventDefault();
  window.history.back();
});
