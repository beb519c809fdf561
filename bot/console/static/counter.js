// The reply counter of the topic page: as the operator types, ask the console's /api/count (the
// server's GSM-7 encoder and number finder are the truth) and show characters, encoding with the
// characters that force UCS-2 highlighted, segments against the budget, and the numbers found.
"use strict";
(function () {
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var url = document.location.pathname.replace(/\/console\/.*$/, "/console/api/count");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(box, text, data, budget) {
    box.textContent = "";
    // Publish transliterates to GSM-7 look-alikes, so the budget holds for what is published.
    var over = data.published_segments > budget;
    var figures = el("span", "figures" + (over ? " over" : ""),
      data.characters + " characters · " + data.encoding + " · " + data.segments + "/" + budget +
      " segment" + (budget === 1 ? "" : "s") + (over ? " — over budget" : ""));
    box.appendChild(figures);
    if (data.encoding === "UCS-2") {
      box.appendChild(el("div", "ucs2", "UCS-2 (70 characters a segment) because of: " +
        data.ucs2_chars.join(" ") + ". Published as " + data.published_encoding + ": " +
        data.published_segments + "/" + budget + " segment" + (budget === 1 ? "" : "s") + "."));
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
        n.text + (n.verified ? " ✓" : " — not in numbers.yaml")));
    });
    box.appendChild(nums);
    box.dataset.encoding = data.encoding;
    box.dataset.characters = String(data.characters);
  }

  function attach(area) {
    var box = document.getElementById(area.dataset.counter);
    var budget = parseInt(area.dataset.budget, 10) || 3;
    var timer = null, sent = 0;
    function update() {
      var text = area.value, mine = ++sent;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({text: text, lang: area.dataset.lang})
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (data && mine === sent) render(box, text, data, budget);
      }).catch(function () {});
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 200);
    });
    update();
  }

  document.querySelectorAll("textarea[data-counter]").forEach(attach);
})();
