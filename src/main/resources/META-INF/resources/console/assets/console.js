// The console's own script (no inline script anywhere: the Content-Security-Policy forbids it):
// - every <time> in the viewer's locale, the UTC value kept in its title, again after each swap;
// - a request that comes back as the login page (the session ended) takes the whole page there, and a refusal
//   (403) is shown instead of being dropped;
// - a hidden tab pauses its live table (no reads, no session kept alive by a page nobody looks at) and resumes it
//   when shown again.
(function () {
  "use strict";
  function localize(root) {
    var times = (root || document).querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        el.textContent = el.classList.contains("short")
          ? when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : when.toLocaleString();
        el.title = when.toISOString().replace(".000Z", "Z") + " (UTC)";
      }
    }
  }
  function notice(text) {
    var target = document.getElementById("notice");
    if (!target) { return; }
    var p = document.createElement("p");
    p.className = "notice bad";
    p.setAttribute("role", "alert");
    p.textContent = text;
    target.replaceChildren(p);
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
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === "/console/login") {
      event.detail.shouldSwap = false;
      window.location.assign("/console/login");
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    notice(xhr.status + ": " + (xhr.responseText || "the request failed").slice(0, 300));
  });
  // The rate to resume at: kept here, since the control is replaced with the table it refreshes. Checked again
  // after each swap, since a change queued behind one in flight is dropped when that one replaces the control.
  var resumeAt = null;
  function reconcile() {
    var every = document.getElementById("every");
    if (!every || !window.htmx) { return; }
    if (document.hidden && every.value !== "0") {
      resumeAt = every.value;
      every.value = "0";
      htmx.trigger(every, "change");
    } else if (!document.hidden && resumeAt !== null && every.value === "0") {
      every.value = resumeAt;
      resumeAt = null;
      htmx.trigger(every, "change");
    }
  }
  document.addEventListener("visibilitychange", reconcile);
  document.addEventListener("htmx:afterSettle", reconcile);
  // A live stream the browser gave up on (its session ended: the reconnect met the login page) is checked with
  // one cheap request, which the beforeSwap handler above turns into the login page when the session is gone.
  document.addEventListener("htmx:sseError", function (event) {
    var source = event.detail && event.detail.source;
    if (source && source.readyState === EventSource.CLOSED && window.htmx) {
      htmx.ajax("GET", "/console/table/empty", { swap: "none" });
    }
  });
})();
