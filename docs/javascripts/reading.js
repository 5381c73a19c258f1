// The letter pages' reading aids (the markup comes from scripts/templates/_blocks.html): margin notes, the
// glossary notes of the paragraph being read shown in the right-hand column on wide screens; a term's definition
// in place, in a popover, when a term is tapped on a phone; a paragraph's menu closed once a link in it has been
// followed. Everything here enhances what works without it: the paragraph menus are native popovers, the terms
// link to their glossary entries and carry their short definition as a tooltip. No requests, no dependencies.
(function () {
  "use strict";

  // A paragraph's notes, rendered hidden at build time beside it (``para_notes``).
  function notesFor(id) {
    return document.querySelector('.para-notes[data-notes-for="' + CSS.escape(id) + '"]');
  }

  // --- Margin notes ---------------------------------------------------------------------------------
  // Material's right-hand column (the table of contents) is empty on a letter page and shown from 60em on.
  // The paragraph being read is the last one whose top has passed a line at 30% of the screen's height;
  // an IntersectionObserver says when a paragraph crosses that line.

  function marginNotes(body) {
    var column = document.querySelector(".md-sidebar--secondary .md-sidebar__inner");
    if (!column || !("IntersectionObserver" in window)) { return; }
    var paras = Array.prototype.slice.call(body.querySelectorAll(".para"));
    if (!paras.length) { return; }
    var aside = document.createElement("aside");
    aside.className = "margin-notes";
    aside.setAttribute("aria-label", "Glossary notes to the paragraph being read");
    column.appendChild(aside);
    var shown = null;

    function show(para) {
      if (para === shown) { return; }
      shown = para;
      aside.textContent = "";
      aside.dataset.paragraph = para.id;
      var title = document.createElement("p");
      title.className = "margin-notes-title";
      title.textContent = "Notes to paragraph " + para.dataset.number;
      aside.appendChild(title);
      var notes = notesFor(para.id);
      if (notes) {
        var list = notes.querySelector("dl").cloneNode(true);
        // The same entries are linked from the paragraph's own terms, which the keyboard reaches.
        list.querySelectorAll("a").forEach(function (a) { a.tabIndex = -1; });
        aside.appendChild(list);
      } else {
        var none = document.createElement("p");
        none.className = "margin-notes-none";
        none.textContent = "No glossary terms in this paragraph.";
        aside.appendChild(none);
      }
    }

    function pick() {
      var line = window.innerHeight * 0.3, reading = paras[0];
      for (var i = 0; i < paras.length; i++) {
        if (paras[i].getBoundingClientRect().top > line) { break; }
        reading = paras[i];
      }
      show(reading);
    }

    var observer = new IntersectionObserver(pick, { rootMargin: "0px 0px -70% 0px" });
    paras.forEach(function (para) { observer.observe(para); });
    window.addEventListener("hashchange", pick);
    pick();
  }

  // --- A term's definition in place ------------------------------------------------------------------
  // On a phone (narrow, or a screen without hover, where a tooltip cannot show) a tap on a term opens its
  // definition under it: name, short definition, link to the entry. A native popover: a tap outside or
  // Escape closes it, and focus goes back to the term.

  var NARROW = "(max-width: 59.984375em), (hover: none)";

  function termPopovers() {
    if (!HTMLElement.prototype.hasOwnProperty("popover")) { return; }
    var narrow = window.matchMedia(NARROW);
    var popover = document.createElement("div");
    popover.className = "term-popover";
    popover.id = "term-popover";
    popover.popover = "auto";
    popover.setAttribute("role", "dialog");
    popover.setAttribute("aria-labelledby", "term-popover-title");
    popover.innerHTML = '<p class="term-popover-title" id="term-popover-title"></p><p class="term-popover-short"></p>' +
      '<p class="term-popover-entry"><a></a></p>';
    document.body.appendChild(popover);
    var opener = null;

    document.addEventListener("click", function (event) {
      var term = event.target.closest(".letter-body a.term, .letter-signature a.term");
      if (!term || !narrow.matches || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
      event.preventDefault();
      var href = term.getAttribute("href");
      var holder = term.closest(".para") || term.closest(".signature");
      var notes = holder && notesFor(holder.id);
      var entry = notes && Array.prototype.find.call(notes.querySelectorAll("dt a"), function (a) {
        return a.getAttribute("href") === href;
      });
      var name = entry ? entry.textContent : term.textContent;
      popover.querySelector(".term-popover-title").textContent = name;
      popover.querySelector(".term-popover-short").textContent = entry
        ? entry.parentNode.nextElementSibling.textContent : term.getAttribute("title") || "";
      var link = popover.querySelector(".term-popover-entry a");
      link.href = href;
      link.textContent = "Glossary entry: " + name;
      if (popover.matches(":popover-open")) { popover.hidePopover(); }
      opener = term;
      try {
        popover.showPopover({ source: term }); // anchors it to the term (CSS position-area)
      } catch (error) {
        popover.showPopover();
      }
      link.focus();
    });

    popover.addEventListener("toggle", function (event) {
      if (event.newState === "closed" && opener) {
        if (!document.activeElement || document.activeElement === document.body || popover.contains(document.activeElement)) {
          opener.focus({ preventScroll: true });
        }
        opener = null;
      }
    });
  }

  // --- Paragraph menus -------------------------------------------------------------------------------
  // "Link to this paragraph" and a related passage lead elsewhere: the menu closes behind them.

  function paragraphMenus(body) {
    body.addEventListener("click", function (event) {
      var link = event.target.closest(".para-menu a[href]");
      var menu = link && link.closest(".para-menu");
      if (menu && menu.matches(":popover-open")) { menu.hidePopover(); }
    });
  }

  function start() {
    var body = document.querySelector(".letter-body");
    if (!body) { return; }
    marginNotes(body);
    termPopovers();
    paragraphMenus(body);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
