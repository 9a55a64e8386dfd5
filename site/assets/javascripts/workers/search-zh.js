// Material's search worker, with the query taken as search-zh.js segmented it and the
// results ranked by where the query's words stand together (../search-rank.js).
//
// Material's worker re-segments every run of Han characters of a query against the index's
// words, and its segmentation never takes a run's last word (策略梯度 → 策略, 重要性 → 重要),
// and keeps only the first as required. search-zh.js has already cut the query into the
// index's words and marked each as required, so that step is skipped here; everything else
// is Material's worker, loaded from the same folder (its lunr paths resolve as before).
(function () {
  "use strict";
  var HAN = "\\p{sc=Han}+";
  var replace = String.prototype.replace;
  String.prototype.replace = function (pattern) {
    if (pattern instanceof RegExp && pattern.source === HAN) return String(this);
    return replace.apply(this, arguments);
  };

  importScripts(new URL("../search-rank.js", self.location.href).href);
  var ranking = self.rlrefSearchRank;
  var docs = new Map();
  var queries = [];  // the queries Material is answering, in order

  // Registered before Material's own listener: sees each message first.
  self.addEventListener("message", function (event) {
    var message = event.data;
    if (!message) return;
    if (message.type === 0 && message.data) docs = ranking.documents(message.data.docs);
    else if (message.type === 2) queries.push(message.data);
  });
  var post = self.postMessage;
  self.postMessage = function (message) {
    var args = Array.prototype.slice.call(arguments);
    if (message && message.type === 3 && message.data) {
      var query = queries.shift();
      var items = ranking.rank(message.data.items, query, docs);
      args[0] = { type: 3, data: Object.assign({}, message.data, { items: items }) };
    }
    return post.apply(self, args);
  };

  importScripts(new URL(self.location.href).searchParams.get("worker"));
})();
