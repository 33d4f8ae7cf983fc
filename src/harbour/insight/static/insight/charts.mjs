// Draw each section's chart from the Vega-Lite spec in the page. The table beside it holds the
// same numbers for people without JavaScript and for screen readers.
if (typeof window.vegaEmbed === "function") {
  for (const section of document.querySelectorAll("[data-chart]")) {
    const key = section.dataset.chart;
    const spec = document.getElementById(`${key}-spec`);
    if (!spec) continue;
    section.hidden = false;
    window
      .vegaEmbed(`#${key}-chart`, JSON.parse(spec.textContent), { actions: false, renderer: "svg" })
      .then(() => section.setAttribute("data-drawn", "true"))
      .catch(() => {
        section.hidden = true;
      });
  }
}
