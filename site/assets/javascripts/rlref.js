// rlref's page behaviour (no dependency, no request):
// - a link to the concept card (#concept-card, under each formula) opens the card's details.
(function () {
  "use strict";

  function openCard() {
    if (location.hash !== "#concept-card") return;
    var details = document.querySelector("#concept-card details.rlref-card");
    if (details) details.open = true;
  }

  window.addEventListener("hashchange", openCard);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", openCard);
  else openCard();
})();
