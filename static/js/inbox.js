// Inbox pages: copy the receiver URL or a token with one click; keep a conversation scrolled to the newest.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      if (!source) return;
      const label = button.innerHTML;
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        button.innerHTML = '<i class="bi bi-check2"></i> Copied';
      } catch {
        // Clipboard access needs https or localhost: select the text so Ctrl+C works.
        window.getSelection().selectAllChildren(source);
        button.innerHTML = '<i class="bi bi-cursor-text"></i> Press Ctrl+C';
      }
      setTimeout(() => { button.innerHTML = label; }, 1800);
    });
  });
  const thread = document.getElementById("thread");
  if (thread) thread.scrollTop = thread.scrollHeight;
});
