// bouncewatch dashboard: live updates, the password maker, copy buttons,
// and the browser's time zone. Loaded from this origin only (the CSP
// allows no inline script).
"use strict";
(function () {
  // Dates in the reader's time zone: the server reads this cookie.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("bw_tz=" + tz) < 0) {
      document.cookie = "bw_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=strict";
    }
  } catch (e) { /* no Intl: the server's zone */ }

  // A new password made here, never sent anywhere: 20 characters from an
  // alphabet without look-alikes, by rejection sampling (no modulo bias).
  function makePassword(n) {
    var abc = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!%";
    var out = "", buf = new Uint8Array(1);
    var limit = 256 - (256 % abc.length);
    while (out.length < n) {
      crypto.getRandomValues(buf);
      if (buf[0] < limit) { out += abc[buf[0] % abc.length]; }
    }
    return out;
  }

  function bind(root) {
    root.querySelectorAll("[data-genpw]").forEach(function (b) {
      b.addEventListener("click", function () {
        var o = document.getElementById(b.getAttribute("data-genpw"));
        if (o) { o.textContent = makePassword(20); }
      });
    });
    root.querySelectorAll("[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        var o = document.getElementById(b.getAttribute("data-copy"));
        if (o && navigator.clipboard) { navigator.clipboard.writeText(o.textContent); }
      });
    });
  }

  // Live: on each "update" the page fetches itself and swaps its main
  // part, keeping open <details> open and the focus where it was.
  var main = document.getElementById("main");
  var busy = false;
  function refresh() {
    if (busy) { return; }
    if (document.querySelector("[data-genpw]") && document.querySelector("output.pw:not(:empty)")) {
      return; // never wipe a password being copied
    }
    busy = true;
    fetch(location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        if (!fresh) { return; }
        var open = {};
        main.querySelectorAll("details[id][open]").forEach(function (d) { open[d.id] = true; });
        main.replaceChildren.apply(main, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
        Object.keys(open).forEach(function (id) { var d = document.getElementById(id); if (d) { d.open = true; } });
        bind(main);
        document.documentElement.setAttribute("data-updated", String(Date.now()));
      })
      .catch(function () { /* the next update tries again */ })
      .then(function () { busy = false; });
  }
  bind(document);
  if (main && main.getAttribute("data-live") && window.EventSource) {
    var es = new EventSource(main.getAttribute("data-live"));
    es.addEventListener("update", refresh);
    es.addEventListener("open", function () { document.documentElement.setAttribute("data-live", "on"); });
  }
})();
