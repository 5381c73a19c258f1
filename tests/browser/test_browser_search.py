"""Search in a real browser (Pagefind's index of the built site, docs/javascripts/search.js): each query a
student might type lists first the paragraph a reader wants, with a short excerpt, matches marked; landing on a
result shows the paragraph with the matched words, and only those, highlighted; keyboard, screen reader, phone,
both palettes; and nothing is fetched from another host.

Every test here runs twice, against the seed's site built by MkDocs and by Zensical (``engine_site``, README,
"Material for MkDocs and Zensical"), asserting the same on both."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import (
    ARTIFACTS,
    DISCUSSION,
    WIDTHS,
    anchor_of,
    glossary_links,
    passage_links,
    result_links,
    screenshot,
    search,
    words,
)
from playwright.sync_api import expect

UNITED_FRONT = "p-individual-analyses-that-claim-to"  # letter 1, paragraph 3
S_AND_T = "p-the-simple-fact-is-that"  # letter 3, paragraph 2: "S&T" four times
EXCERPT_WORDS = 30

# query -> (letter, the paragraph's anchor it must list first, that result's heading, the glossary entry it
# names or None). Kinds: phrases with and without quotes, tokens with & - $ and digits, British spellings,
# one-letter typos, names, words inside glossary terms.
QUERIES = {
    "united front": (1, UNITED_FRONT, "Letter 1 ¶3", "united-front"),
    '"united front"': (1, UNITED_FRONT, "Letter 1 ¶3", "united-front"),
    "united frnt": (1, UNITED_FRONT, "Letter 1 ¶3", "united-front"),
    "omnipotent central government": (1, UNITED_FRONT, "Letter 1 ¶3", None),
    "communist": (1, UNITED_FRONT, "Letter 1 ¶3", "chinese-communist-party"),
    "European perspective": (1, "p-in-the-trap-of-securitizing", "Letter 1 ¶1", None),
    "securitisation race": (1, "p-when-it-comes-to-international", "Letter 1 ¶2", None),
    "technology drain": (1, "p-when-it-comes-to-international", "Letter 1 ¶2", "technology-drain"),
    "dual use": (1, "p-when-it-comes-to-international", "Letter 1 ¶2", "dual-use"),
    "Max Planck": (1, "signature", "Letter 1, signature", "mpiwg"),
    "Lise Meitner": (1, "signature", "Letter 1, signature", "lise-meitner-research-group"),
    "stabilising force": (2, "p-tommy-shih-and-caroline-s", "Letter 2 ¶1", None),
    "15 billion": (2, "p-the-economic-costs-of-securitization", "Letter 2 ¶3", None),
    "$15 billion": (2, "p-the-economic-costs-of-securitization", "Letter 2 ¶3", None),
    "economic costs of securitisation": (2, "p-the-economic-costs-of-securitization", "Letter 2 ¶3", None),
    "brian drain": (2, "p-the-economic-costs-of-securitization", "Letter 2 ¶3", "brain-drain"),
    "China Initiative": (2, "p-the-economic-costs-of-securitization", "Letter 2 ¶3", "china-initiative"),
    "US-China Agreement on Cooperation": (2, "p-the-economic-costs-of-securitization", "Letter 2 ¶3", "us-china-sta"),
    "over-securitisation": (2, "p-shih-and-wagner-argue-convincingly", "Letter 2 ¶4", None),
    '"as secure as needed, as open as possible"': (2, "p-shih-and-wagner-argue-convincingly", "Letter 2 ¶4",
                                                   "as-secure-as-needed"),
    "SECURE program": (2, "p-the-us-national-science-foundations", "Letter 2 ¶6", "nsf-secure"),
    "Safeguarding": (2, "p-the-us-national-science-foundations", "Letter 2 ¶6", "nsf-secure"),
    "S&T": (3, S_AND_T, "Letter 3 ¶2", "s-and-t"),
    "Xi Jinping": (3, S_AND_T, "Letter 3 ¶2", "xi-jinping"),
    "Xi Jimping": (3, S_AND_T, "Letter 3 ¶2", "xi-jinping"),
    "icing on the cake": (3, S_AND_T, "Letter 3 ¶2", None),
    "S&T-related": (3, "p-shih-and-wagner-are-right", "Letter 3 ¶3", None),
    "1979": (3, "p-shih-and-wagner-are-right", "Letter 3 ¶3", "us-china-sta"),
    "1980s": (3, "p-shih-and-wagner-are-right", "Letter 3 ¶3", None),
    "disengage delink decouple": (3, "p-shih-and-wagner-are-right", "Letter 3 ¶3", None),
    "emerging pockets of excellence": (3, "p-shih-and-wagner-are-right", "Letter 3 ¶3",
                                       "emerging-pockets-of-excellence"),
    "cone": (3, "p-moreover-action-is-needed-to", "Letter 3 ¶4", "foreign-service-cone"),
}


@pytest.fixture
def page(browser, engine_site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(engine_site.url)
    yield page
    context.close()


@pytest.fixture(scope="module")
def reader(browser, engine_site):
    """One page for the query table: a reader trying one query after another."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{engine_site.url}{DISCUSSION}/letter-2/")
    yield page
    context.close()


@pytest.mark.parametrize("query", QUERIES)
def test_each_query_lists_first_the_paragraph_a_reader_wants(reader, query):
    letter, anchor, heading, entry = QUERIES[query]
    search(reader, query)
    first = passage_links(reader).first
    expect(first).to_have_attribute("href", re.compile(rf"/{DISCUSSION}/letter-{letter}/(\?[^#]*)?#{anchor}$"))
    expect(first.locator("h2")).to_have_text(heading)
    # The first passage is the first result link of all (a glossary entry never comes before it) ...
    assert result_links(reader).first.get_attribute("href") == first.get_attribute("href")
    # ... under its letter's heading.
    group = reader.locator(".md-search-result__list > li:has(a[data-passage])").first
    expect(group.locator("a[data-passage]").first).to_have_attribute("href", first.get_attribute("href"))
    expect(group.locator("h1").first).to_have_text(re.compile(rf"^Letter {letter} — signed: "))
    # A short excerpt around the match, the matched words marked.
    excerpt = first.locator("p")
    text = excerpt.inner_text()
    assert len(text.replace("…", " ").split()) <= EXCERPT_WORDS, text
    marked = excerpt.locator("mark")
    expect(marked.first).to_be_visible()
    if entry:  # the query names a glossary entry: it is listed, labelled, one click away
        entries = [urlparse(h).path for h in glossary_links(reader).evaluate_all("els => els.map(e => e.href)")]
        assert f"/glossary/{entry}/" in entries, entries
        expect(reader.locator(".reader-search-glossary h1")).to_have_text("Glossary")


def test_a_typo_is_corrected_and_the_reader_told(page):
    search(page, "united frnt")
    expect(page.locator(".md-search-result__meta")).to_contain_text("Showing results for “united front”")
    marks = words(" ".join(passage_links(page).first.locator("mark").all_inner_texts()))
    assert marks == " united front ", marks


def test_s_and_t_is_one_word_in_results_and_on_landing(page):
    """The issue's case: "S&T" was split into "s" and "t", 31 results, 1,568 letters highlighted on landing."""
    search(page, "S&T")
    links = passage_links(page)
    assert {anchor_of(h) for h in links.evaluate_all("els => els.map(e => e.href)")} == {
        "p-tommy-shih-and-caroline-s", S_AND_T, "p-shih-and-wagner-are-right", "p-moreover-action-is-needed-to"}
    assert set(page.locator(".md-search-result__list mark").all_text_contents()) == {"S&T"}
    links.first.click()
    page.wait_for_url(f"**/letter-3/**#{S_AND_T}")
    paragraph = page.locator(f"#{S_AND_T}")
    expect(paragraph).to_be_in_viewport()
    expect(paragraph.locator("mark")).to_have_count(4)  # the four uses in paragraph 2, whole
    assert set(paragraph.locator("mark").all_inner_texts()) == {"S&T"}
    expect(page.locator("mark")).to_have_count(4)  # and nothing else on the page is marked


def test_a_glossary_entry_opens_with_its_words_marked(page):
    search(page, "S&T")
    entry = glossary_links(page).first
    expect(entry.locator("h2")).to_have_text("S&T")
    entry.click()
    page.wait_for_url("**/glossary/s-and-t/**")
    marks = page.locator("mark.search-match")
    expect(marks.first).to_be_in_viewport()
    assert set(marks.all_text_contents()) == {"S&T"}
    # In the entry's own text (definition, printed forms, notes), not in its concordance or sources.
    assert marks.count() == page.locator("[data-pagefind-body] mark.search-match").count() >= 2
    search(page, "united front")  # and the search box still works there
    expect(passage_links(page).first).to_have_attribute("href", re.compile(rf"#{UNITED_FRONT}$"))


@pytest.mark.parametrize(("query", "follow"), [("united front", "Enter"), ('"united front"', "click")])
def test_united_front_lands_on_its_paragraph_highlighted(page, engine_site, query, follow):
    search(page, query)
    first = passage_links(page).first
    expect(first).to_have_attribute("href", re.compile(rf"#{UNITED_FRONT}$"))
    # The first group's first passage: its heading names the letter and paragraph.
    expect(page.locator(".md-search-result__list > li").first.locator("a[data-passage]").first).to_have_attribute(
        "href", re.compile(rf"#{UNITED_FRONT}$"))
    expect(first.locator("h2")).to_have_text("Letter 1 ¶3")
    expect(first.locator("mark").first).to_be_visible()
    if follow == "Enter":  # Enter in the search box opens the first passage
        page.locator(".md-search__input").press("Enter")
    else:
        first.click()
    page.wait_for_url(f"**/{DISCUSSION}/letter-1/**#{UNITED_FRONT}")
    paragraph = page.locator(f"#{UNITED_FRONT}")
    expect(paragraph).to_be_in_viewport()
    marks = paragraph.locator("mark")
    expect(marks.first).to_be_visible()
    expect(marks.first).to_be_in_viewport()
    assert words(" ".join(marks.all_inner_texts())) == " united front ", marks.all_inner_texts()
    # Only those words: nothing else on the page is marked, and the search dialog is closed.
    expect(page.locator("mark")).to_have_count(2)
    assert not page.locator("#__search").is_checked()
    screenshot(page, f"search-united-front-{follow.lower()}-landed-{engine_site.engine}", full_page=False)


def test_quoted_phrase_ranks_paragraphs_with_the_phrase_first(page, engine_site):
    import json

    phrase = "international cooperation"
    passages = json.loads((engine_site.folder / "passages.json").read_text(encoding="utf-8"))
    with_phrase = {p["id"] for p in passages if words(phrase) in words(p["text"])}
    both_words = {p["id"] for p in passages if p["id"] not in with_phrase
                  and all(f" {w} " in words(p["text"]) for w in phrase.split())}
    assert len(with_phrase) >= 2 and both_words  # the seed has both kinds, or this test proves nothing

    search(page, f'"{phrase}"')
    listed = [anchor_of(h) for h in passage_links(page).evaluate_all("els => els.map(e => e.href)")]
    leading = listed[: len(with_phrase)]
    assert set(leading) == with_phrase, listed
    # Paragraphs with both words but not the phrase are found too, only lower, after a divider that says so.
    assert both_words & set(listed[len(with_phrase):]), listed
    expect(page.locator(".reader-search-divider")).to_have_text("Passages with the words but not the phrase")
    screenshot(page, f"search-quoted-international-cooperation-{engine_site.engine}")


def test_keyboard_alone(page, engine_site):
    """"/" opens search from anywhere on the page, the arrow keys walk the results, Enter follows one, Escape
    closes and gives focus back."""
    page.goto(f"{engine_site.url}{DISCUSSION}/letter-2/")
    page.locator(".md-content a").first.focus()
    before = page.evaluate("document.activeElement.outerHTML")
    page.keyboard.press("/")
    expect(page.locator(".md-search__input")).to_be_focused()
    assert page.locator("#__search").is_checked()
    page.keyboard.type("Xi Jinping")
    page.wait_for_function("q => document.querySelector('.md-search-result')?.dataset.query === q",
                           arg="Xi Jinping")
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    assert page.evaluate("document.activeElement.outerHTML") == before
    page.keyboard.press("/")
    page.keyboard.press("ArrowDown")
    expect(passage_links(page).first).to_be_focused()
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    assert second and "/glossary/xi-jinping/" in second  # the entry the query names, next
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/letter-3/**#{S_AND_T}")
    expect(page.locator(f"#{S_AND_T} mark").first).to_be_in_viewport()


def test_field_is_labelled_and_results_are_announced(page):
    box = page.get_by_role("textbox", name="Search the letters and the glossary")
    expect(box).to_have_count(1)
    status = page.locator(".md-search").get_by_role("status")
    expect(status).to_have_text("Type to start searching")
    search(page, "brain drain")
    expect(status).to_have_text("1 passage in 1 letter; 1 glossary entry.")
    search(page, "zzyzx")
    expect(status).to_have_text("No matching passages or glossary entries.")
    expect(result_links(page)).to_have_count(0)


def test_on_a_phone(browser, engine_site):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{engine_site.url}{DISCUSSION}/letter-1/")
    folded = page.locator(".md-search__inner").bounding_box()  # into the header's magnifier
    assert folded is None or folded["width"] == 0, folded
    search(page, "S&T")
    first = passage_links(page).first
    expect(first).to_be_in_viewport()
    # Once the dialog has slid in (Material's transition), the results fit the phone's width.
    page.wait_for_function("() => { const r = document.querySelector('.md-search-result__list a[data-passage]')"
                           ".getBoundingClientRect(); return r.left >= 0 && r.right <= 375; }", timeout=5000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, f"search-phone-results-{engine_site.engine}", full_page=False)
    first.tap()
    page.wait_for_url(f"**/letter-3/**#{S_AND_T}")
    expect(page.locator(f"#{S_AND_T} mark").first).to_be_in_viewport()
    screenshot(page, f"search-phone-landed-{engine_site.engine}", full_page=False)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_box_and_dialog_are_laid_out_as_material_lays_them_out(browser, engine_site, width):
    """Material's look whatever builds the site (docs/stylesheets/search.css): Material's sizes, in px at its root
    font size of 20 px. Zensical's stylesheet has none of them: without that file the box was unstyled (a header
    142 px tall, the results a list across the page) and, on a phone, hidden."""
    phone, height = width < 960, 740  # Material's phone layout is below 60em
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.goto(f"{engine_site.url}{DISCUSSION}/letter-1/")

    def box(selector):
        found = page.locator(selector).first.bounding_box()
        return found and tuple(round(found[k]) for k in ("x", "y", "width", "height"))

    header = box(".md-header")
    assert header[1:] == (0, header[2], 48), header  # 2.4rem, the box in it
    if not phone:  # a box of 11.7rem by 1.8rem in the header
        x, y, w, h = box(".md-search__form")
        assert (w, h) == (234, 36) and y >= 0 and y + h <= 48, (x, y, w, h)
    search(page, "S&T")
    # Once Material's transitions are over: on a phone, a dialog over the whole screen; on a wide screen, the box
    # widened to 34.4rem and the results under it, as wide, at most 75% of the screen's height.
    if phone:
        final = [(".md-search__inner", (0, 0, width, height)), (".md-search__form", (0, 0, width, 48)),
                 (".md-search__output", (0, 48, width, height - 48))]
    else:
        page.wait_for_function("() => document.querySelector('.md-search__form').offsetWidth === 688")
        x, y, w, h = box(".md-search__form")
        final = [(".md-search__form", (x, y, 688, 36)), (".md-search__output", (x, y + 36, 688, round(0.75 * height)))]
    page.wait_for_function("final => final.every(([s, want]) => { const r = document.querySelector(s)"
                           ".getBoundingClientRect(); return [r.x, r.y, r.width, r.height].every((v, i) =>"
                           " Math.abs(v - want[i]) < 1); })", arg=final, timeout=5000)
    assert [(selector, box(selector)) for selector, _ in final] == final
    first = box(".md-search-result__list a[data-passage]")
    assert first[0] == final[-1][1][0] and first[2] == final[-1][1][2], first  # the results as wide as the dialog
    screenshot(page, f"search-dialog-{width}-{engine_site.engine}", full_page=False)
    context.close()


SCHEMES = {"light": "default", "dark": "slate"}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_wcag_violations_in_the_open_results(browser, engine_site, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{engine_site.url}{DISCUSSION}/letter-1/")
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
    search(page, '"international cooperation"')  # passages, the glossary group and the divider
    page.locator(".md-search-result__more summary").first.click()
    results = Axe().run(page, context=".md-search",
                        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                                        "wcag22aa"]}})
    context.close()
    if results.violations_count:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"axe-search-{engine_site.engine}-{scheme}.txt").write_text(results.generate_report(),
                                                                                 encoding="utf-8")
    assert not results.violations_count, results.generate_report()


def test_search_fetches_only_from_the_site_and_only_pieces_of_the_index(browser, engine_site):
    site_url = engine_site.url
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{site_url}{DISCUSSION}/letter-1/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if "/pagefind/" in u]  # nothing of the index until the reader searches
    search(page, "united front")
    context.close()
    assert {urlparse(u).netloc for u in requests} == {urlparse(site_url).netloc}
    fetched = {urlparse(u).path for u in requests}
    # Neither engine's own search index is fetched: Material's (search/search_index.json, not even written with
    # its search switched off) nor Zensical's (search.json: Zensical writes it, empty, even so; no page reads it).
    assert not any("search_index" in p or p.endswith("/search.json") for p in fetched), fetched
    fragments = [p for p in fetched if "/pagefind/fragment/" in p]
    assert 0 < len(fragments) < len(list((engine_site.folder / "pagefind" / "fragment").iterdir()))
