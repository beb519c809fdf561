// The reply counter of the topic page: as the operator types, ask the console's /api/count (the
// server's GSM-7 encoder and number finder are the truth) and show characters, the kind of
// letters with the characters that need special ones highlighted, message parts against the
// budget, what publishing does to the accents and what the reply costs either way, and the
// numbers found. "Keep the accents" (a checkbox per reply) switches which cost applies.
"use strict";
(function () {
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var url = document.location.pathname.replace(/\/console\/.*$/, "/console/api/count");
  var WORDS = {
    "GSM-7": "plain letters (each message part holds 160)",
    "UCS-2": "special characters (each message part holds 70)"
  };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function parts(n, budget) {
    return n + "/" + budget + " message part" + (budget === 1 ? "" : "s");
  }

  function render(box, data, budget, keep) {
    box.textContent = "";
    // What is sent: as written when the accents are kept, else publish's plain look-alikes.
    var segments = keep ? data.segments : data.published_segments;
    var encoding = keep ? data.encoding : data.published_encoding;
    var over = segments > budget;
    box.appendChild(el("span", "figures" + (over ? " over" : ""),
      data.characters + " characters · " + WORDS[encoding] + " · " + parts(segments, budget) +
      (over ? " — over budget" : "")));
    if (data.encoding === "UCS-2") {
      var swaps = data.replaced.map(function (p) { return p[0] + " → " + p[1]; }).join(", ");
      var stays = data.stays.length ? " (" + data.stays.join(" ") + " stay" +
        (data.stays.length === 1 ? "s" : "") + ": plain letters have " +
        (data.stays.length === 1 ? "it" : "them") + ")" : "";
      var cost = el("div", "cost accents");
      if (keep) {
        cost.textContent = "Accents kept: sent as special characters, " +
          parts(data.segments, budget) + "." + (swaps ? " In plain letters (" + swaps +
          ") it would cost " + parts(data.published_segments, budget) + "." : "");
      } else {
        cost.textContent = (swaps ? "Publishing will replace " + swaps + stays + ": " +
          parts(data.published_segments, budget) + " in " + WORDS[data.published_encoding] +
          ". " : "") + "With the accents kept: " + parts(data.segments, budget) +
          " in special characters (tick “Keep the accents” to pay for that).";
      }
      box.appendChild(cost);
      var stuck = data.ucs2_chars.filter(function (ch) {
        return !data.replaced.some(function (p) { return p[0] === ch; });
      });
      if (stuck.length) {
        box.appendChild(el("div", "cost over", "No plain look-alike for " + stuck.join(" ") +
          ": they are sent as special characters whatever you choose; remove or reword them."));
      }
      var preview = el("div", "preview");
      var bad = new Set(data.ucs2_chars);
      Array.from(data.text).forEach(function (ch) {
        if (bad.has(ch)) preview.appendChild(el("mark", "", ch));
        else preview.appendChild(document.createTextNode(ch));
      });
      box.appendChild(preview);
    }
    var nums = el("div", "numbers");
    if (data.numbers.length === 0) {
      nums.appendChild(el("span", "num unverified", "no phone number"));
    }
    data.numbers.forEach(function (n) {
      nums.appendChild(el("span", "num" + (n.verified ? "" : " unverified"),
        n.text + (n.verified ? " ✓" : " — not in the number registry (see Numbers)")));
    });
    box.appendChild(nums);
    box.dataset.encoding = data.encoding;
    box.dataset.sent = encoding;
    box.dataset.segments = String(segments);
    box.dataset.characters = String(data.characters);
  }

  function attach(area) {
    var box = document.getElementById(area.dataset.counter);
    var keep = document.getElementById(area.dataset.keep);
    var budget = parseInt(area.dataset.budget, 10) || 3;
    var timer = null, sent = 0, last = null;
    function update() {
      var text = area.value, mine = ++sent;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({text: text, lang: area.dataset.lang})
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (data && mine === sent) {
          last = data;
          render(box, data, budget, keep && keep.checked);
        }
      }).catch(function () {});
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 200);
    });
    if (keep) {
      keep.addEventListener("change", function () {
        if (last) render(box, last, budget, keep.checked);
      });
    }
    update();
  }

  document.querySelectorAll("textarea[data-counter]").forEach(attach);
})();
