// Citations (issue 5; the markup comes from scripts/cite.py): a copy button for every citation
// string, with a visible confirmation, and "Cite selection" for text selected in a letter.
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

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Not a secure context (for example a file:// copy): the older command still copies a selection.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  // A button that copies the text content of `target` (exactly the citation string shown).
  function copyButton(target, what) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cite-copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + what);
    button.addEventListener("click", function () {
      copyText(target.textContent).then(function () {
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
      text.after(copyButton(text, term ? term.textContent : "citation"));
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

  function row(list, term, text) {
    var dt = document.createElement("dt");
    dt.textContent = term;
    var dd = document.createElement("dd");
    var span = document.createElement("span");
    span.className = "cite-text";
    span.textContent = text;
    dd.appendChild(span);
    list.append(dt, dd);
  }

  function showCitation() {
    if (!pending) { return; }
    var para = pending.para, quote = pending.quote;
    var block = para.nextElementSibling;
    var url = block && block.matches("details.cite") ? block.dataset.url : location.href.split("#")[0] + "#" + para.id;
    var heading = document.querySelector("h1");
    var letter = heading ? heading.textContent.split(":")[0].trim() : "";
    var where = (letter ? letter + ", " : "") + "para. " + para.dataset.number;
    var list = panel.querySelector("dl");
    list.textContent = "";
    row(list, "Quotation", "“" + quote + "” (" + where + ")");
    row(list, "Paragraph", where + ": " + url);
    row(list, "Link to the passage", url + textFragment(quote));
    addCopyButtons(list);
    var body = panel.querySelector(".cite-selection-body");
    body.hidden = false;
    body.querySelector(".cite-copy").focus();
  }

  function start() {
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
