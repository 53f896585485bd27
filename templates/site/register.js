// The register without JavaScript is a complete, readable table with browse pages; this adds
// filtering by term, financial year, fund and kind of decision, a search box and sortable columns.
// The search finds a decision by its reference, subject, kind, funds, recipients, budget codes and
// amounts (the row's data-text) and by the words of its public paper (assets/search-text.js,
// loaded when the search is first used). The search, the filters and the sort are kept in the
// page's address (?q=...&fund=...&sort=amount&order=desc), so a view can be shared or bookmarked.
// Nothing from the address is ever written into the page as markup: only as text or a field's value.
(function () {
  "use strict";
  var form = document.getElementById("reg-filters");
  var table = document.getElementById("reg-table");
  var count = document.getElementById("reg-count");
  var notice = document.getElementById("reg-notice");
  if (!form || !table || !count || !table.tHead || !table.tBodies.length) { return; }
  var MAX_QUERY = 200;  // characters of a search kept, whatever the address holds
  var MAX_WORDS = 20;
  var FILTERS = ["term", "year", "fund", "kind"];
  var NAMES = { term: ["commissioner's term", "all terms"], year: ["financial year", "all years"], fund: ["fund", "all funds"],
    kind: ["kind of decision", "all kinds"] };
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var caption = table.caption;
  var firstCaption = caption ? caption.textContent : "";
  var fields = { q: form.elements.q, term: form.elements.term, year: form.elements.year, fund: form.elements.fund,
    kind: form.elements.kind };
  var sortKey = "";  // "" is the register's own order: newest first
  var ascending = false;
  var papers = null;  // the papers' text by decision page, once loaded
  var loading = false;
  var failed = false;

  rows.forEach(function (row, index) { row.regIndex = index; });

  // As publish's searchable(): lower case, accents dropped, curly quotes and dashes plain, "£"
  // dropped, a number's thousands' commas dropped (18,500 is 18500), one space between words.
  function normal(text) {
    text = String(text).toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, "\"")
      .replace(/[\u2013\u2014]/g, "-").replace(/\u00a0/g, " ");
    if (text.normalize) { text = text.normalize("NFD"); }
    return text.replace(/[\u0300-\u036f]/g, "").replace(/£/g, "").replace(/(\d),(?=\d)/g, "$1")
      .split(/\s+/).filter(Boolean).join(" ");
  }

  function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  function has(list, value) { return !value || list.split("|").indexOf(value) !== -1; }
  function chosen(name) { return fields[name] ? fields[name].value : ""; }  // a filter with no choices is left out
  function query() { return fields.q.value.slice(0, MAX_QUERY); }

  function words() {
    var text = normal(query());
    return text ? text.split(" ").slice(0, MAX_WORDS) : [];
  }

  // A number is found whole: 18500 finds £18,500 and 18500.00, not 118500 or 185000.
  function found(text, word) {
    if (!/^\d+(\.\d+)?$/.test(word)) { return text.indexOf(word) !== -1; }
    for (var at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
      if (!/\d/.test(text.charAt(at - 1)) && !/\d/.test(text.charAt(at + word.length))) { return true; }
    }
    return false;
  }

  function searched(row) {
    var path = row.getAttribute("data-path") || "";
    var paper = papers && own(papers, path) && typeof papers[path] === "string" ? papers[path] : "";
    return (row.getAttribute("data-text") || "") + " " + paper;
  }

  function loadPapers() {
    var src = form.getAttribute("data-papers");
    if (papers || loading || failed) { return; }
    if (!src) { failed = true; return; }
    loading = true;
    form.setAttribute("data-search", "loading");
    var script = document.createElement("script");
    script.src = src;
    script.onload = function () {
      var text = window.decisionRegisterText;
      loading = false;
      if (text && typeof text === "object") { papers = text; } else { failed = true; }
      form.setAttribute("data-search", papers ? "ready" : "failed");
      apply();
    };
    script.onerror = function () {
      loading = false;
      failed = true;
      form.setAttribute("data-search", "failed");
      apply();
    };
    document.head.appendChild(script);
  }

  function quoted(text) {
    text = text.trim();
    return "“" + (text.length > 60 ? text.slice(0, 60) + "…" : text) + "”";
  }

  function apply() {
    var list = words();
    var filtered = FILTERS.some(function (name) { return chosen(name); });
    var shown = 0;
    rows.forEach(function (row) {
      var text = list.length ? searched(row) : "";
      var match = (!chosen("term") || row.getAttribute("data-term") === chosen("term")) &&
        has(row.getAttribute("data-years") || "", chosen("year")) &&
        has(row.getAttribute("data-funds") || "", chosen("fund")) &&
        (!chosen("kind") || row.getAttribute("data-kind") === chosen("kind")) &&
        list.every(function (word) { return found(text, word); });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    table.hidden = shown === 0;
    count.className = shown === 0 ? "reg-count reg-none" : "reg-count";
    if (shown === 0 && list.length && loading) {
      count.textContent = "Searching the text of the papers…";
    } else if (shown === 0) {
      count.textContent = "No decisions match " +
        (list.length ? quoted(query()) + (filtered ? " with the filters chosen" : "") : "the filters chosen") +
        ". Try other or fewer words, or clear the search and filters." +
        (list.length && failed ? " (The text of the papers could not be searched: only their facts were.)" : "");
    } else {
      count.textContent = shown + (shown === 1 ? " decision" : " decisions") +
        (shown === rows.length ? "" : " of " + rows.length);
    }
    remember();
  }

  // --- sorting ---------------------------------------------------------------------------------

  function sortBy(th, up) {
    var column = heads.indexOf(th);
    var kind = th.getAttribute("data-sort");
    heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    // Newest first is the register's own order (undated papers last, then by term): kept exactly.
    var natural = kind === "date" && !up;
    sortKey = natural ? "" : th.getAttribute("data-key") || "";
    ascending = up;
    rows.sort(function (a, b) {
      if (natural) { return a.regIndex - b.regIndex; }
      var x = a.cells[column].getAttribute("data-value") || "", y = b.cells[column].getAttribute("data-value") || "";
      // A value not stated (an undated paper) comes last whichever way the column is sorted.
      if (x === "" || y === "") { return (x === "") - (y === "") || a.regIndex - b.regIndex; }
      var order = kind === "number" ? parseFloat(x) - parseFloat(y) :
        x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
      return (up ? order : -order) || a.regIndex - b.regIndex;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    if (caption) {
      caption.textContent = th.getAttribute(up ? "data-ascending" : "data-descending") || firstCaption;
    }
  }

  heads.forEach(function (th) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      sortBy(th, th.getAttribute("aria-sort") !== "ascending");
      remember();
    });
  });

  // --- the address -----------------------------------------------------------------------------

  function remember() {
    if (!window.URLSearchParams || !window.history || !window.history.replaceState) { return; }
    var params = new URLSearchParams();
    if (query().trim()) { params.set("q", query().trim()); }
    FILTERS.forEach(function (name) { if (chosen(name)) { params.set(name, chosen(name)); } });
    if (sortKey) {
      params.set("sort", sortKey);
      params.set("order", ascending ? "asc" : "desc");
    }
    var search = params.toString();
    var address = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
    if (address !== window.location.pathname + window.location.search + window.location.hash) {
      try { window.history.replaceState(window.history.state, "", address); } catch (e) { /* a file: page may refuse */ }
    }
  }

  function offers(select, value) {
    return Array.prototype.some.call(select.options, function (option) { return option.value === value; });
  }

  function restore() {
    if (!window.URLSearchParams) { return; }
    var params = new URLSearchParams(window.location.search);
    var unknown = [];
    var q = params.get("q");
    if (q) { fields.q.value = q.slice(0, MAX_QUERY); }
    FILTERS.forEach(function (name) {
      var value = params.get(name);
      if (value === null || value === "") { return; }
      if (fields[name] && offers(fields[name], value)) {
        fields[name].value = value;
      } else {
        unknown.push("The register has no " + NAMES[name][0] + " " + quoted(value) + ": it shows " + NAMES[name][1] + ".");
      }
    });
    var key = params.get("sort");
    if (key) {
      var th = heads.filter(function (h) { return h.getAttribute("data-key") === key; })[0];
      if (th) {
        sortBy(th, params.get("order") !== "desc");
      } else {
        unknown.push("The register has no column " + quoted(key) + " to sort by: it shows the newest first.");
      }
    }
    if (unknown.length && notice) {
      notice.textContent = unknown.join(" ");
      notice.hidden = false;
    }
    if (words().length) { loadPapers(); }
  }

  function clear() {
    fields.q.value = "";
    FILTERS.forEach(function (name) { if (fields[name]) { fields[name].value = ""; } });
    if (notice) { notice.hidden = true; }
    apply();
    fields.q.focus();
  }

  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  fields.q.addEventListener("focus", loadPapers);
  fields.q.addEventListener("input", loadPapers);
  var reset = document.getElementById("reg-clear");
  if (reset) { reset.addEventListener("click", clear); }
  restore();
  apply();
}());
