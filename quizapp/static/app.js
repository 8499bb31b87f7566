// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function show(id) {
    var el = document.getElementById(id);
    if (el) el.hidden = false;
    return el;
  }

  // --- the questionnaire: answers kept in this tab, progress, clear and undo ---------------

  // The checked answer of every question, by field name.
  function answersOf(form) {
    var out = {};
    form.querySelectorAll("input[type=radio]:checked").forEach(function (el) { out[el.name] = el.value; });
    return out;
  }

  // Check the radios for ``answers`` (unknown names or values are skipped); return how many.
  function putAnswers(form, answers) {
    var count = 0;
    Object.keys(answers).forEach(function (name) {
      form.querySelectorAll("input[type=radio]").forEach(function (el) {
        if (el.name === name && el.value === answers[name]) { el.checked = true; count += 1; }
      });
    });
    return count;
  }

  // sessionStorage can be missing or refuse writes (private windows, storage full, blocked).
  var store = {
    read: function (key) {
      try { return JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
    },
    write: function (key, value) {
      try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* kept on the page only */ }
    },
    remove: function (key) {
      try { window.sessionStorage.removeItem(key); } catch (e) { /* nothing to remove */ }
    }
  };

  function setupQuestionnaire() {
    var form = document.querySelector("form.questionnaire");
    var box = document.getElementById("progress");
    if (!form || !box) return;
    var key = form.getAttribute("data-answers-key");
    var total = parseInt(box.getAttribute("data-total"), 10);
    var bar = document.getElementById("progress-bar");
    var text = document.getElementById("progress-text");
    var news = document.getElementById("progress-news");
    var clear = document.getElementById("clear-answers");
    var sections = Array.prototype.slice.call(form.querySelectorAll("section.quiz-section"));
    var undo = null; // the answers just cleared, until the next answer or Undo

    function unanswered() {
      var given = answersOf(form);
      return Array.prototype.filter.call(form.querySelectorAll("fieldset.question"), function (q) {
        return !given[q.id.replace(/^q-/, "")];
      });
    }

    function sectionDone(section) {
      return Array.prototype.every.call(section.querySelectorAll("fieldset.question"), function (q) {
        return q.querySelector("input:checked");
      });
    }

    function update() {
      var done = total - unanswered().length;
      bar.value = done;
      text.textContent = done + " of " + total + " answered";
    }

    // The live region speaks when a part is finished, not on every click.
    function announce(changed) {
      var section = changed.closest("section.quiz-section");
      var done = total - unanswered().length;
      if (done === total) news.textContent = "All " + total + " questions answered. You can now see your result.";
      else if (section && sectionDone(section)) {
        news.textContent = "Part " + (sections.indexOf(section) + 1) + " of " + sections.length +
          " done. " + done + " of " + total + " answered.";
      }
    }

    function setClearButton(undoing) {
      clear.textContent = undoing ? "Undo clearing" : "Clear my answers";
      clear.hidden = !undoing && !Object.keys(answersOf(form)).length;
    }

    // After an error (or a database hiccup) the server sent back the answers it received:
    // those are the truth, so they replace whatever this tab had kept, never the other way.
    var fromServer = document.getElementById("error-summary") || form.querySelector("input[type=radio]:checked");
    if (fromServer) {
      store.write(key, answersOf(form));
    } else {
      var kept = store.read(key);
      var restored = kept && typeof kept === "object" ? putAnswers(form, kept) : 0;
      if (restored) {
        show("restored");
        document.getElementById("restored-count").textContent = restored;
        var next = unanswered()[0];
        var link = document.getElementById("restored-next");
        if (next) link.href = "#" + next.id;
        else link.hidden = true;
      }
    }

    form.addEventListener("change", function (event) {
      undo = null;
      store.write(key, answersOf(form));
      update();
      setClearButton(false);
      announce(event.target);
    });
    form.addEventListener("submit", function () { store.remove(key); });
    clear.addEventListener("click", function () {
      if (undo) {
        putAnswers(form, undo);
        store.write(key, undo);
        undo = null;
        news.textContent = "Your answers are back.";
      } else {
        undo = answersOf(form);
        form.querySelectorAll("input[type=radio]:checked").forEach(function (el) { el.checked = false; });
        store.remove(key);
        news.textContent = "All answers cleared. Press Undo clearing to get them back.";
        var restoredNotice = document.getElementById("restored");
        if (restoredNotice) restoredNotice.hidden = true;
      }
      update();
      setClearButton(undo !== null);
    });

    show("pause-hint");
    box.hidden = false;
    update();
    setClearButton(false);
  }

  // --- the result page --------------------------------------------------------------------

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
    // Every folded part is printed open (print.css does the same where the browser allows),
    // then folded again as it was.
    var opened = [];
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    });
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  ready(function () { setupQuestionnaire(); setupCopy(); setupPrint(); focusErrors(); });
})();
