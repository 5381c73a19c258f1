"""Print: a letter page printed to PDF by Chromium keeps the text, its numbers and, on the published site, its
address, and leaves out the screen chrome and the pull quotes. The PDF's text is read with pdftotext
(poppler-utils, installed with Chromium by `make test`)."""

from __future__ import annotations

import re
import subprocess

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, serve
from sitebuild import build_site

SLUG = "balancing-research-security-and-openness"
PAGE = f"{SLUG}/letter-1/"


def squash(text: str) -> str:
    """Text without spaces or hyphens, so line breaks and hyphenation in the PDF do not matter."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


PUBLISHED = "https://edition.test/reader/"  # where this test's build says it is published (SITE_URL)


@pytest.fixture(scope="module")
def printed(browser, tmp_path_factory):
    """The letter page of a build for a published address, under print emulation: its PDF text, and the
    computed display of chrome."""
    work = tmp_path_factory.mktemp("print")
    site = build_site(ROOT / "source_texts", work / "build", site_url=PUBLISHED)
    pdf = work / "letter-1.pdf"
    page = browser.new_page()
    try:
        with serve(site) as address:
            page.goto(f"{address}{PAGE}")
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4")
            shown = page.evaluate("""() => Object.fromEntries([
            '.md-header', '.md-sidebar--primary', '.md-search', '.md-footer', '.md-top',
            '[data-md-component=palette]', '.pull-quote', '.related', '.other-letters', '.para-num',
            'h1', '.signature'].map(s => [s, document.querySelector(s)
                ? getComputedStyle(document.querySelector(s)).display : 'absent']))""")
    finally:
        page.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text, shown


@pytest.fixture(scope="module")
def letter(built):
    return BeautifulSoup((built / PAGE / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_the_printed_page_carries_its_own_address(printed):
    assert f"This page: {PUBLISHED}{PAGE}" in printed[0]


def test_paragraph_numbers_and_heading_are_printed(printed, letter):
    text = printed[0]
    assert squash(letter.find("h1").get_text()) in squash(text)
    for para in letter.select("p.para"):
        number = para.find(class_="para-num").get_text()
        first_word = para.get_text().split()[1]
        assert re.search(rf"^\s*{number}\s+{re.escape(first_word)}", text, re.MULTILINE), (number, first_word)


def test_screen_chrome_pull_quotes_and_widgets_are_not_printed(printed, letter):
    text, shown = printed
    for selector in (".md-header", ".md-sidebar--primary", ".md-search", ".md-footer", ".md-top", ".pull-quote"):
        assert shown[selector] in {"none", "absent"}, selector
    assert shown["[data-md-component=palette]"] in {"none", "absent"}
    assert "Skip to content" not in text and "Other letters in this discussion" not in text
    quote = letter.find("aside", class_="pull-quote").get_text()
    without_glosses = re.sub(r"\s*\[[^\]]*\]", "", text)
    # printed once: in its paragraph, not again as a display quote
    assert squash(without_glosses).count(squash(quote)) == 1


def test_kept_parts_are_displayed(printed):
    shown = printed[1]
    assert shown["h1"] != "none" and shown[".signature"] != "none" and shown[".para-num"] != "none"


def test_glossary_definitions_are_printed_after_their_terms(printed, letter):
    text = squash(printed[0])
    terms = letter.select("a.term[title]")
    assert terms
    for term in terms:
        assert squash(f"{term.get_text()} [{term['title']}]") in text, term.get_text()
