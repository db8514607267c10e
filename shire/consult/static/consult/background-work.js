// Pages that show Shire's background work while it waits or runs (the themes pages, the results
// report's documents): every few seconds ask the server how each piece is getting on and, when that
// changes, put its words into that piece's polite live region (screen readers announce them;
// nothing moves and focus stays where it is). When the work has finished, "Check progress" (a
// plain link that reloads the page, which is all there is without JavaScript) becomes "Show the
// results", or the box's data-shire-work-done words.
//
// Each box: data-shire-work (the URL that answers {work, html} as JSON), data-shire-work-active,
// data-shire-work-state ("id:status"), a [data-shire-work-status] live region and a
// [data-shire-work-check] link.
const EVERY = 4000; // milliseconds

for (const box of document.querySelectorAll("[data-shire-work]")) {
  if (box.dataset.shireWorkActive !== "true") continue;
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
          if (link) link.textContent = box.dataset.shireWorkDone || "Show the results";
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
