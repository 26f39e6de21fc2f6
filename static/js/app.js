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
  document.addEventListener("htmx:wsAfterMessage", function (event) {
    // The arrivals board's and the revival figures' "something changed" are no alerts
    // (static/js/reception.js, static/js/revival.js).
    var message = event.detail && event.detail.message;
    if (typeof message === "string" && message.indexOf('id="board-signal"') !== -1) return;
    if (typeof message === "string" && message.indexOf('id="revival-signal"') !== -1) return;
    document.querySelectorAll("[data-refresh-on-alert]").forEach(function (list) {
      var busy = list.dataset.refreshUnless;
      if (busy && document.querySelector(busy)) return;
      htmx.trigger(list, "alerts-arrived");
    });
  });

  // Whether live alerts can reach this page right now: <html data-live="on|off">, for the page's
  // styles (and for the browser tests, which wait for it instead of guessing how long a socket takes).
  document.addEventListener("htmx:wsOpen", function () { document.documentElement.dataset.live = "on"; });
  document.addEventListener("htmx:wsClose", function () { document.documentElement.dataset.live = "off"; });

  // Such a refresh is not the user at work: the server does not count it against the idle timeout.
  document.addEventListener("htmx:configRequest", function (event) {
    var cause = event.detail.triggeringEvent;
    if (cause && cause.type === "alerts-arrived") event.detail.headers["X-Background-Refresh"] = "1";
  });

  // Chart bars get their widths here: style="" attributes are refused by the policy.
  function each(root, selector, apply) {
    if (root.matches && root.matches(selector)) apply(root);
    root.querySelectorAll(selector).forEach(apply);
  }
  function sizeBars(root) {
    each(root, "[data-bar-width]", function (bar) { bar.style.width = bar.dataset.barWidth; });
    each(root, "[data-bar-left]", function (mark) { mark.style.left = mark.dataset.barLeft; });
    each(root, "[data-chart-steps]", function (chart) {
      chart.style.setProperty("--steps", chart.dataset.chartSteps);
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

// Small touches on every page; each works without this file, which only makes it nicer.
// Listeners sit on the document, so parts swapped in by htmx are covered too.
(function () {
  if (window.appTouchesReady) return;
  window.appTouchesReady = true;

  // Header menus (<details data-menu>): one open at a time; a tap elsewhere or Escape closes them.
  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details[data-menu]"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  // Text with a limit (textarea[data-maxlength]): the counter under it follows the typing. The
  // limit is not enforced here: over-long text is refused by the server with a message, never cut.
  function updateCounter(area) {
    var counter = document.querySelector('[data-counter-for="' + area.id + '"]');
    if (!counter) return;
    var limit = parseInt(area.dataset.maxlength, 10);
    var length = area.value.length;
    counter.querySelector("[data-count]").textContent = length;
    var over = length > limit;
    counter.classList.toggle("is-over", over);
    counter.classList.toggle("is-near", !over && length > limit * 0.9);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-maxlength]")) updateCounter(event.target);
  });

  // Clamped text ("show more"): the toggle is drawn by the server for text that may be long; it is
  // hidden here when the text turns out to fit in its lines after all.
  function fitClamps(root) {
    (root || document).querySelectorAll("[data-clamp]").forEach(function (box) {
      var text = box.querySelector(".clamp-text");
      if (!text || box.querySelector(".clamp-toggle:checked")) return;
      box.classList.toggle("fits", text.scrollHeight <= text.clientHeight + 1);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fitClamps(); });
  document.addEventListener("htmx:afterSettle", function (event) { fitClamps(event.target); });
  window.addEventListener("resize", function () { fitClamps(); });
})();

// Copy a text shown once (the till connection page's new token): data-copy-target names the field.
// Tablets on plain http have no clipboard API: the text is selected and the old copy command tried;
// if even that fails, it stays selected for the system's own Copy.
(function () {
  "use strict";

  function say(button, text) {
    var status = button.parentElement.querySelector(".copy-status");
    if (status) status.textContent = text;
  }

  function copyBySelecting(button, field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    say(button, copied ? button.dataset.copied : button.dataset.selected);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copyTarget);
    if (!field) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { say(button, button.dataset.copied); },
        function () { copyBySelecting(button, field); }
      );
    } else {
      copyBySelecting(button, field);
    }
  });
})();
