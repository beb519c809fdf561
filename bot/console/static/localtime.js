// Show every <time datetime="..."> of a console page in the reader's local time, with its zone
// ("2026-12-07 06:43 CET"); the page says UTC where this does not run.
"use strict";
(function () {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  document.querySelectorAll("time[datetime]").forEach(function (node) {
    var moment = new Date(node.getAttribute("datetime"));
    if (isNaN(moment.getTime())) return;
    var zone = "";
    try {
      zone = new Intl.DateTimeFormat(undefined, {timeZoneName: "short"})
        .formatToParts(moment).filter(function (p) { return p.type === "timeZoneName"; })[0].value;
    } catch (e) { zone = ""; }
    var text = moment.getFullYear() + "-" + pad(moment.getMonth() + 1) + "-" + pad(moment.getDate()) +
      " " + pad(moment.getHours()) + ":" + pad(moment.getMinutes()) +
      (node.hasAttribute("data-seconds") ? ":" + pad(moment.getSeconds()) : "");
    node.textContent = text + (zone ? " " + zone : "");
    node.title = node.getAttribute("datetime");
  });
})();
