/* Quick exit on the public report pages: the button (or the Esc key) blanks the page and
   replaces it in the history with the quick-exit address (/salir/, which clears the site's
   data and goes on to a neutral site), so "back" does not return here. Without JavaScript the
   button is a plain link to the same address. Forms are emptied when the browser brings a
   page back from its cache. */
(function () {
  "use strict";
  var button = document.getElementById("quick-exit");
  if (!button) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    var target = button.href;
    document.querySelectorAll("form").forEach(function (form) { form.reset(); });
    document.title = "";
    document.body.innerHTML = "";
    window.location.replace(target);
  }
  button.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") { leave(event); }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form").forEach(function (form) { form.reset(); });
    }
  });
})();
