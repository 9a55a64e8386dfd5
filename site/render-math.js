// Build-time math for the site: one node process per `rlref build` renders every formula
// with the vendored KaTeX (rlref/site/mathrender.py drives it). Protocol: one JSON line
// per request on stdin, an array of [tex, display] pairs; one JSON line per answer on
// stdout, the array of their HTML renderings (a bad formula gives KaTeX's red error span,
// as in the browser). The TeX is prepared by the browser script's own prepare(), so a
// pre-rendered formula and a formula rendered in the browser are drawn the same way.
"use strict";
const path = require("path");
const readline = require("readline");
const katex = require(path.join(__dirname, "node_modules", "katex"));
const renderer = require(path.join(__dirname, "assets", "javascripts", "katex-render.js"));

console.warn = () => {};  // KaTeX's strict-mode warnings would interleave with the answers
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// KaTeX turns a parse error into its red span itself; anything else it throws (a formula
// nested deeper than the JavaScript stack, say) is shown the same way, so one bad formula
// never stops the renderer for the rest of the site.
function render(tex, display) {
  try {
    return katex.renderToString(renderer.prepare(tex), renderer.options(Boolean(display)));
  } catch (error) {
    const message = escapeHtml(error && error.message ? error.message : error);
    return `<span class="katex-error" title="${message}">${escapeHtml(tex)}</span>`;
  }
}

// A request that is an object, not an array, is the graph of notes to lay out
// (site/graph-layout.js, asked by rlref/site/graph.py): the same process serves both.
lines.on("line", (line) => {
  const request = JSON.parse(line);
  if (!Array.isArray(request)) {
    const graph = require(path.join(__dirname, "graph-layout.js"));
    process.stdout.write(JSON.stringify(graph.layout(request.layout || {})) + "\n");
    return;
  }
  const out = request.map(([tex, display]) => render(tex, display));
  process.stdout.write(JSON.stringify(out) + "\n");
});
