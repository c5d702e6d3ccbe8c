/*
 * Small progressive enhancements; every page works without them.
 *  - focus the form error summary so that screen-reader and keyboard users land on it;
 *  - announce the new result count after htmx replaces the site list results;
 *  - after htmx swaps a part of a page: announce the text of its [data-pg-announce] element in
 *    the live region that attribute names, move focus to its [data-pg-focus] element (a new
 *    section of questions) or to its error summary.
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

  function find(root, selector) {
    return (root && root.querySelector(selector)) || document.querySelector(selector);
  }

  function afterSwap(event) {
    var root = event.target instanceof Element ? event.target : null;
    var message = find(root, "[data-pg-announce]");
    if (message) {
      var region = document.getElementById(message.getAttribute("data-pg-announce"));
      if (region) {
        region.textContent = message.textContent.replace(/\s+/g, " ").trim();
      }
    }
    var target = (root && root.querySelector("#form-errors")) || find(root, "[data-pg-focus]");
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("htmx:afterSettle", announceResults);
  document.addEventListener("htmx:afterSettle", afterSwap);
})();
