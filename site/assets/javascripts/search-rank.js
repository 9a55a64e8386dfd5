// Ranking of Material's search results by where the query's words stand together.
//
// lunr scores each word on its own: "优势函数" (cut into +优势 +函数 by search-zh.js) scores
// the 41 pages that hold both words somewhere above GAE, the one note that holds the phrase.
// Here the pages Material found are ordered again, most specific match first:
//   0. the phrase in the page's title or one of its aliases (searched as tags);
//   1. the phrase in one of its headings;
//   2. the phrase in its text;
//   3. the words apart.
// Within a tier a stub (boost STUB_BOOST, rlref.site.note) comes after the pages with
// content, and otherwise lunr's order (its score, with each page's boost) is kept.
// The phrase is the query's words in order, with nothing but spaces between them: the index
// separates jieba's words by U+200B, which is dropped before comparing.
//
// Loaded by workers/search-zh.js inside Material's search worker; under node by the tests.
(function (root) {
  "use strict";

  var STUB_BOOST = 0.3;  // rlref.site.note.STUB_BOOST
  var TAGS = /<[^>]*>/g;
  var SPACING = /[\u200b\s]+/g;
  var ESCAPE = /[.*+?^${}()|[\]\\]/g;

  function plain(text) {
    return String(text || "").replace(TAGS, " ").replace(/&amp;/g, "&")
      .replace(/\u200b/g, "").toLowerCase();
  }

  // The query's words, as search-zh.js wrote them ("+策略 +梯度*"); prohibited ones left out.
  function queryWords(query) {
    var words = [];
    String(query || "").split(/\s+/).forEach(function (term) {
      if (!term || term.charAt(0) === "-") return;
      var word = term.replace(/^[+]+/, "").replace(/[*~^]\d*$/, "").replace(/\*/g, "");
      word = word.replace(/^\w+:/, "").replace(/"/g, "");  // field:term, quotes
      if (word) words.push(word.toLowerCase());
    });
    return words;
  }

  function phrasePattern(query) {
    var words = queryWords(query);
    if (!words.length) return null;
    var parts = words.map(function (word) {
      return word.replace(SPACING, "").replace(ESCAPE, "\\$&");
    });
    return new RegExp(parts.join("\\s*"));
  }

  // location → what the ranking reads of that search document
  function documents(docs) {
    var found = new Map();
    (docs || []).forEach(function (doc) {
      found.set(doc.location, {
        title: plain(doc.title),
        text: plain(doc.text),
        tags: (doc.tags || []).map(plain),
        boost: typeof doc.boost === "number" ? doc.boost : 1,
        section: doc.location.indexOf("#") >= 0,
      });
    });
    return found;
  }

  function tier(group, phrase, docs) {
    var best = 3;
    group.forEach(function (item) {
      var doc = docs.get(item.location);
      if (!doc) return;
      if (!doc.section && phrase.test(doc.title)) best = 0;
      if (doc.tags.some(function (tag) { return phrase.test(tag); })) best = 0;
      if (doc.section && phrase.test(doc.title)) best = Math.min(best, 1);
      if (phrase.test(doc.text)) best = Math.min(best, 2);
    });
    return best;
  }

  function isStub(group, docs) {
    var page = group.map(function (item) { return docs.get(item.location); })
      .find(function (doc) { return doc && !doc.section; });
    return page !== undefined && page.boost <= STUB_BOOST;
  }

  // Material's result groups (one per page, its best-scoring first) in the order above.
  function rank(items, query, docs) {
    var phrase = phrasePattern(query);
    if (!phrase || !Array.isArray(items)) return items;
    return items
      .map(function (group, at) {
        return { group: group, at: at, tier: tier(group, phrase, docs), stub: isStub(group, docs) };
      })
      .sort(function (a, b) {
        return a.tier - b.tier || (a.stub - b.stub) || a.at - b.at;
      })
      .map(function (entry) { return entry.group; });
  }

  var api = { documents: documents, rank: rank, queryWords: queryWords, STUB_BOOST: STUB_BOOST };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.rlrefSearchRank = api;
})(typeof self !== "undefined" ? self : this);
