// The console's own script: shows every <time> in the viewer's locale (the UTC value stays in its title), again
// after each htmx swap, so live rows get it too. No inline script anywhere: the Content-Security-Policy forbids it.
(function () {
  "use strict";
  function localize(root) {
    var times = (root || document).querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        el.textContent = when.toLocaleString();
        el.title = when.toISOString().replace(".000Z", "Z") + " (UTC)";
      }
    }
  }
  document.addEventListener("DOMContentLoaded", function () { localize(document); });
  document.addEventListener("htmx:afterSwap", function (event) { localize(event.target); });
  document.addEventListener("htmx:sseMessage", function (event) {
    if (event.target && event.target.id === "stamp") {
      var when = new Date(event.target.textContent);
      if (!isNaN(when.getTime())) { event.target.textContent = when.toLocaleTimeString(); }
    } else {
      localize(event.target);
    }
  });
})();
