"""Search in a real browser: a search lands on the paragraph, and quoted phrases rank first."""

from __future__ import annotations

import json
import re

import pytest
from browsing import DISCUSSION, passage_links, screenshot, search, words
from playwright.sync_api import expect

UNITED_FRONT = "p-individual-analyses-that-claim-to"  # letter 1, paragraph 3


def _ending(suffix: str) -> re.Pattern:
    return re.compile(re.escape(suffix) + "$")


def _any_anchor(ids) -> re.Pattern:
    return re.compile("#(" + "|".join(re.escape(i) for i in sorted(ids)) + ")$")


@pytest.fixture
def page(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site_url)
    yield page
    context.close()


@pytest.mark.parametrize(("query", "follow"), [("united front", "Enter"), ('"united front"', "click")])
def test_united_front_lands_on_its_paragraph_highlighted(page, query, follow):
    search(page, query)
    first = passage_links(page).first
    expect(first).to_have_attribute("href", _ending(f"#{UNITED_FRONT}"))
    # The first group's first passage: its heading names the letter and paragraph.
    expect(page.locator(".md-search-result__list > li").first.locator("a[href*='#p-']").first).to_have_attribute(
        "href", _ending(f"#{UNITED_FRONT}"))
    expect(first.locator("h2")).to_have_text("Letter 1 ¶3")
    expect(first.locator("mark").first).to_be_visible()
    if follow == "Enter":  # Material's Enter opens the first group's best result
        page.locator(".md-search__input").press("Enter")
    else:
        first.click()
    page.wait_for_url(f"**/{DISCUSSION}/letter-1/**#{UNITED_FRONT}")
    paragraph = page.locator(f"#{UNITED_FRONT}")
    expect(paragraph).to_be_in_viewport()
    marks = paragraph.locator("mark")
    expect(marks.first).to_be_visible()
    marked = words(" ".join(marks.all_inner_texts()))
    assert " united " in marked and " front " in marked, marked
    screenshot(page, f"search-united-front-{follow.lower()}-landed", full_page=False)


def test_quoted_phrase_ranks_paragraphs_with_the_phrase_first(page, site_url, built):
    phrase = "international cooperation"
    passages = json.loads((built / "passages.json").read_text(encoding="utf-8"))
    with_phrase = {p["id"] for p in passages if words(phrase) in words(p["text"])}
    both_words = {p["id"] for p in passages if p["id"] not in with_phrase
                  and all(f" {w} " in words(p["text"]) for w in phrase.split())}
    assert len(with_phrase) >= 2 and both_words  # the seed has both kinds, or this test proves nothing

    search(page, f'"{phrase}"')
    # Wait for the re-ranking: the first passage listed has the phrase.
    expect(passage_links(page).first).to_have_attribute("href", _any_anchor(with_phrase))
    listed = [href.rsplit("#", 1)[1] for href in passage_links(page).evaluate_all("els => els.map(e => e.href)")]
    leading = listed[: len(with_phrase)]
    assert set(leading) == with_phrase, listed
    # Paragraphs with both words but not the phrase are found too, only lower.
    everything = page.locator(".md-search-result__list a.md-search-result__link[href*='#p-']")
    found = {href.rsplit("#", 1)[1] for href in everything.evaluate_all("els => els.map(e => e.href)")}
    assert both_words & found, found
    screenshot(page, "search-quoted-international-cooperation")
