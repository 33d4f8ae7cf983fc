// Draw a chart from the Vega-Lite spec in the page. The table beside it holds the same numbers
// for people without JavaScript and for screen readers.
const spec = document.getElementById("rows-chart-spec");
const section = document.getElementById("rows-chart-section");
if (spec && section && typeof window.vegaEmbed === "function") {
  section.hidden = false;
  window
    .vegaEmbed("#rows-chart", JSON.parse(spec.textContent), { actions: false, renderer: "svg" })
    .then(() => section.setAttribute("data-drawn", "true"))
    .catch(() => {
      section.hidden = true;
    });
}
