"""Glossary in a real browser: a term's definition opens with the keyboard alone."""

from __future__ import annotations

from browsing import DISCUSSION, screenshot
from playwright.sync_api import expect


def test_tab_to_a_glossary_term_shows_its_definition(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site_url}{DISCUSSION}/letter-1/")
    term = page.locator(".letter-body a.term").first
    definition = term.get_attribute("title") or term.get_attribute("data-title") or ""
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.matches('.letter-body a.term')"):
            break
    else:
        raise AssertionError("Tab never reached a glossary term")
    tooltip = page.locator(".md-tooltip2, .md-tooltip").filter(has_text=definition[:40]).first
    expect(tooltip).to_be_visible()
    screenshot(page, "glossary-term-tooltip-by-keyboard", full_page=False)
    context.close()

