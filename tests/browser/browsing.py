"""Helpers for the browser tests: the built site's pages, search, keyboard moves, artefacts."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DISCUSSION = "balancing-research-security-and-openness"
WIDTHS = (375, 1280)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # the axe-core rules every page passes


def site_pages(site: Path) -> list[str]:
    """Every Material page of the built site, as URLs relative to its root ('' is the home page)."""
    pages = []
    for path in sorted(site.rglob("index.html")):
        if 'class="md-content"' in path.read_text(encoding="utf-8"):
            rel = path.parent.relative_to(site).as_posix()
            pages.append("" if rel == "." else rel + "/")
    return pages


def slug(page: str) -> str:
    return page.strip("/").replace("/", "--") or "home"


def screenshot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def words(text: str) -> str:
    """Lower-case words joined by single spaces, padded: a phrase is in a text when ' phrase ' is in it."""
    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def search(page, query: str) -> None:
    """Type a query into the header's search box, as a reader does, and wait until the results shown are this
    query's (docs/javascripts/search.js marks them with the query they answer)."""
    box = page.locator(".md-search__input")
    magnifier = page.locator("label.md-header__button[for='__search']")
    if magnifier.is_visible():  # phones: the search box opens from the header's magnifier
        magnifier.click()
    box.fill("")
    box.press_sequentially(query)
    page.wait_for_function("q => document.querySelector('.md-search-result')?.dataset.query === q", arg=query)


def result_links(page):
    """Every result link in the dialog, in order (passages, glossary entries, pages), folded ones included."""
    return page.locator(".md-search-result__list a.md-search-result__link")


def passage_links(page):
    """The paragraph results (links to a letter's paragraph), in the order shown."""
    return page.locator(".md-search-result__list a[data-passage]")


def glossary_links(page):
    """The glossary group's entries."""
    return page.locator(".md-search-result__list .reader-search-glossary a.md-search-result__link")


def anchor_of(href: str) -> str:
    return href.rsplit("#", 1)[1] if "#" in href else ""


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector``; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector} on {page.url}")
