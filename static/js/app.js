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
  // Selects that apply at once (filters, the language chooser): data-autosubmit.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
});
// A failed htmx request is said, not swallowed. Texts come translated from the page (base.html).
document.addEventListener("htmx:responseError", (event) => {
  const flash = document.getElementById("flash");
  if (!flash) return;
  const alert = document.createElement("div");
  alert.className = "alert alert-danger";
  alert.setAttribute("role", "alert");
  alert.textContent = document.body.dataset.textServerError.replace("{status}", event.detail.xhr.status);
  flash.replaceChildren(alert);
});
