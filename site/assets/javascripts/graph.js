// The graph of notes and tags (rlref/site/graph.py writes the data): under each note its
// local graph, on graph.html the whole site. No dependency, no request outside the site.
// - edges and nodes are drawn on a canvas; titles are links (<a>, text only: a title is
//   never parsed as HTML) placed over it, only where they fit: the focused note first,
//   then notes before tags, the most linked first, each kept only if it overlaps no label
//   already placed;
// - wheel zooms around the pointer, dragging pans, a click on a node opens its page;
// - the global graph comes laid out by the build (d3-force); a local graph, or a global one
//   without positions, is laid out here by a small force simulation.
(function () {
  "use strict";

  var LABEL_PX = 12;
  var MAX_LABELS = 160;
  var COLORS = { note: "#3f51b5", tag: "#ef6c00", focus: "#c62828" };

  function radius(node) {
    return Math.min(3 + Math.sqrt(node.d || 0) * 1.2, 12);
  }

  // Spring and repulsion, O(n²) per step: for the few dozen nodes of a local graph (and a
  // fallback for a global graph the build could not lay out, fewer steps when big).
  function simulate(nodes, edges) {
    var n = nodes.length;
    nodes.forEach(function (node, i) {
      if (typeof node.x !== "number" || typeof node.y !== "number") {
        var angle = i * 2.399963;  // golden angle: a spiral, no two nodes on one spot
        node.x = Math.cos(angle) * 10 * Math.sqrt(i + 1);
        node.y = Math.sin(angle) * 10 * Math.sqrt(i + 1);
      }
    });
    var steps = n > 1500 ? 0 : n > 300 ? 40 : 300;
    for (var step = 0; step < steps; step += 1) {
      var heat = 1 - step / steps;
      var dx = new Float64Array(n);
      var dy = new Float64Array(n);
      for (var i = 0; i < n; i += 1) {
        for (var j = i + 1; j < n; j += 1) {
          var x = nodes[i].x - nodes[j].x;
          var y = nodes[i].y - nodes[j].y;
          var d2 = x * x + y * y + 0.01;
          var push = 900 / d2;
          dx[i] += x * push; dy[i] += y * push;
          dx[j] -= x * push; dy[j] -= y * push;
        }
        dx[i] -= nodes[i].x * 0.02;
        dy[i] -= nodes[i].y * 0.02;
      }
      edges.forEach(function (edge) {
        var a = nodes[edge[0]];
        var b = nodes[edge[1]];
        var x = b.x - a.x;
        var y = b.y - a.y;
        var d = Math.sqrt(x * x + y * y) || 1;
        var pull = (d - 60) * 0.05 / d;
        dx[edge[0]] += x * pull; dy[edge[0]] += y * pull;
        dx[edge[1]] -= x * pull; dy[edge[1]] -= y * pull;
      });
      for (var k = 0; k < n; k += 1) {
        var len = Math.sqrt(dx[k] * dx[k] + dy[k] * dy[k]) || 1;
        var move = Math.min(len, 20 * heat + 0.5) / len;
        nodes[k].x += dx[k] * move;
        nodes[k].y += dy[k] * move;
      }
    }
  }

  function Graph(box, data) {
    this.box = box;
    this.nodes = Array.isArray(data.nodes) ? data.nodes.filter(function (node) {
      return node && typeof node.t === "string" && typeof node.u === "string";
    }) : [];
    var count = this.nodes.length;
    this.edges = (Array.isArray(data.edges) ? data.edges : []).filter(function (edge) {
      return Array.isArray(edge) && edge[0] >= 0 && edge[1] >= 0 && edge[0] < count
        && edge[1] < count;
    });
    this.focus = typeof data.focus === "number" ? data.focus : -1;
    var laidOut = this.nodes.every(function (node) {
      return typeof node.x === "number" && typeof node.y === "number";
    });
    if (!laidOut) simulate(this.nodes, this.edges);
    // the label order: the focused note, then the most linked
    var focus = this.focus;
    var nodes = this.nodes;
    this.order = nodes.map(function (_, i) { return i; }).sort(function (a, b) {
      return (b === focus) - (a === focus)
        || (nodes[a].k === "tag") - (nodes[b].k === "tag")
        || (nodes[b].d || 0) - (nodes[a].d || 0);
    });
    this.canvas = document.createElement("canvas");
    this.layer = document.createElement("div");
    this.layer.className = "rlref-graph__labels";
    box.appendChild(this.canvas);
    box.appendChild(this.layer);
    this.links = [];
    this.view = { k: 1, x: 0, y: 0 };
    this.fit();
    this.listen();
    this.draw();
  }

  Graph.prototype.fit = function () {
    var width = this.box.clientWidth;
    var height = this.box.clientHeight;
    var xs = this.nodes.map(function (n) { return n.x; });
    var ys = this.nodes.map(function (n) { return n.y; });
    if (!xs.length) return;
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    var k = Math.min((width - 80) / ((maxX - minX) || 1), (height - 40) / ((maxY - minY) || 1));
    k = Math.max(Math.min(k, 3), 0.02);
    this.view = {
      k: k, x: width / 2 - k * (minX + maxX) / 2, y: height / 2 - k * (minY + maxY) / 2
    };
  };

  Graph.prototype.screen = function (i) {
    var node = this.nodes[i];
    return { x: node.x * this.view.k + this.view.x, y: node.y * this.view.k + this.view.y };
  };

  Graph.prototype.draw = function () {
    var ratio = window.devicePixelRatio || 1;
    var width = this.box.clientWidth;
    var height = this.box.clientHeight;
    var canvas = this.canvas;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = width + "px";
      canvas.style.height = height + "px";
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    var self = this;
    var points = this.nodes.map(function (_, i) { return self.screen(i); });
    ctx.strokeStyle = "rgba(120, 120, 140, 0.35)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    this.edges.forEach(function (edge) {
      ctx.moveTo(points[edge[0]].x, points[edge[0]].y);
      ctx.lineTo(points[edge[1]].x, points[edge[1]].y);
    });
    ctx.stroke();
    var scale = Math.min(Math.max(Math.sqrt(this.view.k), 0.5), 2);
    this.nodes.forEach(function (node, i) {
      var p = points[i];
      if (p.x < -20 || p.y < -20 || p.x > width + 20 || p.y > height + 20) return;
      ctx.fillStyle = i === self.focus ? COLORS.focus : COLORS[node.k] || COLORS.note;
      ctx.beginPath();
      ctx.arc(p.x, p.y, radius(node) * scale, 0, 2 * Math.PI);
      ctx.fill();
    });
    this.label(points, width, height, ctx);
  };

  // Titles where they fit: greedy, in label order, each rectangle checked against the
  // ones already placed (a coarse grid keeps that cheap at thousands of nodes).
  Graph.prototype.label = function (points, width, height, ctx) {
    // measured in the labels' own font, so that each label's box is the one checked here
    ctx.font = LABEL_PX + "px " + (getComputedStyle(this.layer).fontFamily || "sans-serif");
    var cell = 64;
    var grid = new Map();
    var placed = 0;
    var used = 0;
    var self = this;
    function collides(r) {
      for (var gx = Math.floor(r.x / cell); gx <= Math.floor((r.x + r.w) / cell); gx += 1) {
        for (var gy = Math.floor(r.y / cell); gy <= Math.floor((r.y + r.h) / cell); gy += 1) {
          var list = grid.get(gx + "," + gy);
          if (!list) continue;
          for (var m = 0; m < list.length; m += 1) {
            var o = list[m];
            // a pixel of air between labels, so that no two touch once drawn
            if (r.x < o.x + o.w + 1 && o.x < r.x + r.w + 1 && r.y < o.y + o.h + 1
                && o.y < r.y + r.h + 1) {
              return true;
            }
          }
        }
      }
      return false;
    }
    function keep(r) {
      for (var gx = Math.floor(r.x / cell); gx <= Math.floor((r.x + r.w) / cell); gx += 1) {
        for (var gy = Math.floor(r.y / cell); gy <= Math.floor((r.y + r.h) / cell); gy += 1) {
          var key = gx + "," + gy;
          if (!grid.has(key)) grid.set(key, []);
          grid.get(key).push(r);
        }
      }
    }
    for (var o = 0; o < this.order.length && placed < MAX_LABELS; o += 1) {
      var i = this.order[o];
      var node = this.nodes[i];
      var p = points[i];
      var text = node.t.length > 28 ? node.t.slice(0, 27) + "…" : node.t;
      var w = ctx.measureText(text).width + 8;
      var r = { x: p.x - w / 2, y: p.y + radius(node) + 2, w: w, h: LABEL_PX + 6 };
      if (r.x < 0 || r.y < 0 || r.x + r.w > width || r.y + r.h > height) continue;
      if (collides(r)) continue;
      keep(r);
      var link = this.links[used];
      if (!link) {
        link = document.createElement("a");
        link.className = "rlref-graph__label";
        this.layer.appendChild(link);
        this.links.push(link);
      }
      link.textContent = text;
      link.title = node.t;
      link.href = node.u;
      link.classList.toggle("rlref-graph__label--tag", node.k === "tag");
      link.classList.toggle("rlref-graph__label--focus", i === self.focus);
      link.style.transform = "translate(" + r.x + "px," + r.y + "px)";
      link.style.width = Math.ceil(w) + "px";
      link.hidden = false;
      used += 1;
      placed += 1;
    }
    for (var rest = used; rest < this.links.length; rest += 1) this.links[rest].hidden = true;
  };

  Graph.prototype.nodeAt = function (x, y) {
    var best = -1;
    var bestDistance = 100;  // within 10 px
    for (var i = 0; i < this.nodes.length; i += 1) {
      var p = this.screen(i);
      var d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
      if (d < bestDistance) { best = i; bestDistance = d; }
    }
    return best;
  };

  Graph.prototype.listen = function () {
    var self = this;
    var frame = 0;
    function redraw() {
      if (!frame) frame = requestAnimationFrame(function () { frame = 0; self.draw(); });
    }
    this.redraw = redraw;
    // On the box, not the canvas: the labels lie over the canvas and must zoom and pan it
    // too, yet stay links a click follows.
    var box = this.box;
    box.addEventListener("wheel", function (event) {
      event.preventDefault();
      var rect = self.canvas.getBoundingClientRect();
      var x = event.clientX - rect.left;
      var y = event.clientY - rect.top;
      var factor = Math.exp(-event.deltaY * 0.002);
      var k = Math.min(Math.max(self.view.k * factor, 0.01), 40);
      factor = k / self.view.k;
      self.view = { k: k, x: x - (x - self.view.x) * factor, y: y - (y - self.view.y) * factor };
      redraw();
    }, { passive: false });
    var drag = null;
    box.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, moved: false, id: event.pointerId };
    });
    box.addEventListener("pointermove", function (event) {
      if (!drag) {
        if (event.target !== self.canvas) return;
        var rect = self.canvas.getBoundingClientRect();
        var over = self.nodeAt(event.clientX - rect.left, event.clientY - rect.top);
        self.canvas.style.cursor = over >= 0 ? "pointer" : "grab";
        self.canvas.title = over >= 0 ? self.nodes[over].t : "";
        return;
      }
      var mx = event.clientX - drag.x;
      var my = event.clientY - drag.y;
      if (!drag.moved && Math.abs(mx) + Math.abs(my) > 3) {
        drag.moved = true;
        box.setPointerCapture(drag.id);  // only once it is a drag: a click stays a click
      }
      if (!drag.moved) return;
      self.view.x += mx;
      self.view.y += my;
      drag.x = event.clientX;
      drag.y = event.clientY;
      redraw();
    });
    box.addEventListener("pointerup", function (event) {
      var moved = drag && drag.moved;
      box.rlrefDragged = Boolean(moved);  // a drag that ends on a label does not follow it
      drag = null;
      if (moved || event.target !== self.canvas) return;  // a label's click is the link's
      var rect = self.canvas.getBoundingClientRect();
      var hit = self.nodeAt(event.clientX - rect.left, event.clientY - rect.top);
      if (hit >= 0 && hit !== self.focus) {
        location.href = new URL(self.nodes[hit].u, location.href).href;
      }
    });
    box.addEventListener("click", function (event) {
      if (box.rlrefDragged) {
        event.preventDefault();
        box.rlrefDragged = false;
      }
    }, true);
    window.addEventListener("resize", redraw);
  };

  function parse(text) {
    try {
      var data = JSON.parse(text);
      return data && typeof data === "object" ? data : null;
    } catch (error) {
      return null;
    }
  }

  function mount(box, data) {
    if (!data) return;
    box.rlrefGraph = new Graph(box, data);
    box.dataset.rlrefDrawn = String(box.rlrefGraph.nodes.length);
  }

  // The global graph's data is a script beside the page: loaded, not fetched, so that the
  // page works opened from disk.
  function load(box) {
    var source = box.getAttribute("data-src");
    if (source) {
      var script = document.createElement("script");
      script.src = new URL(source, location.href).href;
      script.onload = function () { mount(box, window.rlrefGraphData); };
      document.head.appendChild(script);
    } else {
      mount(box, parse(box.getAttribute("data-graph") || ""));
    }
  }

  function start() {
    document.querySelectorAll(".rlref-graph").forEach(function (box) {
      if (!box.rlrefGraph && !box.dataset.rlrefLoading) {
        box.dataset.rlrefLoading = "1";
        load(box);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
