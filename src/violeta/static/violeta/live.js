/* Live updates without reloading and without inline script (CSP script-src 'self').
   [data-poll-url]: its content is replaced by the fragment at that URL every
   data-poll-seconds; [data-count-url]: its text becomes the number at that URL. */
(function () {
  "use strict";
  function poll(element, attribute, apply, seconds) {
    var url = element.getAttribute(attribute);
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (text) { if (text !== null) { apply(element, text); } })
        .catch(function () {})
        .finally(function () { window.setTimeout(tick, seconds * 1000); });
    }
    window.setTimeout(tick, seconds * 1000);
  }
  document.querySelectorAll("[data-poll-url]").forEach(function (element) {
    var seconds = parseInt(element.getAttribute("data-poll-seconds") || "5", 10);
    poll(element, "data-poll-url", function (el, html) { el.innerHTML = html; }, seconds);
  });
  document.querySelectorAll("[data-count-url]").forEach(function (element) {
    poll(element, "data-count-url", function (el, text) {
      var n = parseInt(text, 10);
      el.textContent = isNaN(n) ? el.textContent : String(n);
      el.hidden = !(n > 0);
    }, 15);
  });
})();
