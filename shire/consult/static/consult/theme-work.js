// The themes pages, while Shire's background work on a question waits or runs: every few seconds
// ask the server how it is getting on and, when that changes, put its words into the page's polite
// live region (screen readers announce them; nothing moves and focus stays where it is). When the
// work has finished, "Check progress" (a plain link that reloads the page, which is all there is
// without JavaScript) becomes "Show the results".
const EVERY = 4000; // milliseconds

const box = document.querySelector("[data-shire-work]");
if (box && box.dataset.shireWorkActive === "true") {
  const status = box.querySelector("[data-shire-work-status]");
  const link = box.querySelector("[data-shire-work-check]");
  let shown = box.dataset.shireWorkState;

  const check = async () => {
    try {
      const response = await fetch(box.dataset.shireWork, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const { work, html } = await response.json();
        if (!work) return;
        const state = `${work.id}:${work.status}`;
        if (state !== shown) {
          status.innerHTML = html; // rendered and escaped by the server
          shown = state;
        }
        if (!work.active) {
          if (link) link.textContent = "Show the results";
          return;
        }
      }
    } catch {
      // Offline for a moment: ask again later.
    }
    window.setTimeout(check, EVERY);
  };
  window.setTimeout(check, EVERY);
}
