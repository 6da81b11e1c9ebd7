// Filters the findings by text (path, rule or status); works offline.
(function () {
  var items = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  function update() {
    var q = (input && input.value || "").toLowerCase();
    var n = 0;
    items.forEach(function (el) {
      var text = [el.dataset.path, el.dataset.rule, el.dataset.status].join(" ").toLowerCase();
      var hit = !q || text.indexOf(q) !== -1;
      el.hidden = !hit;
      if (hit) { n += 1; }
    });
    if (shown) { shown.textContent = n + " of " + items.length + " findings shown"; }
    document.body.dataset.rendered = String(n);
  }
  if (input) { input.addEventListener("input", update); }
  update();
})();
