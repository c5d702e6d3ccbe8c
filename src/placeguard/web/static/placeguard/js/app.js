/*
 * Small progressive enhancements; every page works without them.
 *  - focus the form error summary so that screen-reader and keyboard users land on it;
 *  - announce the new result count after htmx replaces the site list results.
 */
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
    }
  }

  function announceResults() {
    var count = document.getElementById("result-count");
    var announcer = document.getElementById("results-announcer");
    if (count && announcer) {
      announcer.textContent = count.textContent.replace(/\s+/g, " ").trim();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
  document.addEventListener("htmx:afterSettle", announceResults);
})();
