// Draw the waterfall chart from the Vega-Lite spec in the page. The table beside it holds the
// same numbers for people without JavaScript and for screen readers.
const spec = document.getElementById("waterfall-spec");
const section = document.getElementById("waterfall-section");
// `ast: true`: Vega interprets its expressions instead of compiling them with `Function`, so
// the Content Security Policy needs no 'unsafe-eval' (ADR 0042).
const OPTIONS = { actions: false, renderer: "svg", ast: true };

if (spec && section && typeof window.vegaEmbed === "function") {
  section.hidden = false;
  window
    .vegaEmbed("#waterfall", JSON.parse(spec.textContent), OPTIONS)
    .then(() => section.setAttribute("data-drawn", "true"))
    .catch(() => {
      section.hidden = true;
    });
}
