// rlref's page behaviour (no dependency, no request):
// - a link to the concept card (#concept-card, under each formula) opens the card's details;
// - a display formula or a diagram wider than the column gets a scroll cue: a shadow at the
//   edge where more of it is hidden (classes set here, drawn by rlref.css), updated as it
//   scrolls;
// - hovering a link to a note shows a preview: the note's title and opening, or the linked
//   section, read from the target page (fetched from the site itself, once per page; opened
//   from disk the browser refuses it and there is no preview).
(function () {
  "use strict";

  function openCard() {
    if (location.hash !== "#concept-card") return;
    var details = document.querySelector("#concept-card details.rlref-card");
    if (details) details.open = true;
  }

  function edges(formula) {
    var hiddenRight = formula.scrollLeft + formula.clientWidth < formula.scrollWidth - 1;
    formula.classList.toggle("rlref-more-right", hiddenRight);
    formula.classList.toggle("rlref-more-left", formula.scrollLeft > 1);
  }

  function markWide() {
    var wideOnes = ".md-typeset div.arithmatex, .md-typeset div.mermaid";
    document.querySelectorAll(wideOnes).forEach(function (formula) {
      var wide = formula.scrollWidth > formula.clientWidth + 1;
      formula.classList.toggle("rlref-scrolls", wide);
      if (wide) {
        var what = formula.classList.contains("mermaid") ? "图" : "公式";
        formula.title = formula.title || what + "比版面宽：左右滑动查看";
        if (!formula.rlrefWatched) {
          formula.rlrefWatched = true;
          formula.addEventListener("scroll", function () { edges(formula); }, { passive: true });
        }
      } else {
        formula.classList.remove("rlref-more-right", "rlref-more-left");
      }
      if (wide) edges(formula);
    });
  }

  // -- previews of links to notes ------------------------------------------------------
  var pages = new Map();  // page URL → Promise of its parsed document (or null)
  var preview = null;
  var showTimer = 0;
  var hideTimer = 0;
  var PREVIEW_CHARS = 600;

  function notePage(link) {
    if (!link.href || link.closest(".md-nav, .md-header, .md-footer, .rlref-preview")) return null;
    if (link.classList.contains("headerlink") || link.getAttribute("href").charAt(0) === "#") {
      return null;
    }
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !/\/notes\/.+\.html$/.test(url.pathname)) return null;
    return url;
  }

  function fetchPage(url) {
    var key = url.origin + url.pathname;
    if (!pages.has(key)) {
      pages.set(key, fetch(key).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (text) {
        return text === null ? null : new DOMParser().parseFromString(text, "text/html");
      }).catch(function () { return null; }));
    }
    return pages.get(key);
  }

  // The blocks to show: the linked section (its heading to the next of the same level), or
  // the note's opening (what comes before its first section, without the generated card).
  function excerpt(doc, url) {
    var hash = url.hash;
    var article = doc.querySelector("article");
    if (!article) return null;
    var blocks = [];
    var heading = hash ? doc.getElementById(decodeURIComponent(hash.slice(1))) : null;
    if (heading && /^H[1-6]$/.test(heading.tagName)) {
      var level = Number(heading.tagName.charAt(1));
      blocks.push(heading);
      for (var next = heading.nextElementSibling; next; next = next.nextElementSibling) {
        if (/^H[1-6]$/.test(next.tagName) && Number(next.tagName.charAt(1)) <= level) break;
        blocks.push(next);
      }
    } else {
      var title = article.querySelector("h1");
      if (title) blocks.push(title);
      for (var node = title ? title.nextElementSibling : article.firstElementChild; node;
        node = node.nextElementSibling) {
        if (/^H[2-6]$/.test(node.tagName)) break;
        if (node.matches(".rlref-generated, .rlref-summary, .rlref-formula, script")) continue;
        blocks.push(node);
      }
    }
    var box = document.createElement("div");
    var length = 0;
    blocks.forEach(function (block) {
      if (length > PREVIEW_CHARS || block.matches(".rlref-formula-check, .rlref-formula")) return;
      var copy = document.importNode(block, true);
      copy.querySelectorAll("[id]").forEach(function (e) { e.removeAttribute("id"); });
      copy.removeAttribute("id");
      copy.querySelectorAll(".headerlink, .rlref-formula-check").forEach(function (e) {
        e.remove();
      });
      // the target's relative links and images, resolved where they were written
      copy.querySelectorAll("a[href]").forEach(function (a) {
        a.href = new URL(a.getAttribute("href"), url).href;
      });
      copy.querySelectorAll("img[src]").forEach(function (img) {
        img.src = new URL(img.getAttribute("src"), url).href;
      });
      length += copy.textContent.length;
      box.appendChild(copy);
    });
    return box.childElementCount ? box : null;
  }

  function hidePreview() {
    clearTimeout(showTimer);
    if (preview) preview.hidden = true;
  }

  function place(link) {
    var rect = link.getBoundingClientRect();
    var width = Math.min(440, document.documentElement.clientWidth - 16);
    preview.style.width = width + "px";
    var left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    preview.style.left = left + window.scrollX + "px";
    var below = rect.bottom + 8;
    preview.style.top = below + window.scrollY + "px";
    preview.hidden = false;
    var height = preview.getBoundingClientRect().height;
    if (below + height > window.innerHeight && rect.top - height - 8 > 0) {
      preview.style.top = rect.top - height - 8 + window.scrollY + "px";
    }
  }

  function showPreview(link, url) {
    fetchPage(url).then(function (doc) {
      if (!doc || link.rlrefLeft) return;
      var content = excerpt(doc, url);
      if (!content) return;
      if (!preview) {
        preview = document.createElement("div");
        preview.className = "rlref-preview md-typeset";
        preview.setAttribute("role", "tooltip");
        preview.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
        preview.addEventListener("mouseleave", function () {
          hideTimer = setTimeout(hidePreview, 200);
        });
        document.body.appendChild(preview);
      }
      preview.replaceChildren(content);
      place(link);
    });
  }

  document.addEventListener("mouseover", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    var url = link && notePage(link);
    if (!url) return;
    clearTimeout(hideTimer);
    clearTimeout(showTimer);
    link.rlrefLeft = false;
    showTimer = setTimeout(function () { showPreview(link, url); }, 300);
  });
  document.addEventListener("mouseout", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || !notePage(link) || link.contains(event.relatedTarget)) return;
    link.rlrefLeft = true;
    clearTimeout(showTimer);
    hideTimer = setTimeout(hidePreview, 200);
  });

  var pending = 0;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(markWide, 150);
  }

  function ready() {
    openCard();
    markWide();
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(markWide);
  }

  window.addEventListener("hashchange", openCard);
  window.addEventListener("resize", later);
  window.addEventListener("rlref:diagram", later);
  window.addEventListener("load", markWide);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
