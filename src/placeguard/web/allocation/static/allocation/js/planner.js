/*
 * PlaceGuard planner: marks payoff-table cells changed from their derived value.
 *
 * Progressive enhancement only: the server decides what is an override. Each cell keeps the
 * value it was shown with; a changed cell gets the class "is-changed" and a data-changed
 * attribute so the edit is visible before the plan is computed.
 */
(function () {
  "use strict";

  function init() {
    var cells = document.querySelectorAll(".payoff-table input.payoff-cell");
    Array.prototype.forEach.call(cells, function (input) {
      var shown = input.value;
      function mark() {
        var changed = input.value !== shown;
        input.classList.toggle("is-changed", changed);
        if (changed) {
          input.setAttribute("data-changed", "true");
        } else {
          input.removeAttribute("data-changed");
        }
      }
      input.addEventListener("input", mark);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
