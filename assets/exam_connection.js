// Exam page: says when the connection to the server is lost and when it is back, in the
// `.exam-connection` live region (role=status). Offline means the browser reports no network,
// or Reflex failed to reconnect its websocket (`data-connection-errors`, from Reflex's
// connection errors, which it clears once the socket connects again). Answers given meanwhile
// wait in Reflex's event queue, which it sends when the socket connects again.
(function () {
  if (window.__examConnection) return;
  window.__examConnection = true;
  const OFFLINE = "You are offline: answers will be sent when the connection returns.";
  const BACK = "You are back online: answers given meanwhile are being sent.";
  const BACK_SHOWN_MS = 15000;
  const styles = {
    offline: "background:var(--amber-a3);color:var(--amber-11);",
    back: "background:var(--green-a3);color:var(--green-11);",
    quiet: "",
  };
  const box = "padding:0.5rem 0.75rem;border-radius:var(--radius-2);margin-top:0.5rem;";
  let offline = false;
  let backUntil = 0;

  function render() {
    const now = Date.now();
    const mode = offline ? "offline" : now < backUntil ? "back" : "quiet";
    document.querySelectorAll(".exam-connection").forEach((el) => {
      if (el.dataset.connection === mode) return;
      el.dataset.connection = mode;
      el.textContent = mode === "offline" ? OFFLINE : mode === "back" ? BACK : "";
      el.style.cssText = mode === "quiet" ? "" : box + styles[mode];
    });
  }

  function update() {
    const errors = [...document.querySelectorAll(".exam-connection")].some(
      (el) => el.dataset.connectionErrors === "true",
    );
    const now = !navigator.onLine || errors;
    if (offline && !now) backUntil = Date.now() + BACK_SHOWN_MS;
    offline = now;
    render();
  }

  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  new MutationObserver(update).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-connection-errors"],
  });
  setInterval(render, 1000);
  update();
})();
