// Small console behaviours that need no framework. Loaded on every page (CSP: no inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  // Forms that ask before doing something destructive: data-confirm="Question?" (htmx uses hx-confirm).
  document.body.addEventListener("submit", (event) => {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
  // A page answering a POST that must not be repeated (it shows a secret once) names the page a
  // reload should show instead: data-replace-url="/settings/". A reload then does a plain GET.
  const replaceWith = document.querySelector("[data-replace-url]");
  if (replaceWith) window.history.replaceState(null, "", replaceWith.dataset.replaceUrl);
});
// A failed htmx request is said, not swallowed.
document.addEventListener("htmx:responseError", (event) => {
  const flash = document.getElementById("flash");
  if (!flash) return;
  const alert = document.createElement("div");
  alert.className = "alert alert-danger";
  alert.setAttribute("role", "alert");
  alert.textContent = `The server answered ${event.detail.xhr.status}: the change was not saved. Reload the page and try again.`;
  flash.replaceChildren(alert);
});
