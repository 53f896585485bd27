// The register without JavaScript is a complete, readable table with browse pages; this adds
// filtering by term, financial year, fund and kind of decision, a search box and sortable columns.
(function () {
  "use strict";
  var form = document.getElementById("reg-filters");
  var table = document.getElementById("reg-table");
  var count = document.getElementById("reg-count");
  if (!form || !table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var fields = { q: form.elements.q, term: form.elements.term, year: form.elements.year, fund: form.elements.fund,
    kind: form.elements.kind };

  function has(list, value) { return !value || list.split("|").indexOf(value) !== -1; }
  function chosen(name) { return fields[name] ? fields[name].value : ""; }  // a filter with no choices is left out

  function apply() {
    var words = fields.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-text");
      var match = (!chosen("term") || row.getAttribute("data-term") === chosen("term")) &&
        has(row.getAttribute("data-years"), chosen("year")) &&
        has(row.getAttribute("data-funds"), chosen("fund")) &&
        (!chosen("kind") || row.getAttribute("data-kind") === chosen("kind")) &&
        words.every(function (word) { return text.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    count.textContent = shown + (shown === 1 ? " decision" : " decisions") +
      (shown === rows.length ? "" : " of " + rows.length);
  }

  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var kind = th.getAttribute("data-sort");
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-value"), y = b.cells[column].getAttribute("data-value");
        // A value not stated (an undated paper) comes last whichever way the column is sorted.
        if (x === "" || y === "") { return (x === "") - (y === ""); }
        var order = kind === "number" ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
}());
