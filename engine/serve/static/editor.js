// The editor's live check: as the officer types, post the form (op=check) and show what
// `decisions check` would say, beside each field and in the summary, and redraw the previews.
// Without this script every button still works: the page is drawn again by the server.
(function () {
  "use strict";
  var form = document.getElementById("ed-form");
  if (!form) { return; }
  var timer = null;
  var sent = 0;

  function show(data) {
    form.querySelectorAll(".ed-live-problems").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
    });
    form.querySelectorAll(".ed-problems").forEach(function (node) { node.remove(); });
    Object.keys(data.fields).forEach(function (id) {
      var target = document.getElementById(id);
      if (!target) { return; }
      var list = document.createElement("ul");
      list.className = "ed-problems ed-live-problems";
      list.id = target.id + "-problems";
      data.fields[id].forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      });
      target.setAttribute("aria-invalid", "true");
      var described = (target.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
        return x && !/-problems$/.test(x);
      });
      described.push(list.id);
      target.setAttribute("aria-describedby", described.join(" "));
      target.insertAdjacentElement(target.tagName === "FIELDSET" ? "afterbegin" : "afterend", list);
    });
    document.getElementById("ed-summary").innerHTML = data.summary;
    var errors = data.errors, warnings = data.warnings;
    document.getElementById("ed-counts").textContent = errors + (errors === 1 ? " error, " : " errors, ") +
      warnings + (warnings === 1 ? " warning" : " warnings");
    // A draft that does not read yet keeps the last preview that did, and says so.
    var note = document.getElementById("ed-preview-note");
    if (data.preview) {
      document.getElementById("ed-preview").srcdoc = data.preview;
      document.getElementById("ed-public-preview").srcdoc = data.public_preview;
      note.textContent = "";
    } else {
      note.textContent = "The previews show the paper as it last read: fix the errors marked to see this version.";
    }
  }

  function check() {
    var body = new FormData(form);
    body.set("op", "check");
    var mine = ++sent;
    fetch("/edit", { method: "POST", body: body, headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (mine !== sent) { return; }  // a later check is on its way
        if (data.error) {
          document.getElementById("ed-summary").textContent = data.error;
          return;
        }
        show(data);
      })
      .catch(function () {
        document.getElementById("ed-summary").textContent =
          "The editor did not answer: is `decisions serve` still running? What you typed is still here.";
      });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  form.addEventListener("change", function (event) {
    // A choice of form (text, or a paragraph with options) is drawn by the server.
    if (event.target.classList.contains("ed-form-choice")) {
      var op = document.createElement("input");
      op.type = "hidden"; op.name = "op"; op.value = "redraw";
      form.appendChild(op);
      form.submit();
    }
  });
})();
