// Diagrams at their own size (loaded after mermaid.min.js, only on pages with a diagram).
// Mermaid shrinks every diagram to the column by default (useMaxWidth): a left-to-right
// flowchart of a dozen nodes then shows 5–7 px text. Material's bundle calls
// mermaid.initialize itself, and initialize starts again from mermaid's defaults, so the
// option is added to that call. A diagram wider than the column is shrunk, but never below
// MIN_SCALE of its size (16 px node text → 12 px), and scrolls sideways for the rest, with
// the same edge shadows as a wide formula (rlref.js, told by the "rlref:diagram" event).
(function () {
  "use strict";
  if (typeof mermaid === "undefined" || !mermaid.initialize || !mermaid.render) return;
  var KINDS = [
    "flowchart", "sequence", "gantt", "journey", "timeline", "class", "state", "er", "pie",
    "quadrantChart", "xyChart", "requirement", "mindmap", "gitGraph", "c4", "sankey",
    "block", "packet", "architecture", "radar", "kanban"
  ];
  var initialize = mermaid.initialize.bind(mermaid);
  mermaid.initialize = function (config) {
    var merged = Object.assign({}, config);
    KINDS.forEach(function (kind) {
      merged[kind] = Object.assign({}, merged[kind], { useMaxWidth: false });
    });
    return initialize(merged);
  };
  var MIN_SCALE = 0.75;

  function fit() {
    document.querySelectorAll(".md-typeset div.mermaid").forEach(function (diagram) {
      diagram.style.zoom = "";
      var natural = diagram.scrollWidth;
      var column = diagram.clientWidth;
      if (natural > column + 1) {
        diagram.style.zoom = String(Math.max(MIN_SCALE, column / natural));
      }
      diagram.dataset.rlrefFitted = "1";
    });
    window.dispatchEvent(new Event("rlref:diagram"));
  }

  var pending = 0;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(fit, 0);
  }
  window.addEventListener("resize", later);

  var render = mermaid.render.bind(mermaid);
  mermaid.render = function () {
    return render.apply(null, arguments).then(function (result) {
      // Material puts the SVG into the page right after this promise resolves.
      later();
      return result;
    });
  };
})();
