"""Glossary in a real browser: a term's definition opens with the keyboard alone; searching a term finds its
entry and the paragraphs using it; a large site's pages of a term's uses pass axe and read at 375 px."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import (
    DISCUSSION,
    WCAG_TAGS,
    anchor_of,
    glossary_links,
    passage_links,
    result_links,
    screenshot,
    search,
    tab_to,
)
from playwright.sync_api import expect

from conftest import serve


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
FIRST = 12  # "among the first results": the first dozen passages a reader sees


@pytest.mark.parametrize("entry", TERMS, ids=[t["id"] for t in TERMS])
def test_searching_a_glossary_term_finds_its_entry_and_the_paragraphs_using_it(browser, site_url, built, entry):
    """The entry is listed, labelled, in the glossary group (one click away), and a paragraph that uses the term
    is among the first passages, which the glossary group never displaces."""
    from bs4 import BeautifulSoup

    concordance = BeautifulSoup((built / "glossary" / entry["id"] / "index.html").read_text(encoding="utf-8"),
                                "html.parser")
    using = {a["href"].rsplit("#", 1)[1] for a in concordance.select(".concordance a") if "#p-" in a["href"]}
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site_url)
    query = (entry.get("variants") or entry["exact_variants"])[0]  # the words as a reader met them
    search(page, query)
    entries = glossary_links(page).evaluate_all("els => els.map(e => new URL(e.href).pathname)")
    passages = [anchor_of(h) for h in passage_links(page).evaluate_all("els => els.map(e => e.href)")][:FIRST]
    first = result_links(page).first.get_attribute("href")
    context.close()
    assert any(p.endswith(f"/glossary/{entry['id']}/") for p in entries), f"{query!r}: entry not listed: {entries}"
    assert not using or set(passages) & using, f"{query!r}: no paragraph using it in the first {FIRST}: {passages}"
    assert not using or "#p-" in first, f"{query!r}: the first result is not a passage: {first}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_large_sites_pages_of_uses_read_at_any_width_and_pass_axe(browser, large_site, width, scheme):
    """On a site of more discussions than one page lists, a term's uses are on numbered pages: each passes axe's
    WCAG 2.2 AA rules, has no sideways scrolling at 375 px, and leads to the next page by its number."""
    with serve(large_site) as url:
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        for path in ("glossary/prose/", "glossary/prose/2/", "glossary/prose/3/"):
            page.goto(url + path)
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
            assert not results.violations_count, results.generate_report()
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        page.goto(url + "glossary/prose/")
        page.get_by_role("navigation", name="Pages of the uses", exact=True).get_by_role("link", name="2").click()
        expect(page).to_have_url(url + "glossary/prose/2/")
        expect(page.locator(".concordance-pages [aria-current=page]").first).to_have_text("2")
        screenshot(page, f"glossary-pages-of-uses-{width}-{scheme}", full_page=False)
        context.close()
