"""Citations in a real browser (Debian's Chromium through Playwright): a citation copied with the keyboard alone
puts the text shown and its HTML (the style's italics) on the clipboard, with a visible confirmation; the link to
the paragraph in this edition is the full address the reader is at, said to be local when it is; "Cite
selection" offers the quotation with each style's in-text citation and a link that opens at the passage."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from browsing import tab_to
from playwright.sync_api import expect

TABS = 60  # a letter page has about 40 tab stops, and a paragraph's open menu a few more

D = "balancing-research-security-and-openness"
P3 = "p-individual-analyses-that-claim-to"


@pytest.fixture(scope="module")
def page(browser, site_url):
    """A page of the session's Chromium (tests/conftest.py), allowed to read and write the clipboard."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    yield context.new_page()
    context.close()


def clipboard(page) -> dict[str, str]:
    """What the clipboard holds, by type (text/plain, text/html)."""
    return page.evaluate("""async () => {
        const held = {};
        for (const item of await navigator.clipboard.read()) {
            for (const type of item.types) held[type] = await (await item.getType(type)).text();
        }
        return held;
    }""")


def test_a_citation_copied_with_the_keyboard_keeps_its_text_and_its_italics(page, site_url, built):
    rows = json.loads((built / "passages.json").read_text(encoding="utf-8"))
    row = next(r for r in rows if r["id"] == P3)
    page.goto(f"{site_url}{D}/letter-1/")
    block = f"#menu-{P3} details.cite"  # in the menu the paragraph's number opens
    tab_to(page, limit=TABS, selector=f"#{P3} .para-num")
    page.keyboard.press("Enter")
    tab_to(page, limit=TABS, selector=f"{block} > summary")
    page.keyboard.press("Enter")
    expect(page.locator(block)).to_have_attribute("open", "")
    for style, form, key in (("chicago", "note", "Enter"), ("apa", "reference", "Space"), ("mla", "in_text", "Enter")):
        selector = f'{block} .cite-text[data-style="{style}"][data-form="{form}"]'
        tab_to(page, limit=TABS, selector=f"{selector} + .cite-copy")
        page.keyboard.press(key)
        expect(page.locator(f"{selector} + .cite-copy")).to_have_text("Copied ✓")  # the visible confirmation
        expect(page.locator(".cite-status")).to_contain_text("Copied to the clipboard")
        held = clipboard(page)
        assert held["text/plain"] == page.locator(selector).text_content() == row["cite_forms"][style][form]
        if form != "in_text":  # the journal's name in italics, as the style prints it
            assert "<i>Issues in Science and Technology</i>" in held["text/html"]


def test_the_link_to_the_paragraph_is_the_address_the_reader_is_at_and_says_it_is_local(page, site_url):
    page.goto(f"{site_url}{D}/letter-1/")
    block = f"#menu-{P3} .para-menu-link"  # in the menu the paragraph's number opens, above its "Cite"
    page.locator(f"#{P3} .para-num").click()
    link = page.locator(f"{block} a.cite-permalink")
    expected = f"{site_url}{D}/letter-1/#{P3}"
    expect(link).to_have_text(expected)
    expect(link).to_have_attribute("href", expected)
    expect(page.locator(f"{block} .cite-local")).to_contain_text("local copy")  # served from 127.0.0.1
    page.locator(f"{block} a.cite-permalink + .cite-copy").click()
    expect(page.locator(f"{block} a.cite-permalink + .cite-copy")).to_have_text("Copied ✓")
    assert clipboard(page)["text/plain"] == expected


def test_cite_selection_offers_the_quotation_with_each_styles_citation_and_a_link(page, site_url, built):
    rows = json.loads((built / "passages.json").read_text(encoding="utf-8"))
    row = next(r for r in rows if r["id"] == P3)
    page.goto(f"{site_url}{D}/letter-1/")
    quote = "what is formulated in China as a “united front” approach"
    page.evaluate(
        """([id, quote]) => {
            const para = document.getElementById(id);
            const text = para.textContent;
            const at = text.indexOf(quote);
            if (at < 0) throw new Error("quote not found");
            // Find the text nodes where the quotation starts and ends (a glossary link splits it).
            const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
            let node, seen = 0, start = null, end = null;
            while ((node = walker.nextNode())) {
                const next = seen + node.data.length;
                if (start === null && at < next) start = [node, at - seen];
                if (end === null && at + quote.length <= next) end = [node, at + quote.length - seen];
                seen = next;
            }
            const range = document.createRange();
            range.setStart(...start);
            range.setEnd(...end);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        [P3, quote],
    )
    opener = page.locator(".cite-selection-open")
    expect(opener).to_be_visible()
    opener.focus()
    page.keyboard.press("Enter")
    rows_shown = page.locator(".cite-selection dd .cite-text")
    expect(rows_shown.first).to_be_visible()
    apa, mla, note, link = rows_shown.all_text_contents()
    inner = "what is formulated in China as a ‘united front’ approach"  # double quotes inside become single
    assert apa == f"“{inner}” {row['cite_forms']['apa']['parenthetical']}"
    assert mla == f"“{inner}” {row['cite_forms']['mla']['in_text']}"
    assert note == row["cite_forms"]["chicago"]["note"]
    url = f"{site_url}{D}/letter-1/#{P3}"
    assert link.startswith(f"{url}:~:text=")
    start, _, end = link.partition(":~:text=")[2].partition(",")
    assert urllib.parse.unquote(start) == "what is formulated in"
    assert urllib.parse.unquote(end) == "a “united front” approach"
    # The focus moved to the first copy button, and it copies the APA quotation.
    page.keyboard.press("Enter")
    expect(page.locator(".cite-selection .cite-copy").first).to_have_text("Copied ✓")
    assert clipboard(page)["text/plain"] == apa
    # The link lands on the paragraph (the text directive is not part of the hash).
    page.goto(link)
    assert page.evaluate("location.hash") == f"#{P3}"
    expect(page.locator(f"#{P3}")).to_be_in_viewport()
