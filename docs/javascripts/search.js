/* Phrase ranking for Material's search (README, "Search").

   Material's lunr search has no phrase search: `"united front"` becomes `+united +front`, which
   matches every entry containing both words anywhere. This script re-ranks the results Material
   has rendered, without touching its index or worker:

   - the phrase is the quoted part of the query, or, for a query of two or more words without
     quotes, the whole query;
   - a passage (an index entry for a letter paragraph, location `…#p-…`, added by hooks/search.py)
     "has the phrase" when its text contains the phrase's words in order, ignoring case and
     punctuation;
   - result groups (pages) with such passages move to the top; inside a group those passages come
     straight after the page's heading, and the group's other sections fold into its "more on
     this page" list;
   - those passages get the highest score attributes, so Enter in the search box (Material opens
     the first group's best-scored result) opens the first one.

   Limits: it works on the result groups Material has rendered (the first 10, plus any loaded by
   scrolling); it compares words, so "united, front" counts as the phrase; it only re-orders
   Material's results, so a passage lunr did not find is never added. */
(() => {
  "use strict";

  const list = document.querySelector(".md-search-result__list");
  const input = document.querySelector(".md-search__input");
  const configElement = document.getElementById("__config");
  if (!list || !input || !configElement) return;
  const config = JSON.parse(configElement.textContent);
  const baseUrl = new URL(config.base.replace(/\/?$/, "/"), location.href);

  const words = (text) => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).join(" ");
  const plain = (html) => new DOMParser().parseFromString(html, "text/html").body.textContent || "";

  /* location (absolute, without query) -> words of the passage's text */
  let passages = null;
  const indexed = (index) => {
    passages = new Map();
    for (const doc of index.docs) {
      if (!/#p-/.test(doc.location)) continue;
      passages.set(new URL(doc.location, baseUrl).href, ` ${words(plain(doc.text))} `);
    }
    rerank();
  };
  if (location.protocol === "file:") {
    /* Material loads search/search_index.js (the offline plugin's copy) into the page. */
    const waitForIndex = () => (window.__index ? indexed(window.__index) : setTimeout(waitForIndex, 100));
    waitForIndex();
  } else {
    fetch(new URL("search/search_index.json", baseUrl)).then((r) => r.json()).then(indexed);
  }

  function phrasesOf(query) {
    const quoted = [...query.matchAll(/"([^"]+)"/g)].map((m) => words(m[1])).filter((p) => p.includes(" "));
    if (quoted.length || query.includes('"')) return quoted;
    const whole = words(query);
    return whole.includes(" ") ? [whole] : [];
  }

  function hasPhrase(link, phrases) {
    const url = new URL(link.href);
    url.search = "";
    const text = passages.get(url.href);
    return text !== undefined && phrases.every((phrase) => text.includes(` ${phrase} `));
  }

  const score = (link) => parseFloat(link.firstElementChild.getAttribute("data-md-score")) || 0;

  function moreOnThisPage(group, count) {
    let details = group.querySelector(":scope > details.md-search-result__more");
    if (!details) {
      details = document.createElement("details");
      details.className = "md-search-result__more";
      details.innerHTML = '<summary tabindex="-1"><div></div></summary>';
      group.append(details);
    }
    const key = count === 1 ? "search.result.more.one" : "search.result.more.other";
    details.querySelector("summary > div").textContent = config.translations[key].replace("#", count);
    return details;
  }

  function rerank() {
    const phrases = phrasesOf(input.value);
    if (!passages || !phrases.length || !list.children.length) return;
    observer.disconnect();
    const groups = [...list.children];
    const top = Math.max(0, ...[...list.querySelectorAll("a.md-search-result__link")].map(score));
    const hitGroups = [];
    for (const group of groups) {
      const [heading, ...sections] = group.querySelectorAll("a.md-search-result__link");
      const hits = sections.filter((link) => hasPhrase(link, phrases));
      if (!hits.length) continue;
      hitGroups.push(group);
      hits.sort((a, b) => score(b) - score(a));
      heading.after(...hits);
      hits.forEach((link, i) => link.firstElementChild.setAttribute("data-md-score", (top + hits.length - i).toFixed(2)));
      const others = sections.filter((link) => !hits.includes(link));
      if (others.length) moreOnThisPage(group, others.length).append(...others);
      else group.querySelector(":scope > details.md-search-result__more")?.remove();
    }
    list.prepend(...hitGroups);
    observer.observe(list, { childList: true });
  }

  const observer = new MutationObserver(rerank);
  observer.observe(list, { childList: true });
})();
