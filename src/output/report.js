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
// The organisation view: filter the repositories by name and status, sort
// the table by a header (click again to reverse).
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var table = byId("repos");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var input = byId("repo-filter");
  var status = byId("repo-status");
  var shown = byId("repos-shown");
  function update() {
    var q = (input.value || "").toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var hit = (!q || r.dataset.name.toLowerCase().indexOf(q) !== -1) &&
        (!status.value || r.dataset.status === status.value);
      r.hidden = !hit;
      if (hit) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " repositories shown";
    table.dataset.shown = String(n);
  }
  input.addEventListener("input", update);
  status.addEventListener("change", update);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.tabIndex = 0;
    th.classList.add("sort");
    function sort() {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var num = th.dataset.type === "num";
      rows.sort(function (a, b) {
        var x = a.cells[i].textContent, y = b.cells[i].textContent;
        var c = num ? (Number(x) - Number(y)) : x.localeCompare(y);
        if (c === 0) { c = a.dataset.name.localeCompare(b.dataset.name); }
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
  });
  update();
})();
