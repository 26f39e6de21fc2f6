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
