"""Glossary in a real browser: a term's definition opens with the keyboard alone."""

from __future__ import annotations

import time

import pytest
from browsing import DISCUSSION, screenshot, search, tab_to
from playwright.sync_api import expect


def test_tab_to_a_glossary_term_shows_its_definition(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site_url}{DISCUSSION}/letter-1/")
    term = page.locator(".letter-body a.term").first
    definition = term.get_attribute("title") or term.get_attribute("data-title") or ""
    tab_to(page, ".letter-body a.term")
    tooltip = page.locator(".md-tooltip2, .md-tooltip").filter(has_text=definition[:40]).first
    expect(tooltip).to_be_visible()
    screenshot(page, "glossary-term-tooltip-by-keyboard", full_page=False)
    context.close()



def _glossary_terms():
    import yaml
    from browsing import ROOT

    return yaml.safe_load((ROOT / "glossary.yml").read_text(encoding="utf-8"))


TERMS = _glossary_terms()
FIRST = 12  # "among the first results": the first dozen results a reader sees


@pytest.mark.parametrize("entry", TERMS, ids=[t["id"] for t in TERMS])
def test_searching_a_glossary_term_finds_its_entry_and_the_paragraphs_using_it(browser, site_url, built, entry):
    from bs4 import BeautifulSoup

    concordance = BeautifulSoup((built / "glossary" / entry["id"] / "index.html").read_text(encoding="utf-8"),
                                "html.parser")
    using = {a["href"].rsplit("#", 1)[1] for a in concordance.select(".concordance a") if "#p-" in a["href"]}
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site_url)
    query = (entry.get("variants") or entry["exact_variants"])[0]  # the words as a reader met them
    search(page, query)
    links = page.locator(".md-search-result__list a.md-search-result__link")

    def first_hrefs():  # the results a reader sees, in order (not those folded away)
        seen = links.evaluate_all("els => els.filter(e => e.offsetParent !== null).map(e => e.getAttribute('href'))")
        return [h.split("?")[0] + ("#" + h.split("#", 1)[1] if "#" in h else "") for h in seen[:FIRST]]

    deadline = time.monotonic() + 10
    while True:  # results arrive as the reader types; wait until they settle on the entry
        hrefs = first_hrefs()
        entry_found = any(h.split("#")[0].endswith(f"glossary/{entry['id']}/") for h in hrefs)
        passage_found = not using or any(h.rsplit("#", 1)[-1] in using for h in hrefs if "#p-" in h)
        if (entry_found and passage_found) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(200)
    context.close()
    assert entry_found, f"{query!r}: glossary entry not in the first {FIRST}: {hrefs}"
    assert passage_found, f"{query!r}: no paragraph using it in the first {FIRST}: {hrefs}"
