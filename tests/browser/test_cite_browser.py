"""Citations in a real browser (Debian's Chromium through Playwright): a citation copied with the keyboard alone
equals the text shown, the copy is confirmed visibly, and "Cite selection" offers the quotation, its paragraph and
a link with a text fragment that opens at the paragraph."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from browsing import tab_to
from playwright.sync_api import expect

from scripts.generate import read_site_url

TABS = 400  # a letter page has many focusable controls before its last cite block

D = "balancing-research-security-and-openness"
P3 = "p-individual-analyses-that-claim-to"


@pytest.fixture(scope="module")
def served(site_url):
    """The built site on 127.0.0.1 (tests/conftest.py's session server)."""
    return site_url


@pytest.fixture(scope="module")
def page(browser, served):
    """A page of the session's Chromium (tests/conftest.py), allowed to read and write the clipboard."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.rstrip("/"))
    yield context.new_page()
    context.close()


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_a_citation_copied_with_the_keyboard_equals_the_text_shown(page, served, built):
    rows = json.loads((built / "passages.json").read_text(encoding="utf-8"))
    row = next(r for r in rows if r["id"] == P3)
    page.goto(f"{served}{D}/letter-1/")
    block = f"#{P3} + details.cite"
    tab_to(page, limit=TABS, selector=f"{block} > summary")
    page.keyboard.press("Enter")
    expect(page.locator(block)).to_have_attribute("open", "")
    for style, key in (("chicago", "Enter"), ("apa", "Space"), ("mla", "Enter")):
        shown = page.locator(f'{block} .cite-text[data-style="{style}"]').first
        button = page.locator(f'{block} .cite-text[data-style="{style}"] + .cite-copy').first
        tab_to(page, limit=TABS, selector=f'{block} .cite-text[data-style="{style}"] + .cite-copy')
        page.keyboard.press(key)
        expect(button).to_have_text("Copied ✓")  # the visible confirmation
        expect(page.locator(".cite-status")).to_contain_text("Copied to the clipboard")
        assert clipboard(page) == shown.text_content() == row["cite"][style]
    # The permalink: the paragraph's absolute URL.
    tab_to(page, limit=TABS, selector=f"{block} .cite-url + .cite-copy")
    page.keyboard.press("Enter")
    assert clipboard(page) == f"{read_site_url()}{row['url']}"


def test_cite_selection_offers_quotation_paragraph_and_a_text_fragment_link(page, served):
    page.goto(f"{served}{D}/letter-1/")
    quote = "It is easier (and faster) to quote from speeches"
    page.evaluate(
        """([id, quote]) => {
            const para = document.getElementById(id);
            const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(quote);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + quote.length);
                    getSelection().removeAllRanges();
                    getSelection().addRange(range);
                    return;
                }
            }
            throw new Error("quote not found as one text node");
        }""",
        [P3, quote],
    )
    opener = page.locator(".cite-selection-open")
    expect(opener).to_be_visible()
    opener.focus()
    page.keyboard.press("Enter")
    rows = page.locator(".cite-selection dd .cite-text")
    expect(rows.first).to_be_visible()
    quotation, paragraph, link = rows.all_text_contents()
    url = f"{read_site_url()}{D}/letter-1/#{P3}"
    assert quotation == f"“{quote}” (Letter 1, para. 3)"
    assert paragraph == f"Letter 1, para. 3: {url}"
    assert link.startswith(f"{url}:~:text=")
    start, _, end = link.partition(":~:text=")[2].partition(",")
    assert urllib.parse.unquote(start) == "It is easier (and"
    assert urllib.parse.unquote(end) == "to quote from speeches"
    # The focus moved to the first copy button, and it copies the quotation.
    page.keyboard.press("Enter")
    assert clipboard(page) == quotation
    # The link, opened on this server, lands on the paragraph (the text directive is not part of the hash).
    page.goto(link.replace(read_site_url(), served))
    assert page.evaluate("location.hash") == f"#{P3}"
    expect(page.locator(f"#{P3}")).to_be_in_viewport()
