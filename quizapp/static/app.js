// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function setupProgress() {
    var box = document.getElementById("progress");
    var form = document.querySelector("form.questionnaire");
    if (!box || !form) return;
    var total = parseInt(box.getAttribute("data-total"), 10);
    var bar = document.getElementById("progress-bar");
    var text = document.getElementById("progress-text");
    function update() {
      var names = {};
      form.querySelectorAll("input[type=radio]:checked").forEach(function (el) { names[el.name] = true; });
      var done = Object.keys(names).length;
      bar.value = done;
      text.textContent = done + " of " + total + " answered";
    }
    box.hidden = false;
    form.addEventListener("change", update);
    update();
  }

  function setupCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".copy-status");
      // What is copied, for the status message: "link" unless the button says otherwise.
      var what = button.getAttribute("data-copy-what") || "link";
      var copied = what.charAt(0).toUpperCase() + what.slice(1) + " copied.";
      var manual = "Press Ctrl+C (or ⌘C) to copy the selected " + what + ".";
      button.hidden = false;
      button.addEventListener("click", function () {
        function done(message) { if (status) status.textContent = message; }
        input.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(
            function () { done(copied); },
            function () { done(manual); }
          );
        } else {
          done(document.execCommand && document.execCommand("copy") ? copied : manual);
        }
      });
    });
  }

  function setupPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  ready(function () { setupProgress(); setupCopy(); setupPrint(); focusErrors(); });
})();
