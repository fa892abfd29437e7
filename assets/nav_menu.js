// Navbar (components/layout.py): Escape closes the open navigation panel on a narrow screen and
// puts focus back on its "Menu" button, as a disclosure should. Handled in the browser: a
// server event per key press in the search box would be wasted work.
(function () {
  if (window.__navMenuEscape) return;
  window.__navMenuEscape = true;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const button = document.querySelector('.nav-menu-button[aria-expanded="true"]');
    if (!button || button.offsetParent === null) return;
    button.click();
    button.focus();
  });
})();
