// /review (pages/review/review_page.py): Space shows the answer or goes to the next item, and
// 1-4 rate a flashcard, by pressing the page's own buttons, so a key does exactly what its
// button does. Handled in the browser: typing an answer must not send an event per key press.
(function () {
  if (window.__reviewKeys) return;
  window.__reviewKeys = true;
  const BUTTONS = { " ": ["review-flip", "review-next"], 1: ["review-rate-1"], 2: ["review-rate-2"],
    3: ["review-rate-3"], 4: ["review-rate-4"] };
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (!document.querySelector("[data-review-keys]")) return;
    const target = event.target;
    if (!(target instanceof Element)) return;
    // Typing an answer is not a shortcut; nor is Space on a focused control, which presses it
    // by itself (a focused "Show answer" still flips the card, exactly once).
    if (target.closest("input, textarea, select, [contenteditable=true]")) return;
    if (event.key === " " && target.closest("button, a, [role=radio], [role=checkbox]")) return;
    const ids = BUTTONS[event.key];
    if (!ids) return;
    const button = ids.map((id) => document.getElementById(id)).find((b) => b && !b.disabled);
    if (!button) return;
    event.preventDefault();
    button.click();
  });
})();
