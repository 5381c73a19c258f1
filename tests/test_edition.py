"""The single-file edition: the whole discussion in one HTML file that needs nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scripts.edition import render_edition
from scripts.generate import build_discussions, site_files
from scripts.parse import parse
from scripts.render import edition_filename
from scripts.repair import repair

from pages import forum_page

ROOT = Path(__file__).resolve().parent.parent
SLUG = "balancing-research-security-and-openness"
EDITION = f"{SLUG}/{SLUG}.html"


@pytest.fixture(scope="module")
def discussion():
    return build_discussions(ROOT / "source_texts")[0]


@pytest.fixture(scope="module")
def edition() -> str:
    return site_files(ROOT / "source_texts", ROOT / "glossary.yml")[EDITION]


@pytest.fixture(scope="module")
def page(edition) -> BeautifulSoup:
    return BeautifulSoup(edition, "html.parser")


def norm(text: str) -> str:
    return " ".join(text.split())


def test_generate_writes_the_edition_into_docs_and_it_is_committed(edition):
    assert edition_filename(build_discussions(ROOT / "source_texts")[0]) == EDITION
    assert (ROOT / "docs" / EDITION).read_text(encoding="utf-8") == edition


def test_it_loads_nothing_from_anywhere(page):
    assert page.find_all(["script", "link", "img", "iframe", "object", "embed", "video", "audio", "source"]) == []
    assert [tag.name for tag in page.find_all(src=True)] == []
    style = "\n".join(s.get_text() for s in page.find_all("style"))
    assert "url(" not in style and "@import" not in style
    assert [tag for tag in page.find_all(style=True)] == []


def test_every_internal_link_lands_on_something_in_the_file(page):
    ids = {tag["id"] for tag in page.find_all(id=True)}
    for a in page.find_all("a", href=True):
        href = a["href"]
        if href.startswith("#"):
            assert href[1:] in ids, href
        else:  # the only other links are sources a reader may follow: absolute, never relative
            assert re.match(r"https?://[^/]+/", href), href


def test_every_paragraph_is_there_with_its_number_and_exact_text(page, discussion):
    for letter in discussion.letters:
        section = page.find("section", id=letter.slug)
        paras = section.find_all("p", class_="para")
        assert len(paras) == len(letter.paragraphs)
        for p, model in zip(paras, letter.paragraphs, strict=True):
            number = p.find("a", class_="para-num")
            assert number.get_text() == str(model.number)
            assert number["href"] == f"#{p['id']}"
            number.extract()
            assert p.get_text().strip() == model.text


def test_letters_are_headed_and_signed_in_order(page, discussion):
    headings = [norm(h.get_text()) for h in page.select("section.letter > h2")]
    assert headings == [letter.label for letter in discussion.letters]
    for letter in discussion.letters:
        signature = page.find("section", id=letter.slug).find("p", class_="signature")
        lines = signature.decode_contents().split("<br/>")  # term links inside a line add no break
        assert [norm(BeautifulSoup(line, "html.parser").get_text()) for line in lines] == list(letter.signature)


def blocks_text(page: BeautifulSoup) -> str:
    """The text of every block, each block's own text unbroken (a term link adds no space)."""
    return " ".join(norm(el.get_text()) for el in page.find_all(["h1", "h2", "h3", "p", "li", "dt", "dd", "td"]))


def test_pull_quotes_are_left_out(page, discussion):
    text = blocks_text(page)
    for letter in discussion.letters:
        for quote in letter.pull_quotes:
            assert text.count(norm(quote.text)) == 1, quote.text[:40]  # only inside its own paragraph


def test_it_carries_the_citation_rights_credit_and_original(page, discussion):
    text = blocks_text(page)
    assert norm(discussion.citation.text) in text
    assert norm(discussion.citation.issue) in text
    assert norm(discussion.fact("rights")) in text
    assert norm(discussion.image_credit) in text
    assert page.find("a", href=discussion.fact("url"))


def test_every_repair_is_listed(page, discussion):
    rows = page.select("#notes table tbody tr")
    assert len(rows) == len(discussion.changes) == 37
    for row, change in zip(rows, discussion.changes, strict=True):
        cells = [td.get_text() for td in row.find_all("td")]
        assert cells[1:5] == [f"{change.line}:{change.column}", change.original, change.result, change.rule]
    assert "37 repairs" in page.find(id="notes").get_text()


def test_every_repair_links_to_where_it_falls_in_this_file(page):
    rows = page.select("#notes table tbody tr")
    links = [row.find("td").find("a") for row in rows]
    assert all(links), "every seed repair falls in a published piece of the file"
    for a in links:
        target = page.find(id=a["href"][1:])
        assert target is not None, a["href"]
        if a.get_text().startswith("Letter"):
            letter = a.get_text().split(",")[0].lower().replace(" ", "-")  # "Letter 2, ¶4" → "letter-2"
            assert target.find_parent("section", class_="letter")["id"] == letter


def test_glossary_terms_link_to_definitions_printed_in_the_file(page):
    terms = page.find_all("a", class_="term")
    assert terms, "the seed's letters mention glossary terms"
    for a in terms:
        entry = page.find(id=a["href"][1:])
        assert entry.name == "dt"
        assert entry.find_next_sibling("dd").get_text().strip()


def test_the_discussion_home_and_the_site_home_link_to_it(built):
    for page_path in (built / SLUG / "index.html", built / "index.html"):
        soup = BeautifulSoup(page_path.read_text(encoding="utf-8"), "html.parser")
        link = soup.find("a", class_="edition-link")
        assert link is not None, page_path
        target = (page_path.parent / link["href"]).resolve()
        assert target == (built / EDITION).resolve() and target.is_file()


def test_source_markup_stays_text(tmp_path):
    hostile = "A paragraph with <script>alert(1)</script> and <img src=x onerror=alert(1)> in it."
    discussion = parse(repair(forum_page(letters=[([hostile], ["Professor", "Some <b>University</b>"])])), "x.txt")
    soup = BeautifulSoup(render_edition(discussion), "html.parser")
    assert soup.find_all(["script", "img", "b"]) == []
    assert hostile in soup.get_text()


def test_it_opens_offline_in_a_browser_without_a_single_request_and_prints(tmp_path, edition, browser):
    path = tmp_path / "edition.html"
    path.write_text(edition, encoding="utf-8")
    requests = []
    page = browser.new_page()
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("networkidle")
        numbers = page.locator("section.letter .para-num").all_inner_texts()
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
    finally:
        page.close()
    assert requests == [path.as_uri()]
    assert numbers[:3] == ["1", "2", "3"]
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
