// Render the formulas pymdownx.arithmatex (generic mode) leaves in the page with the
// vendored KaTeX: <div class="arithmatex">\[…\]</div> and <span class="arithmatex">\(…\)</span>.
// `rlref build` renders them all at build time (site/render-math.js, with prepare() and
// options() below), marking each data-rlref-katex: this is the fallback for what is left
// (a site built without node), and KaTeX's script is fetched only then.
(function () {
  "use strict";

  // KaTeX's \mathbb has no digits: \mathbb{1} (the indicator) would come out as a plain
  // "1". It is drawn as U+1D7D9 MATHEMATICAL DOUBLE-STRUCK DIGIT ONE instead (a glyph of the
  // system fonts, since KaTeX's fonts have none; a zero-width \rule gives it the height of
  // a digit). The note's LaTeX is unchanged: this happens here, for every formula rendered.
  var DOUBLE_STRUCK_ONE = /\\mathbb\s*(?:\{\s*1\s*\}|1)/g;
  var ONE = "\uD835\uDFD9";

  function prepare(tex) {
    return tex.replace(DOUBLE_STRUCK_ONE, '{\\rule{0pt}{0.6444em}\\char"1D7D9}');
  }

  // The character has no KaTeX metrics: do not warn about it (and only about it).
  function strict(code, message) {
    return code === "symbolNotInFont" && message.indexOf(ONE) >= 0 ? "ignore" : "warn";
  }

  function options(display) {
    return { displayMode: display, throwOnError: false, strict: strict };
  }

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
      katex.render(prepare(tex), node, options(display));
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
        html += katex.renderToString(prepare(tex), options(false));
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

  function pending(root) {
    var nodes = root.querySelectorAll(".arithmatex:not([data-rlref-katex])");
    if (nodes.length) return true;
    var links = root.querySelectorAll(".md-nav__link .md-ellipsis, .md-nav__link");
    for (var i = 0; i < links.length; i++) {
      if (!links[i].children.length && links[i].textContent.indexOf("\\(") >= 0) return true;
    }
    return false;
  }

  function renderAll() {
    render(document);
    renderToc(document);
  }

  if (typeof document === "undefined") {  // under node: site/render-math.js and the tests
    if (typeof module !== "undefined") module.exports = { prepare: prepare, options: options };
    return;
  }
  // assets/javascripts/katex-render.js → assets/vendor/katex/katex.min.js
  var KATEX = document.currentScript.src.replace(/javascripts\/katex-render\.js.*$/,
                                                 "vendor/katex/katex.min.js");

  function renderPending() {
    if (!pending(document)) return;
    if (typeof katex !== "undefined") return renderAll();
    var script = document.createElement("script");
    script.src = KATEX;
    script.onload = renderAll;
    document.head.appendChild(script);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderPending);
  } else {
    document.addEventListener("DOMContentLoaded", renderPending);
  }
})();
