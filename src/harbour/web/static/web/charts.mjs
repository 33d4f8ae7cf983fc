// Draw each chart from the Vega-Lite spec in the page (any app's: the insight pages, the
// front-door report). A chart's section is `[data-chart=KEY]`, hidden until drawn; its spec is the
// JSON script `KEY-spec` (or the id in `data-spec`) and it is drawn into `#KEY-chart`. The table
// beside each chart holds the same numbers, for people without JavaScript and screen readers.
// `ast: true`: Vega interprets its expressions instead of compiling them with `Function`, so
// the Content Security Policy needs no 'unsafe-eval' (ADR 0042).
const OPTIONS = { actions: false, renderer: "svg", ast: true };

if (typeof window.vegaEmbed === "function") {
  for (const section of document.querySelectorAll("[data-chart]")) {
    const key = section.dataset.chart;
    const spec = document.getElementById(section.dataset.spec || `${key}-spec`);
    if (!spec) continue;
    section.hidden = false;
    window
      .vegaEmbed(`#${key}-chart`, JSON.parse(spec.textContent), OPTIONS)
      .then(() => section.setAttribute("data-drawn", "true"))
      .catch(() => {
        section.hidden = true;
      });
  }
}
