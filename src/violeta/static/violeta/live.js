/* Live updates without reloading and without inline script (CSP script-src 'self').
   [data-poll-url]: its content is replaced by the fragment at that URL every
   data-poll-seconds; [data-count-url]: its text becomes the number at that URL.
   Polling does not renew the session; once it has expired (a redirect to the login page)
   polling stops. */
(function () {
  "use strict";
  function poll(element, attribute, apply, seconds) {
    var url = element.getAttribute(attribute);
    var stopped = false;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (response.redirected) { stopped = true; return null; }
          return response.ok ? response.text() : null;
        })
        .then(function (text) { if (text !== null) { apply(element, text); } })
        .catch(function () {})
        .finally(function () { if (!stopped) { window.setTimeout(tick, seconds * 1000); } });
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
