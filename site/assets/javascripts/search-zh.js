// Chinese search for Material's lunr search, loaded before Material's bundle.
//
// The index is segmented by jieba at build time (mkdocs.yml: plugins.search lang zh): its
// text holds words separated by U+200B. A query typed without spaces ("策略梯度") was one
// term that no word of the index is. Here the query is segmented the way the index was:
// the browser's Intl.Segmenter cuts it into words, then adjacent pieces are joined when the
// index has the joined word ("贝尔|曼" → "贝尔曼") and a piece the index does not know is cut
// into the index's words (longest first). Every term is required ("+策略 +梯度"); the last
// one may still be being typed (a trailing wildcard). In a query in lunr's own syntax
// (quotes, + - ~ ^ : *) only the Han runs are cut. Material's worker would re-segment the
// Han runs its own way: workers/search-zh.js skips that step.
//
// The index (search/search_index.json, megabytes) is fetched only when search is opened,
// not by every page. Opened from disk (file://) the browser refuses it: the header says
// that search needs `rlref serve`.
(function () {
  "use strict";

  var CJK = "\\u3400-\\u9fff\\uf900-\\ufaff";
  var RUNS = new RegExp("[" + CJK + "]+|[^" + CJK + "]+", "g");
  var IS_CJK = new RegExp("^[" + CJK + "]");
  var LATIN_WORDS = /[A-Za-z0-9_\u00c0-\u024f]+/g;
  var SYNTAX = /["+\-~^:*]/;
  var LONGEST = 8;
  var vocabulary = null;  // the index's CJK words, from the index itself
  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter("zh", { granularity: "word" }) : null;

  function learn(index) {
    var words = new Set();
    var separator = new RegExp(index.config.separator, "g");
    var cjkWord = new RegExp("^[" + CJK + "]{2," + LONGEST + "}$");
    (index.docs || []).forEach(function (doc) {
      var text = (doc.title + " " + doc.text).replace(/<[^>]*>/g, " ");
      text.split(separator).forEach(function (word) {
        if (cjkWord.test(word)) words.add(word);
      });
    });
    vocabulary = words;
  }

  function known(word) {
    return word.length === 1 || (vocabulary !== null && vocabulary.has(word));
  }

  // Forward maximum matching over the index's words (single characters otherwise).
  function cut(word) {
    var out = [];
    for (var i = 0; i < word.length;) {
      var n = Math.min(word.length - i, LONGEST);
      while (n > 1 && !known(word.substr(i, n))) n--;
      out.push(word.substr(i, n));
      i += n;
    }
    return out;
  }

  function segmentCjk(run) {
    var pieces = [];
    if (segmenter) {
      for (var s of segmenter.segment(run)) if (s.segment.trim()) pieces.push(s.segment);
    } else {
      pieces = [run];
    }
    if (vocabulary === null) return pieces;
    var out = [];
    for (var i = 0; i < pieces.length;) {
      var take = 1;
      var joined = pieces[i];
      for (var j = i + 1; j < pieces.length && joined.length < LONGEST; j++) {
        joined += pieces[j];
        if (known(joined)) take = j - i + 1;
      }
      var word = pieces.slice(i, i + take).join("");
      if (known(word)) out.push(word); else out.push.apply(out, cut(word));
      i += take;
    }
    return out;
  }

  function segment(query) {
    var terms = [];
    (query.match(RUNS) || []).forEach(function (run) {
      if (IS_CJK.test(run)) terms.push.apply(terms, segmentCjk(run));
      else terms.push.apply(terms, run.match(LATIN_WORDS) || []);
    });
    return terms;
  }

  var HAN_RUN = new RegExp("([+-]?)([" + CJK + "]+)", "g");

  function transform(query) {
    if (!query.trim()) return query;
    if (SYNTAX.test(query)) {  // lunr's syntax: only the Han runs are cut, signs kept
      return query.replace(HAN_RUN, function (match, sign, run, at) {
        var glued = !sign && /[A-Za-z0-9]/.test(query.charAt(at - 1));  // "KL散度"
        return (glued ? " " : "") + segmentCjk(run).map(function (w) { return sign + w; }).join(" ");
      });
    }
    var terms = segment(query);
    return terms.map(function (term, i) {
      return "+" + term + (i === terms.length - 1 ? "*" : "");
    }).join(" ");
  }

  if (typeof window === "undefined") {  // under node, for tests/site/test_search_zh.py
    module.exports = { learn: learn, segment: segment, transform: transform };
    return;
  }

  // Material talks to its search worker in messages: 0 sets the index up, 2 is a query.
  // The worker runs inside workers/search-zh.js, which leaves the query's words as they are.
  var WRAPPER = document.currentScript.src.replace(/search-zh\.js.*$/, "workers/search-zh.js");
  var NativeWorker = window.Worker;
  if (NativeWorker) {
    window.Worker = function (url, options) {
      var material = new URL(String(url), location.href).href;
      var worker = new NativeWorker(WRAPPER + "?worker=" + encodeURIComponent(material), options);
      var post = worker.postMessage;
      worker.postMessage = function (message) {
        var args = Array.prototype.slice.call(arguments);
        if (message && message.type === 0 && message.data && message.data.docs) {
          learn(message.data);
        } else if (message && message.type === 2 && typeof message.data === "string") {
          args[0] = { type: 2, data: transform(message.data) };
        }
        return post.apply(worker, args);
      };
      return worker;
    };
    window.Worker.prototype = NativeWorker.prototype;
  }

  // The index is requested (XMLHttpRequest) at load; hold it until search is opened.
  var opened = false;
  var waiting = [];
  function open() {
    if (opened) return;
    opened = true;
    waiting.splice(0).forEach(function (send) { send(); });
  }
  var xhrOpen = XMLHttpRequest.prototype.open;
  var xhrSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.rlrefSearchIndex = /search\/search_index\.json(?:[?#]|$)/.test(String(url));
    return xhrOpen.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var xhr = this;
    var args = arguments;
    if (!xhr.rlrefSearchIndex || opened) return xhrSend.apply(xhr, args);
    waiting.push(function () { xhrSend.apply(xhr, args); });
  };

  function isSearch(target) {
    return target && target.matches && target.matches(".md-search__input, #__search");
  }
  document.addEventListener("focusin", function (event) {
    if (isSearch(event.target)) open();
  });
  document.addEventListener("change", function (event) {
    if (isSearch(event.target) && event.target.checked) open();
  });

  // Opened from disk the browser refuses the index and Material hides its search box: say
  // in the header, where the box was, that search needs a server.
  if (location.protocol === "file:") {
    var notice = function () {
      var header = document.querySelector(".md-header__inner");
      if (!header || header.querySelector(".rlref-search-offline")) return;
      var note = document.createElement("span");
      note.className = "rlref-search-offline";
      note.textContent = "搜索需要 rlref serve";
      note.title = "从本地文件打开时浏览器不允许读取搜索索引：在项目里运行 `rlref serve`，再打开它给出的地址。";
      header.appendChild(note);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", notice);
    else notice();
  }
})();
