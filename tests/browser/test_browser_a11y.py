"""Accessibility in a real browser: axe-core's WCAG 2.2 A/AA rules on every page in both palettes;
pull quotes read once; paragraph numbers read as "Paragraph N: link, cite…". Every test here runs twice, against
the seed's site built by MkDocs and by Zensical (``engine_site``; README, "Material for MkDocs and Zensical")."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import ARTIFACTS, DISCUSSION, WCAG_TAGS, site_pages, words
from playwright.sync_api import expect

ROLES = re.compile(r"^\s*- (?:[a-z]+)(?: \"|:)", re.MULTILINE)


def spoken(tree: str) -> str:
    """The words of an aria snapshot (Playwright's YAML), without role names and link targets."""
    return words(ROLES.sub(" ", "\n".join(line for line in tree.splitlines() if "/url:" not in line)))


SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's palette (mkdocs.yml)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_wcag_violations_on_any_page(browser, engine_site, built, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    axe = Axe()
    reports = []
    pages = site_pages(engine_site.folder)
    # Every page: home, the discussion, its letters, the glossary and its entries; the same on either engine.
    assert len(pages) >= 10 and pages == site_pages(built), pages
    for path in pages:
        page.goto(engine_site.url + path)
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if results.violations_count:
            reports.append(f"--- {path or '/'} ({engine_site.engine}, {scheme})\n{results.generate_report()}")
    context.close()
    if reports:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"axe-{engine_site.engine}-{scheme}.txt").write_text("\n".join(reports), encoding="utf-8")
    assert not reports, "\n".join(reports)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_pull_quotes_are_read_once_and_paragraph_numbers_read_as_paragraph_n(browser, engine_site, n):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{engine_site.url}{DISCUSSION}/letter-{n}/")
    body = page.locator(".letter-body")
    tree = body.aria_snapshot()  # what assistive technology is given
    quotes = page.locator(".pull-quote").all()
    assert quotes or n != 1  # letter 1 has one; a test of nothing would pass silently
    for quote in quotes:
        expect(quote).to_have_attribute("aria-hidden", "true")
        assert quote.aria_snapshot() == ""
        # The sentence is read once: in its paragraph, not again in the quote.
        assert spoken(tree).count(words(quote.inner_text())) == 1, quote.inner_text()
    numbers = page.locator(".letter-body .para")
    count = numbers.count()
    assert count >= 4
    for i in range(1, count + 1):  # the number opens the paragraph's menu (link, cite, related)
        expect(page.get_by_role("button", name=re.compile(rf"^Paragraph {i}: link, cite\b"))).to_have_count(1)
    assert not re.search(r'(link|button) "\d+"', tree), tree
    context.close()
