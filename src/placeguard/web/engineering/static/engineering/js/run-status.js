/*
 * PlaceGuard background-run follower: polls the study's status JSON (data-status-url) and
 * updates the progress bar (role=progressbar, aria-valuenow) and its message; when the run has
 * finished the page reloads to show the result. Without JavaScript the "Refresh" link remains.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 1500;

  function follow(section) {
    var url = section.getAttribute("data-status-url");
    var bar = section.querySelector("[role=progressbar]");
    var fill = section.querySelector("[data-run-bar]");
    var statusText = section.querySelector("[data-run-status]");
    var message = section.querySelector("[data-run-message]");
    var percent = section.querySelector("[data-run-percent]");

    function show(run) {
      var value = Math.max(0, Math.min(100, Number(run.progress) || 0));
      bar.setAttribute("aria-valuenow", String(value));
      bar.setAttribute("aria-valuetext", String(value) + " % — " + String(run.message || ""));
      fill.style.width = String(value) + "%";
      statusText.textContent = String(run.status_display || run.status || "");
      message.textContent = String(run.message || "");
      percent.textContent = String(value);
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (run) {
          if (!run) {
            window.setTimeout(poll, INTERVAL_MS * 2);
            return;
          }
          show(run);
          if (run.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, INTERVAL_MS);
          }
        })
        .catch(function () {
          window.setTimeout(poll, INTERVAL_MS * 2);
        });
    }

    fill.style.width = String(Number(bar.getAttribute("aria-valuenow")) || 0) + "%";
    window.setTimeout(poll, INTERVAL_MS);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pg-run-status]"), follow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
