// Small touches on every page; each works without this file, which only makes it nicer.
// Listeners sit on the document, so parts swapped in by htmx are covered too.
(function () {
  if (window.appReady) return;
  window.appReady = true;

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
