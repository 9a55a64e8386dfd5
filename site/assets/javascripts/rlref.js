// rlref's page behaviour (no dependency, no request):
// - a link to the concept card (#concept-card, under each formula) opens the card's details;
// - a display formula wider than the column gets a scroll cue: a shadow at the edge where
//   more of it is hidden (classes set here, drawn by rlref.css), updated as it scrolls.
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
    document.querySelectorAll(".md-typeset div.arithmatex").forEach(function (formula) {
      var wide = formula.scrollWidth > formula.clientWidth + 1;
      formula.classList.toggle("rlref-scrolls", wide);
      if (wide) {
        formula.title = formula.title || "公式比版面宽：左右滑动查看";
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
  window.addEventListener("load", markWide);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
