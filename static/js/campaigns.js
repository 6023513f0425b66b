// Campaign and template pages (CSP: no inline scripts or styles, so widths are set here).
(() => {
  const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

  // Progress bars carry their segment widths as data-width (percent); set them on every swap.
  const sizeBars = (root) => {
    root.querySelectorAll(".campaign-bar .progress[data-width]").forEach((segment) => {
      segment.style.width = `${segment.dataset.width}%`;
    });
  };

  // The template preview asks for a sample value per placeholder in the text, kept while typing.
  const syncSamples = (form) => {
    const text = form.querySelector("textarea[name=text]");
    const holder = form.querySelector("#sample-fields");
    if (!text || !holder) return;
    const names = [...new Set([...text.value.matchAll(PLACEHOLDER)].map((m) => m[1]))];
    holder.querySelectorAll(".sample-field").forEach((row) => {
      if (!names.includes(row.dataset.name)) row.remove();
    });
    names.forEach((name) => {
      if (holder.querySelector(`.sample-field[data-name="${name}"]`)) return;
      const row = document.createElement("div");
      row.className = "mb-2 sample-field";
      row.dataset.name = name;
      const label = document.createElement("label");
      label.className = "form-label small mb-1 mono";
      label.htmlFor = `sample-${name}`;
      label.textContent = `{{${name}}}`;
      const input = document.createElement("input");
      input.className = "form-control form-control-sm";
      input.id = `sample-${name}`;
      input.name = `sample_${name}`;
      row.append(label, input);
      holder.append(row);
    });
  };

  // A campaign from a template has no free text: hide that field while a template is chosen.
  const toggleFreeText = (form) => {
    const template = form.querySelector("select[name=template]");
    const freeText = form.querySelector("#free-text-fields");
    if (template && freeText) freeText.hidden = Boolean(template.value);
  };

  document.addEventListener("DOMContentLoaded", () => {
    const templateForm = document.getElementById("template-form");
    if (templateForm) templateForm.addEventListener("input", (e) => { if (e.target.name === "text") syncSamples(templateForm); });
    const campaignForm = document.getElementById("campaign-form");
    if (campaignForm) {
      toggleFreeText(campaignForm);
      campaignForm.addEventListener("change", () => toggleFreeText(campaignForm));
    }
    sizeBars(document);
  });
  document.addEventListener("htmx:afterSwap", () => sizeBars(document));
})();
