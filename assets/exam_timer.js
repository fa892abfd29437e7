// Exam countdown: ticks every `.exam-countdown` element from the milliseconds left that the
// server computed from the attempt's fixed deadline when it last sent the state
// (`data-ms-left`). Elapsed time is measured with the monotonic `performance.now()`, so the
// browser's wall clock (however wrong) never enters. The text the server rendered is the first
// paint; this only keeps it ticking, and never lets it go up again for the same attempt: a
// figure sent later arrives a little after it was computed, and an increase reads like a reset.
// At zero it presses the button named by `data-time-up-button` (again every few seconds while
// the page stays); the server decides whether time is really up.
(function () {
  if (window.__examTimer) return;
  window.__examTimer = true;
  const REFIRE_MS = 3000;
  const anchors = new WeakMap();
  // The lowest figure shown per attempt: kept across a remount of the countdown (a reconnect
  // that hands the tab a fresh state shows the page's spinner for a moment).
  const lowest = new Map();

  function format(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const mm = String(m).padStart(2, "0");
    const ss = String(s).padStart(2, "0");
    return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  }

  function show(el, text) {
    // Change React's own text node in place rather than replacing it, so React's later
    // updates of the same text still land in the document.
    const node = el.firstChild;
    if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
      if (node.nodeValue !== text) node.nodeValue = text;
    } else {
      el.textContent = text;
    }
  }

  function tick() {
    const now = performance.now();
    document.querySelectorAll(".exam-countdown").forEach((el) => {
      const reported = Number(el.dataset.msLeft);
      if (!Number.isFinite(reported) || reported < 0) return;
      const attempt = el.dataset.attempt;
      let anchor = anchors.get(el);
      if (!anchor || anchor.attempt !== attempt) {
        anchor = { attempt, reported: null, at: now, firedAt: -Infinity };
        anchors.set(el, anchor);
      }
      if (anchor.reported !== reported) {
        anchor.reported = reported;
        anchor.at = now;
      }
      const msLeft = Math.max(0, anchor.reported - (now - anchor.at));
      const seconds = Math.min(lowest.get(attempt) ?? Infinity, Math.floor(msLeft / 1000));
      lowest.set(attempt, seconds);
      show(el, format(seconds));
      el.setAttribute("aria-label", `${Math.ceil(seconds / 60)} minutes left`);
      if (msLeft === 0 && now - anchor.firedAt >= REFIRE_MS) {
        anchor.firedAt = now;
        document.getElementById(el.dataset.timeUpButton)?.click();
      }
    });
  }

  tick();
  setInterval(tick, 250);
  // A new figure from the server re-anchors at once rather than at the next tick.
  new MutationObserver(tick).observe(document.body, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-ms-left"],
  });
})();
