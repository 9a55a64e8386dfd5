// Material's search worker, with the query taken as search-zh.js segmented it.
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
  importScripts(new URL(self.location.href).searchParams.get("worker"));
})();
