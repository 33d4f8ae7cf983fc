// Draw the waterfall chart from the Vega-Lite spec in the page. The table beside it holds the
// same numbers for people without JavaScript and for screen readers.
const spec = document.getElementById("waterfall-spec");
const section = document.getElementById("waterfall-section");
if (spec && section && typeof window.vegaEmbed === "function") {
  section.hidden = false;
  window
    .vegaEmbed("#waterfall", JSON.parse(spec.textContent), { actions: false, renderer: "svg" })
    .then(() => section.setAttribute("data-drawn", "true"))
    .catch(() => {
      section.hidden = true;
    });
}
