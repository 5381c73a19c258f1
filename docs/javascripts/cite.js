// Citations (the markup comes from scripts/templates/_blocks.html, the strings from scripts/cite.py): a copy
// button for every citation, which puts both the text and its HTML (the style's italics) on the clipboard, with
// a visible confirmation; each "Link to this … in this edition" shown as the full address the reader is at
// (and said to be local when it is); and "Cite selection" for text selected in a letter.
// No requests, no dependencies; without script the citations are still there to select by hand.
(function () {
  "use strict";

  var status; // one polite live region announces every confirmation to screen readers

  function announce(message) {
    if (!status) {
      status = document.createElement("p");
      status.className = "cite-status";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  // Copies `source`: its text, and its HTML too (a word processor then keeps the style's italics).
  function copyText(source) {
    var text = source.textContent, html = source.innerHTML;
    if (navigator.clipboard && window.isSecureContext && window.ClipboardItem) {
      return navigator.clipboard.write([new ClipboardItem({
        "text/plain": new Blob([text], { type: "text/plain" }),
        "text/html": new Blob([html], { type: "text/html" })
      })]).catch(function () { return navigator.clipboard.writeText(text); });
    }
    // Not a secure context (for example a file:// copy): the older command copies a selection, formatting too.
    return new Promise(function (resolve, reject) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      holder.style.position = "fixed";
      holder.style.opacity = "0";
      document.body.appendChild(holder);
      var range = document.createRange();
      range.selectNodeContents(holder);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = document.execCommand("copy");
      selection.removeAllRanges();
      document.body.removeChild(holder);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  // A button that copies `target` (exactly the citation shown: its text, and its HTML).
  function copyButton(target, what) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cite-copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + what);
    button.addEventListener("click", function () {
      copyText(target).then(function () {
        button.textContent = "Copied ✓";
        button.classList.add("cite-copied");
        announce("Copied to the clipboard: " + what);
      }, function () {
        button.textContent = "Copy failed: select the text";
        announce("Could not copy; select the text and copy it by hand.");
      });
      window.setTimeout(function () {
        button.textContent = "Copy";
        button.classList.remove("cite-copied");
      }, 2500);
    });
    return button;
  }

  function addCopyButtons(root) {
    root.querySelectorAll(".cite-text").forEach(function (text) {
      if (text.nextElementSibling && text.nextElementSibling.classList.contains("cite-copy")) { return; }
      var term = text.closest("dd") && text.closest("dd").previousElementSibling;
      var what = text.classList.contains("cite-url") ? "the link to this edition" : term ? term.textContent : "citation";
      text.after(copyButton(text, what));
    });
  }

  // --- Links to this edition ------------------------------------------------------------------------
  // The pages carry these links relative to themselves, so they are right wherever the site is served; shown
  // here as the full address, which is what a reader copies. A local copy says so: its address leads nowhere
  // for anyone else.

  function isLocal() {
    return location.protocol === "file:" || /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/.test(location.hostname);
  }

  function showPermalinks(root) {
    root.querySelectorAll("a.cite-permalink").forEach(function (link) {
      var url = new URL(link.getAttribute("href"), location.href).href;
      link.href = url;
      link.textContent = url;
      link.classList.add("cite-text", "cite-url");
      if (isLocal() && !link.parentNode.querySelector(".cite-local")) {
        var note = document.createElement("span");
        note.className = "cite-local";
        note.textContent = " (this is a local copy of the edition: the address works only on this computer)";
        link.after(note);
      }
    });
  }

  // --- Cite selection -------------------------------------------------------------------------

  // A text fragment (https://wicg.github.io/scroll-to-text-fragment/): "-", "," and "&" are syntax.
  function fragmentPart(text) {
    return encodeURIComponent(text).replace(/-/g, "%2D").replace(/,/g, "%2C").replace(/&/g, "%26");
  }

  function textFragment(quote) {
    var words = quote.split(" ");
    if (words.length <= 8) { return ":~:text=" + fragmentPart(quote); }
    return ":~:text=" + fragmentPart(words.slice(0, 4).join(" ")) + "," + fragmentPart(words.slice(-4).join(" "));
  }

  // The selected words of one paragraph, without its margin number.
  function selectedQuote(range) {
    var copy = range.cloneContents();
    copy.querySelectorAll(".para-num, [aria-hidden='true']").forEach(function (node) { node.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function paragraphOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest(".letter-body .para") : null;
  }

  var panel, pending = null;

  function buildPanel() {
    panel = document.createElement("section");
    panel.className = "cite-selection";
    panel.setAttribute("aria-label", "Cite selection");
    panel.hidden = true;
    panel.innerHTML = '<button type="button" class="cite-selection-open">Cite selection</button>' +
      '<div class="cite-selection-body" hidden><dl></dl>' +
      '<button type="button" class="cite-selection-close">Close</button></div>';
    document.body.appendChild(panel);
    panel.querySelector(".cite-selection-open").addEventListener("click", showCitation);
    panel.querySelector(".cite-selection-close").addEventListener("click", function () {
      panel.hidden = true;
      panel.querySelector(".cite-selection-body").hidden = true;
    });
  }

  function onSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return; }
    var range = selection.getRangeAt(0);
    var para = paragraphOf(range.startContainer);
    if (!para || paragraphOf(range.endContainer) !== para) { return; }
    var quote = selectedQuote(range);
    if (!quote) { return; }
    pending = { para: para, quote: quote };
    panel.hidden = false;
    panel.querySelector(".cite-selection-body").hidden = true;
  }

  // A row of the panel: `nodes` are text, or elements cloned from the page (a citation with its italics).
  function row(list, term, nodes) {
    var dt = document.createElement("dt");
    dt.textContent = term;
    var dd = document.createElement("dd");
    var span = document.createElement("span");
    span.className = "cite-text";
    nodes.forEach(function (node) {
      span.append(typeof node === "string" ? node : node.cloneNode(true));
    });
    dd.appendChild(span);
    list.append(dt, dd);
  }

  // A quotation inside double quotation marks: the double marks it holds become single (American usage).
  function quoted(text) {
    return "“" + text.replace(/“/g, "‘").replace(/”/g, "’") + "”";
  }

  // The paragraph's own citation in one form (from its "Cite" block), as nodes to put in a row.
  function form(block, style, name) {
    var found = block && block.querySelector('.cite-text[data-style="' + style + '"][data-form="' + name + '"]');
    return found ? Array.prototype.slice.call(found.childNodes) : [];
  }

  function showCitation() {
    if (!pending) { return; }
    var para = pending.para, quote = pending.quote;
    // The paragraph's "Cite" block, in the menu its number opens (templates/_blocks.html para_menu).
    var number = para.querySelector(".para-num[popovertarget]");
    var menu = number && document.getElementById(number.getAttribute("popovertarget"));
    var block = menu && menu.querySelector("details.cite");
    var url = new URL("#" + para.id, location.href).href;
    var list = panel.querySelector("dl");
    list.textContent = "";
    row(list, "Quotation, APA (7th ed.)", [quoted(quote), " "].concat(form(block, "apa", "parenthetical")));
    row(list, "Quotation, MLA (9th ed.)", [quoted(quote), " "].concat(form(block, "mla", "in_text")));
    row(list, "Chicago (18th ed.): note", form(block, "chicago", "note"));
    row(list, "Link to the passage in this edition", [url + textFragment(quote)]);
    addCopyButtons(list);
    var body = panel.querySelector(".cite-selection-body");
    body.hidden = false;
    body.querySelector(".cite-copy").focus();
  }

  function start() {
    showPermalinks(document);
    addCopyButtons(document);
    if (document.querySelector(".letter-body .para")) {
      buildPanel();
      document.addEventListener("selectionchange", function () {
        window.clearTimeout(start.timer);
        start.timer = window.setTimeout(onSelection, 150);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
