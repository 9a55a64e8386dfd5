// Build-time layout of the site's graph of notes and tags (rlref/site/graph.py asks for it
// through the one node process of a build, site/render-math.js). d3-force, the layout d3
// itself uses, simulated to rest here so that a browser showing 3,000 notes only draws.
// Request: {nodes: n, edges: [[i, j], …], ticks}; answer: [[x, y], …] rounded to 0.1.
"use strict";
const path = require("path");
const d3 = require(path.join(__dirname, "node_modules", "d3-force"));

function layout(request) {
  const count = Math.max(0, Math.min(Number(request.nodes) || 0, 200000));
  const nodes = Array.from({ length: count }, (_, index) => ({ index }));
  const links = (Array.isArray(request.edges) ? request.edges : [])
    .filter((e) => Array.isArray(e) && e[0] >= 0 && e[1] >= 0 && e[0] < count && e[1] < count)
    .map(([source, target]) => ({ source, target }));
  const simulation = d3
    .forceSimulation(nodes)
    .force("link", d3.forceLink(links).distance(30).strength(0.4))
    .force("charge", d3.forceManyBody().strength(-60).distanceMax(600))
    .force("x", d3.forceX().strength(0.03))
    .force("y", d3.forceY().strength(0.03))
    .stop();
  const ticks = Math.max(1, Math.min(Number(request.ticks) || 300, 1000));
  // cooled over exactly `ticks` steps, however many (d3's default cools over 300)
  simulation.alphaDecay(1 - Math.pow(simulation.alphaMin(), 1 / ticks));
  for (let i = 0; i < ticks; i += 1) simulation.tick();
  return nodes.map((node) => [Math.round(node.x * 10) / 10, Math.round(node.y * 10) / 10]);
}

module.exports = { layout };
