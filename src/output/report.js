// Filters the findings by credential, status, category and text (path or
// rule), hides files with nothing left to show, expands and collapses the
// files; works offline.
(function () {
  var items = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var files = Array.prototype.slice.call(document.querySelectorAll("details.file"));
  var byId = function (id) { return document.getElementById(id); };
  var input = byId("filter");
  var selects = [["f-credential", "credential"], ["f-status", "status"], ["f-category", "category"]]
    .map(function (p) { return [byId(p[0]), p[1]]; })
    .filter(function (p) { return p[0]; });
  var shown = byId("shown");
  function update() {
    var q = (input && input.value || "").toLowerCase();
    var n = 0;
    items.forEach(function (el) {
      var hit = !q || (el.dataset.path + " " + el.dataset.rule).toLowerCase().indexOf(q) !== -1;
      selects.forEach(function (p) {
        if (p[0].value && el.dataset[p[1]] !== p[0].value) { hit = false; }
      });
      el.hidden = !hit;
      if (hit) { n += 1; }
    });
    files.forEach(function (f) {
      f.hidden = !f.querySelector("article.finding:not([hidden])");
    });
    if (shown) { shown.textContent = n + " of " + items.length + " findings shown"; }
    document.body.dataset.rendered = String(n);
  }
  if (input) { input.addEventListener("input", update); }
  selects.forEach(function (p) { p[0].addEventListener("change", update); });
  function openAll(open) {
    return function () { files.forEach(function (f) { f.open = open; }); };
  }
  if (byId("expand")) { byId("expand").addEventListener("click", openAll(true)); }
  if (byId("collapse")) { byId("collapse").addEventListener("click", openAll(false)); }
  // Printing shows every file, open.
  window.addEventListener("beforeprint", openAll(true));
  update();
})();
