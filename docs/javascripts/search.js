/* Search (README, "Search"): Pagefind's index of the built site, shown in Material's header search box and
   results dialog, one result per paragraph.

   - The index (`python -m scripts index`, after the build) holds each letter page and glossary entry as one
     record, and where in its text every element with an id begins. Pagefind finds and ranks the pages; this
     script reads the text of the ten best letters and cuts it at their paragraphs' ids. Paragraphs are ranked
     by whether they hold every word of the query (for a quoted query: the phrase), how many they hold, whether
     in order, then by BM25 over the paragraphs read, and listed under their letter with a 30-word excerpt
     around the matches, marked; weaker ones come after a divider. Glossary entries are searched apart (Pagefind's filter kind:glossary) and shown as one
     labelled group of at most three: after the best letter when the query names an entry, else after the
     passages that hold every word, so they never push the passages away.
   - Pagefind loads nothing until the search box is used, then only the pieces of the index the query needs.
   - A query word that finds nothing (a typo: "frnt") is replaced by the most frequent word of the site one
     edit away, from the word lists that `scripts index` writes (pagefind/words/<length>.json); the dialog
     says so. British spellings are found by Pagefind's stemming, or by that correction.
   - A result's link carries the words it matched (?highlight=…); on arrival those words, and only those, are
     marked in the paragraph the link points to.
   - Keyboard: "/" (or s, f) opens search; Enter opens the first passage; the arrow keys move through the
     results; Escape closes. The result count is announced (role="status").

   The markup is a <template> in overrides/main.html, in Material's classes, so that it looks and moves like
   Material's search; nothing of Material's own search code runs. */
(() => {
  "use strict";

  const EXCERPT_WORDS = 30;
  const LETTERS_READ = 10; // letter pages whose text is read for their paragraphs
  const GLOSSARY_SHOWN = 3;
  const PASSAGES_SHOWN = 3; // per letter; the rest fold into "more in this letter"
  const DELAY_MS = 60; // after the last keystroke
  const PARAM = "highlight";

  // Words as Pagefind's query and scripts/search_index.py see them: split at spaces, dashes and slashes;
  // lower case, no accents, no punctuation around them ("&" and "$" are part of words: S&T, $15).
  const SPLIT = /[\s\-\u2010-\u2015/]+/;
  const PARTS = /([\-\u2010-\u2015/]+)/;
  const EDGE = /^[^\p{L}\p{N}_&$]+|[^\p{L}\p{N}_&$]+$/gu;
  const normal = (word) => word.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").replace(EDGE, "");
  const wordsOf = (text) => text.split(SPLIT).map(normal).filter(Boolean);

  /* Text with the words in `marked` (normal forms) wrapped in <mark>, as DOM nodes: never HTML, so a
     hostile text stays text. Only the word itself is marked, not the quote or comma around it. */
  function appendMarked(parent, text, marked) {
    for (const piece of text.split(/(\s+)/)) {
      for (const part of piece.split(PARTS)) {
        const core = normal(part);
        if (!core || !marked.has(core)) {
          parent.append(part);
          continue;
        }
        const start = part.search(/[\p{L}\p{N}_&$]/u);
        const end = part.length - [...part].reverse().join("").search(/[\p{L}\p{N}_&$]/u);
        const mark = document.createElement("mark");
        mark.className = "search-match"; // told apart from the marks a page has of its own (concordances)
        mark.textContent = part.slice(start, end);
        parent.append(part.slice(0, start), mark, part.slice(end));
      }
    }
  }

  /* Landing: mark the words the result matched in the paragraph it points to (or the page's indexed text). */
  function highlightLanding() {
    const marked = new Set(new URLSearchParams(location.search).getAll(PARAM).map(normal).filter(Boolean));
    if (!marked.size) return;
    let target = null;
    try {
      target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    } catch {} // a malformed address: mark the whole page's text instead
    const roots = target ? [target] : [...document.querySelectorAll("[data-pagefind-body]")];
    for (const root of roots) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
        acceptNode: (node) => (node.parentElement.closest("[data-pagefind-ignore], mark, script, style")
          ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
      });
      const nodes = [];
      while (walker.nextNode()) nodes.push(walker.currentNode);
      for (const node of nodes) {
        const replacement = document.createDocumentFragment();
        appendMarked(replacement, node.data, marked);
        if (replacement.querySelector("mark")) node.replaceWith(replacement);
      }
    }
    // The browser scrolled to the paragraph's top; on a phone a long paragraph's first match can be below it.
    const first = (target || document).querySelector("mark");
    if (first && first.getBoundingClientRect().bottom > window.innerHeight) first.scrollIntoView({ block: "center" });
  }
  try {
    highlightLanding();
  } catch (error) {
    console.error(error); // never at the cost of the search box below
  }

  const template = document.getElementById("reader-search");
  const header = document.querySelector(".md-header__inner");
  const toggle = document.getElementById("__search"); // Material's checkbox: checked = search open
  const script = document.currentScript;
  if (!template || !header || !toggle || !script) return;
  const root = new URL("../", script.src); // this file is javascripts/search.js under the site's root
  header.insertBefore(template.content.cloneNode(true), header.querySelector(".md-header__source"));
  const dialog = header.querySelector(".md-search");
  const form = dialog.querySelector("form");
  const input = dialog.querySelector(".md-search__input");
  const status = dialog.querySelector(".md-search-result__meta");
  const results = dialog.querySelector(".md-search-result");
  const list = results.querySelector(".md-search-result__list");
  const placeholder = status.textContent.trim();

  let pagefind = null;
  function loadPagefind() {
    pagefind ??= import(new URL("pagefind/pagefind.js", root).href).then(async (pf) => {
      await pf.options({ excerptLength: EXCERPT_WORDS });
      await pf.init();
      return pf;
    });
    return pagefind;
  }

  /* ---- The query ---- */

  function parse(query) {
    const terms = wordsOf(query.replace(/"/g, " "));
    const quoted = [...query.matchAll(/"([^"]+)"/g)].map((m) => wordsOf(m[1])).filter((p) => p.length > 1);
    const phrases = query.includes('"') ? quoted : terms.length > 1 ? [terms] : [];
    // The last word is still being typed unless a space or a quote follows it: it may match longer words.
    return { terms, phrases, quoted: query.includes('"'), typing: /[^\s"]$/.test(query) };
  }

  const replaceWord = (q, from, to) => {
    const swap = (words) => words.map((w) => (w === from ? to : w));
    return { ...q, terms: swap(q.terms), phrases: q.phrases.map(swap) };
  };

  /* The site's words of one length, most frequent first (scripts/search_index.py). */
  const wordLists = new Map();
  function wordsOfLength(n) {
    if (!wordLists.has(n)) {
      wordLists.set(n, fetch(new URL(`pagefind/words/${n}.json`, root)).then((r) => (r.ok ? r.json() : {}))
        .catch(() => ({})));
    }
    return wordLists.get(n);
  }

  /* Whether b is one edit (a letter added, dropped, changed, or two swapped) away from a. */
  function oneEdit(a, b) {
    if (a === b || Math.abs(a.length - b.length) > 1) return false;
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      return a.slice(i + 1) === b.slice(i + 1)
        || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return a.length < b.length ? a.slice(i) === b.slice(i + 1) : a.slice(i + 1) === b.slice(i);
  }

  /* The query with each word that Pagefind finds nowhere replaced by the site's most frequent word one edit
     away; null if nothing was replaced. Numbers are never changed. */
  async function corrected(pf, q) {
    let fixed = q;
    for (const term of new Set(q.terms)) {
      if (term.length < 3 || /^\d+$/.test(term) || (await pf.search(term)).results.length) continue;
      const lists = await Promise.all([term.length - 1, term.length, term.length + 1].map(wordsOfLength));
      let best = null;
      for (const words of lists) {
        for (const [word, count] of Object.entries(words)) {
          if (count > (best?.count ?? 0) && oneEdit(term, word)) best = { word, count };
        }
      }
      if (best) fixed = replaceWord(fixed, term, best.word);
    }
    return fixed === q ? null : fixed;
  }

  /* ---- Paragraphs ---- */

  const commonPrefix = (a, b) => {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return i;
  };

  /* British spellings in American form, for comparing words only (Pagefind's stemming already finds
     "securitisation" for "securitization"; this tells which query word a found word stands for). */
  const american = (word) => word.replace(/is(e|ed|es|ing|ation|ations)$/, "iz$1").replace(/ys(e|ed|es|ing)$/, "yz$1")
    .replace(/^(.{3,})our(s|ed|ing)?$/, "$1or$2").replace(/^(.{3,})tre(s)?$/, "$1ter$2");

  /* Which query word a matched word stands for, or -1. Pagefind matches by stem and by prefix, which is
     right for finding pages but would mark "only" for "on" and "relationships" for "related": here a word
     stands for a query word if it is that word, or shares its stem (at least 4 letters, endings of at most
     4), or, for the word still being typed, begins with it. */
  function termOf(word, q) {
    const w = american(word.replace(/^\$/, ""));
    let best = -1, length = 0;
    q.terms.forEach((term, i) => {
      const t = american(term.replace(/^\$/, ""));
      const common = commonPrefix(w, t);
      const same = w === t || (common >= 4 && w.length - common <= 4 && t.length - common <= 4)
        || (q.typing && i === q.terms.length - 1 && w.startsWith(t));
      if (same && common > length) [best, length] = [i, common];
      else if (same && best === -1) best = i;
    });
    return best;
  }

  /* A letter page's paragraphs (and signature) with the query's matches in each. */
  function paragraphsOf(data, q, rank) {
    const tokens = data.content.split(/[\r\n\s]+/g); // Pagefind's own word positions
    const anchors = data.anchors.filter((a) => a.id.startsWith("p-") || a.id === "signature")
      .sort((a, b) => a.location - b.location);
    const letter = ((data.meta.title || "").match(/^Letter \d+/) || [data.meta.title || ""])[0];  // "Letter 3 — signed: …"
    let number = 0;
    return anchors.map((anchor, i) => {
      const start = anchor.location, end = anchors[i + 1]?.location ?? tokens.length;
      const paragraph = anchor.id === "signature" ? { label: `${letter}, signature` }
        : { label: `${letter} ¶${++number}` };
      return { ...paragraph, ...matchesIn(tokens, start, end, q), id: anchor.id, page: data, rank };
    });
  }

  /* The matches of the query in tokens[start, end): which words, which query words, whether in order. Every
     word is compared with the query (termOf), not only those Pagefind located: it does not locate a word
     joined to another by a dash ("framework—“as"), which would break a phrase. */
  function matchesIn(tokens, start, end, q) {
    const parts = []; // every word part in order: {location, word, term}
    for (let location = start; location < end; location++) {
      for (const part of tokens[location].split(SPLIT)) {
        const word = normal(part);
        if (!word) continue;
        parts.push({ location, word, term: termOf(word, q) });
      }
    }
    const matched = parts.filter((p) => p.term >= 0);
    const inOrder = (phrase) => parts.some((_, i) => phrase.every((word, j) => {
      const p = parts[i + j];
      return p && p.term >= 0 && q.terms[p.term] === word;
    }));
    const counts = new Map();
    for (const p of matched) counts.set(p.term, (counts.get(p.term) || 0) + 1);
    return {
      start, end, tokens, counts, length: end - start,
      words: new Set(matched.map((p) => p.word)),
      locations: [...new Set(matched.map((p) => p.location))],
      phrase: q.phrases.length > 0 && q.phrases.every(inOrder),
    };
  }

  /* BM25 over the paragraphs found, each query word weighted by how few of them hold it. */
  function score(paragraphs, q) {
    const k1 = 1.2, b = 0.75;
    const average = paragraphs.reduce((sum, p) => sum + p.length, 0) / (paragraphs.length || 1);
    const holding = q.terms.map((_, t) => paragraphs.filter((p) => p.counts.has(t)).length);
    for (const p of paragraphs) {
      p.coverage = p.counts.size;
      p.bm25 = 0;
      for (const [t, tf] of p.counts) {
        const idf = Math.log(1 + (paragraphs.length - holding[t] + 0.5) / (holding[t] + 0.5));
        p.bm25 += idf * (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * p.length) / average));
      }
    }
  }

  /* Best first: for a quoted query the paragraphs with the phrase, else those with every word (the words in
     order first); then BM25; then the order Pagefind ranked their letters in, and the order in the letter. */
  const tierOf = (p, q) => (q.quoted ? (p.phrase ? 0 : 1) : p.coverage === new Set(q.terms).size ? 0 : 1);
  const byRelevance = (q) => (a, b) => tierOf(a, q) - tierOf(b, q) || b.coverage - a.coverage
    || b.phrase - a.phrase || b.bm25 - a.bm25 || a.rank - b.rank || a.start - b.start;

  /* ---- Searching ---- */

  async function find(pf, q) {
    const text = q.terms.join(" ");
    const [exact, letters, glossary] = await Promise.all([
      q.phrases.length ? pf.search(`"${q.phrases[0].join(" ")}"`, { filters: { kind: "letter" } }) : null,
      pf.search(text, { filters: { kind: "letter" } }),
      pf.search(text, { filters: { kind: "glossary" } }),
    ]);
    // Letters with the phrase first (Pagefind's exact search), then the rest by Pagefind's own score; each
    // with every match of the query (the exact search's matches are the phrase's only).
    const full = new Map(letters.results.map((r) => [r.id, r]));
    const order = [...new Set([...(exact?.results || []).map((r) => r.id), ...full.keys()])];
    const pages = await Promise.all(order.slice(0, LETTERS_READ)
      .map((id) => (full.get(id) || exact.results.find((r) => r.id === id)).data()));
    const paragraphs = pages.flatMap((data, rank) => paragraphsOf(data, q, rank));
    score(paragraphs, q);
    const found = paragraphs.filter((p) => p.coverage > 0).sort(byRelevance(q));
    for (const p of found) p.tier = tierOf(p, q);
    const entries = await Promise.all(glossary.results.slice(0, GLOSSARY_SHOWN).map((r) => r.data()));
    return {
      passages: found,
      pagesOnly: pages.filter((data) => !found.some((p) => p.page === data)), // matched in title only
      letterCount: order.length,
      glossary: entries.map((data) => {
        const tokens = data.content.split(/[\r\n\s]+/g);
        return { page: data, label: data.meta.title, ...matchesIn(tokens, 0, tokens.length, q) };
      }),
      glossaryCount: glossary.results.length,
      // The query names an entry (its words are in the entry's title): the entry goes straight after the best
      // letter; an entry that only mentions the words goes after the passages that have them all.
      glossaryNamed: glossary.results.slice(0, GLOSSARY_SHOWN).some((r) => r.matchedMetaFields?.includes("title")),
    };
  }

  /* ---- Showing ---- */

  function link(page, words, anchor) {
    const url = new URL(page.url, location.href);
    for (const word of words) url.searchParams.append(PARAM, word);
    if (anchor) url.hash = anchor;
    return url.href;
  }

  function excerpt(match) {
    const { tokens, start, end, locations } = match;
    let from = start;
    if (end - start > EXCERPT_WORDS && locations.length) {
      // The window of EXCERPT_WORDS words holding the most matches, starting a few words before the first.
      let best = -1;
      for (const first of locations) {
        const at = Math.max(start, Math.min(first - 3, end - EXCERPT_WORDS));
        const count = locations.filter((l) => l >= at && l < at + EXCERPT_WORDS).length;
        if (count > best) [best, from] = [count, at];
      }
    }
    const to = Math.min(end, from + EXCERPT_WORDS);
    const p = document.createElement("p");
    appendMarked(p, (from > start ? "… " : "") + tokens.slice(from, to).join(" ") + (to < end ? " …" : ""),
      match.words);
    return p;
  }

  function article(heading, level, teaser, kind) {
    const el = document.createElement("article");
    el.className = "md-search-result__article md-typeset" + (kind ? " md-search-result__article--document" : "");
    if (kind) {
      const icon = document.createElement("div");
      icon.className = "md-search-result__icon md-icon";
      el.append(icon);
    }
    const h = document.createElement(level);
    h.textContent = heading;
    el.append(h);
    if (teaser) el.append(teaser);
    return el;
  }

  function resultLink(href, content, passage) {
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = href;
    if (passage) a.dataset.passage = "";
    a.append(content);
    return a;
  }

  function teaser(text) {
    const p = document.createElement("p");
    p.className = "md-search-result__teaser";
    p.textContent = text;
    return p;
  }

  function letterGroup(passages) {
    const page = passages[0].page;
    const item = document.createElement("li");
    item.className = "md-search-result__item";
    item.append(article(page.meta.title, "h1", page.meta.discussion && teaser(page.meta.discussion), "letter"));
    const links = passages.map((p) => resultLink(link(page, p.words, p.id), article(p.label, "h2", excerpt(p)), true));
    item.append(...links.slice(0, PASSAGES_SHOWN));
    if (links.length > PASSAGES_SHOWN) {
      const more = document.createElement("details");
      more.className = "md-search-result__more";
      const summary = document.createElement("summary");
      const label = document.createElement("div");
      const n = links.length - PASSAGES_SHOWN;
      label.textContent = `${n} more in this letter`;
      summary.append(label);
      more.append(summary, ...links.slice(PASSAGES_SHOWN));
      item.append(more);
    }
    return item;
  }

  function glossaryGroup(entries) {
    const item = document.createElement("li");
    item.className = "md-search-result__item reader-search-glossary";
    item.append(article("Glossary", "h1", null, "glossary"));
    for (const entry of entries) {
      item.append(resultLink(link(entry.page, entry.words), article(entry.label, "h2", excerpt(entry))));
    }
    return item;
  }

  function pageItem(data) {
    const item = document.createElement("li");
    item.className = "md-search-result__item";
    item.append(resultLink(link(data, []), article(data.meta.title, "h1",
      data.meta.discussion && teaser(data.meta.discussion), "letter")));
    return item;
  }

  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

  function divider(text) {
    const item = document.createElement("li");
    item.className = "md-search-result__item reader-search-divider";
    item.textContent = text;
    return item;
  }

  /* Passages grouped under their letter, best first; passages that lack the phrase or some of the words come
     after a divider, grouped again, so that a letter never lifts its weaker passages above another's best. */
  function render(found, q, correction) {
    const tiers = [new Map(), new Map()];
    for (const p of found.passages) {
      const groups = tiers[p.tier];
      if (!groups.has(p.page)) groups.set(p.page, []);
      groups.get(p.page).push(p);
    }
    const items = [...tiers[0].values()].map(letterGroup);
    if (found.glossary.length) {
      items.splice(found.glossaryNamed ? Math.min(1, items.length) : items.length, 0, glossaryGroup(found.glossary));
    }
    if (tiers[1].size) {
      items.push(divider(q.quoted ? "Passages with the words but not the phrase" : "Passages with some of the words"),
        ...[...tiers[1].values()].map(letterGroup));
    }
    items.push(...found.pagesOnly.map(pageItem));
    list.replaceChildren(...items);
    const letters = new Set(found.passages.map((p) => p.page)).size;
    const said = [];
    if (correction) said.push(`Showing results for “${q.terms.join(" ")}”.`);
    if (!items.length) said.push("No matching passages or glossary entries.");
    else {
      said.push(`${plural(found.passages.length, "passage", "passages")} in ${plural(letters, "letter", "letters")}`
        + (found.letterCount > letters + found.pagesOnly.length
          ? ` (the best of ${plural(found.letterCount, "matching letter", "matching letters")})` : "")
        + (found.glossaryCount ? `; ${plural(found.glossaryCount, "glossary entry", "glossary entries")}` : "")
        + ".");
    }
    status.textContent = said.join(" ");
  }

  let latest = 0;
  async function run(query, n) {
    const pf = await loadPagefind();
    let q = parse(query);
    if (!q.terms.length) {
      list.replaceChildren();
      status.textContent = placeholder;
      results.dataset.query = query;
      return;
    }
    const [found, fixed] = await Promise.all([find(pf, q), corrected(pf, q)]);
    let shown = found;
    if (fixed) {
      q = fixed;
      shown = await find(pf, q);
    }
    if (n !== latest) return;
    render(shown, q, Boolean(fixed));
    results.dataset.query = query; // the query these results answer (the tests wait for it)
  }

  let timer = 0;
  input.addEventListener("input", () => {
    const n = ++latest;
    clearTimeout(timer);
    loadPagefind().then((pf) => pf.preload(input.value.replace(/"/g, " ")));
    timer = setTimeout(() => run(input.value, n).catch((error) => {
      if (n === latest) status.textContent = "Search is not available here.";
      console.error(error);
    }), DELAY_MS);
  });

  /* ---- Opening, closing, keyboard ---- */

  let returnFocus = null; // where focus was when search opened, to go back to on Escape
  function open(from) {
    if (!toggle.checked) {
      returnFocus = from && from !== document.body && !dialog.contains(from) ? from : null;
      toggle.checked = true;
    }
    loadPagefind();
    if (document.activeElement !== input) input.focus();
  }
  function close() {
    toggle.checked = false;
    const back = returnFocus;
    returnFocus = null;
    if (!dialog.contains(document.activeElement)) return;
    if (back && document.contains(back)) back.focus();
    else document.activeElement.blur();
  }

  input.addEventListener("focus", (event) => open(event.relatedTarget));
  toggle.addEventListener("change", () => (toggle.checked ? open(null) : close()));
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () => {
    latest++;
    list.replaceChildren();
    status.textContent = placeholder;
    setTimeout(() => input.focus());
  });

  const visibleLinks = () => [...list.querySelectorAll("a.md-search-result__link, summary")]
    .filter((el) => el.offsetParent !== null);

  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Enter" && event.target === input) {
      event.preventDefault();
      const first = list.querySelector("a[data-passage]") || list.querySelector("a.md-search-result__link");
      if (first) first.click();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const links = visibleLinks();
      const at = links.indexOf(document.activeElement);
      const next = event.key === "ArrowDown" ? at + 1 : at - 1;
      if (!links.length || (at === -1 && event.target !== input)) return;
      event.preventDefault();
      (next < 0 ? input : links[Math.min(next, links.length - 1)]).focus();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.metaKey || event.ctrlKey || event.altKey || !["/", "s", "f"].includes(event.key)) return;
    const active = document.activeElement;
    if (active && (active.isContentEditable || /^(input|textarea|select)$/i.test(active.tagName))) return;
    event.preventDefault();
    open(active);
  });

  list.addEventListener("click", (event) => {
    if (event.target.closest("a")) toggle.checked = false;
  });
})();
