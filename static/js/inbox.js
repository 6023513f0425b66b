// Inbox pages: copy the receiver URL or a token with one click; keep a conversation scrolled to the newest.
// The button texts come translated from the page (base.html's data-text-* attributes).
const icon = (name) => {
  const element = document.createElement("i");
  element.className = `bi ${name}`;
  return element;
};
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      if (!source) return;
      const label = button.innerHTML;
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        button.replaceChildren(icon("bi-check2"), ` ${document.body.dataset.textCopied}`);
      } catch {
        // Clipboard access needs https or localhost: select the text so Ctrl+C works.
        window.getSelection().selectAllChildren(source);
        button.replaceChildren(icon("bi-cursor-text"), ` ${document.body.dataset.textCopyByHand}`);
      }
      setTimeout(() => { button.innerHTML = label; }, 1800);
    });
  });
  const thread = document.getElementById("thread");
  if (thread) thread.scrollTop = thread.scrollHeight;
});
