// Render the formulas pymdownx.arithmatex (generic mode) leaves in the page with the
// vendored KaTeX: <div class="arithmatex">\[…\]</div> and <span class="arithmatex">\(…\)</span>.
(function () {
  "use strict";

  function strip(text, display) {
    var open = display ? "\\[" : "\\(";
    var close = display ? "\\]" : "\\)";
    text = text.trim();
    if (text.indexOf(open) === 0 && text.lastIndexOf(close) === text.length - 2) {
      return text.slice(2, -2);
    }
    return text;
  }

  function render(root) {
    var nodes = root.querySelectorAll(".arithmatex");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (node.getAttribute("data-rlref-katex")) continue;
      var display = node.tagName === "DIV";
      var tex = strip(node.textContent, display);
      // throwOnError: false renders a bad formula as a red .katex-error span with the
      // message, instead of leaving the raw TeX or stopping the other formulas.
      katex.render(tex, node, { displayMode: display, throwOnError: false });
      node.setAttribute("data-rlref-katex", "1");
    }
  }

  // The table of contents shows a heading's formula as raw "\(k_1\)" text: render it too.
  var INLINE = /\\\((.+?)\\\)/g;

  function renderToc(root) {
    var links = root.querySelectorAll(".md-nav__link .md-ellipsis, .md-nav__link");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      if (link.children.length || link.textContent.indexOf("\\(") < 0) continue;
      var text = link.textContent;
      var html = "";
      var last = 0;
      text.replace(INLINE, function (match, tex, offset) {
        html += escapeHtml(text.slice(last, offset));
        html += katex.renderToString(tex, { throwOnError: false });
        last = offset + match.length;
        return match;
      });
      link.innerHTML = html + escapeHtml(text.slice(last));
    }
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function renderAll() {
    render(document);
    renderToc(document);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderAll);
  } else {
    document.addEventListener("DOMContentLoaded", renderAll);
  }
})();
