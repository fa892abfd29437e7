// Exam countdown: ticks every `.exam-countdown` element once a second, starting from the
// seconds left that the server last reported (its `data-seconds-left`). When the server sends
// a new figure (after each saved answer), the count restarts from it, so the browser's clock
// never drifts far from the server's. At zero it presses the button named by
// `data-time-up-button` once; the server decides whether time is really up.
(function () {
  if (window.__examTimer) return;
  window.__examTimer = true;
  const anchors = new WeakMap();

  function format(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const mm = String(m).padStart(2, "0");
    const ss = String(s).padStart(2, "0");
    return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  }

  function tick() {
    document.querySelectorAll(".exam-countdown").forEach((el) => {
      const reported = el.dataset.secondsLeft;
      let anchor = anchors.get(el);
      if (!anchor || anchor.reported !== reported) {
        anchor = { reported, at: Date.now(), fired: false };
        anchors.set(el, anchor);
      }
      const left = Math.max(0, Number(reported) - Math.floor((Date.now() - anchor.at) / 1000));
      el.textContent = format(left);
      el.setAttribute("aria-label", `${Math.ceil(left / 60)} minutes left`);
      if (left === 0 && !anchor.fired) {
        anchor.fired = true;
        document.getElementById(el.dataset.timeUpButton)?.click();
      }
    });
  }

  tick();
  setInterval(tick, 1000);
})();
