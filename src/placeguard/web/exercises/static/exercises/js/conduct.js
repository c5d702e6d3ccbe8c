// Exercise clock: displays the server's clock state and ticks locally between re-syncs.
// The server is the only source of truth (a reload shows the same state); this script only
// formats it, marks the next inject as due, and — when the facilitator ticks the box —
// presses the release button once the inject's time is reached.
(function () {
  "use strict";
  function fmt(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return "T+" + h + ":" + String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0");
  }
  function init() {
    var root = document.getElementById("conduct");
    if (!root) { return; }
    var clock = document.getElementById("clock");
    var due = document.getElementById("due");
    var auto = document.getElementById("auto-release");
    var release = document.getElementById("release-next");
    var base = parseFloat(root.dataset.clockS || "0");
    var running = root.dataset.running === "true";
    var nextAt = root.dataset.nextTimeS === "" ? null : parseFloat(root.dataset.nextTimeS);
    var nextSeq = root.dataset.nextSeq;
    var t0 = performance.now();
    var announced = false, submitted = false;
    function now() { return running ? base + (performance.now() - t0) / 1000 : base; }
    function tick() {
      var value = now();
      clock.textContent = fmt(value);
      clock.setAttribute("data-seconds", String(Math.floor(value)));
      if (nextAt !== null && value >= nextAt) {
        root.classList.add("conduct--due");
        if (!announced) {
          due.textContent = (root.dataset.dueText || "Inject {n} is due now.").replace("{n}", nextSeq);
          announced = true;
        }
        if (auto && auto.checked && release && !submitted) {
          submitted = true;
          release.click();
        }
      }
    }
    function sync() {
      fetch(root.dataset.stateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) { return; }
          if (s.status !== root.dataset.status || (s.next ? String(s.next.seq) : "") !== (nextSeq || "")) {
            window.location.reload();  // another facilitator moved the exercise on
            return;
          }
          base = s.clock_s; running = s.running; t0 = performance.now();
        })
        .catch(function () { /* keep ticking locally */ });
    }
    if (auto) {
      try { auto.checked = window.sessionStorage.getItem("placeguard-auto-release") === "1"; } catch (e) { /* private mode */ }
      auto.addEventListener("change", function () {
        try { window.sessionStorage.setItem("placeguard-auto-release", auto.checked ? "1" : "0"); } catch (e) { /* ignore */ }
      });
    }
    tick();
    window.setInterval(tick, 500);
    window.setInterval(sync, 15000);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
