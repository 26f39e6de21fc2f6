// The draft box (templates/tasks/includes/draft.html): copy the message, keep "Open in Messages" on the
// edited text. Listeners sit on the document, so boxes swapped in by htmx work too; the box includes
// this file each time it is rendered, so it sets itself up once.
(function () {
  if (window.draftBoxReady) return;
  window.draftBoxReady = true;

  function say(button, text) {
    var status = button.closest("[data-draft]").querySelector(".draft-status");
    if (!status) return;
    status.textContent = text;
    clearTimeout(status.timer);
    status.timer = setTimeout(function () { status.textContent = ""; }, 2500);
  }

  // Tablets on plain http have no clipboard API: select the text and try the old copy command;
  // if even that fails, the text stays selected for the system's own Copy.
  function copyBySelecting(button, area) {
    area.focus();
    area.select();
    area.setSelectionRange(0, area.value.length);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    say(button, copied ? button.dataset.copied : button.dataset.selected);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-draft]");
    if (!button) return;
    var area = button.closest("[data-draft]").querySelector("textarea");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(
        function () { say(button, button.dataset.copied); },
        function () { copyBySelecting(button, area); }
      );
    } else {
      copyBySelecting(button, area);
    }
  });

  document.addEventListener("input", function (event) {
    var area = event.target.closest("[data-draft] textarea");
    if (!area) return;
    var link = area.closest("[data-draft]").querySelector("[data-sms-link]");
    if (link) link.href = link.getAttribute("href").split("?")[0] + "?&body=" + encodeURIComponent(area.value);
  });
})();
