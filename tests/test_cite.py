"""Citations (issue 5): the strings in each style, the URLs they carry, stable anchors, the base URL,
writers' names from metadata, the downloads and the reference-manager metadata."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
import rispy
from bs4 import BeautifulSoup

from scripts import cite
from scripts.generate import build_discussions, read_site_url, site_files

from conftest import ROOT, SEED

D = "balancing-research-security-and-openness"
BASE = "https://example.org/research-security-reader/"  # site_url in mkdocs.yml (a placeholder until deployed)
P3 = f"{BASE}{D}/letter-1/#p-individual-analyses-that-claim-to"

# Letter 1, paragraph 3, checked by hand against the manuals (the source names no writers, so each style's rule
# for a work without an author applies: the title takes the author's place; nothing is invented):
# - Chicago 18th ed. (notes and bibliography): full note = “Title,” description, Journal vol, no. issue (year):
#   locator, URL. (CMOS 14.71-14.75 journal articles; no author: begin with the title, CMOS 13.81; a locator
#   without page numbers: "para. 3"; CMOS 18 needs only the year when volume and issue are given, so "(2025)").
#   Bibliography entry: the same elements separated by periods, description capitalised.
# - APA 7th ed.: reference = Title in sentence case. (Year). [Description]. Journal, vol(issue). URL, with no period
#   after the URL (APA 9.12 no author, 6.17 sentence case, 9.35 URL); the in-text citation puts the title, in
#   quotation marks and title case, in the author's place and gives the paragraph: (“Title,” 2025, para. 3)
#   (APA 8.14, 8.28). The bracketed description after the date is where the APA CSL style places it.
# - MLA 9th ed.: works cited = “Title.” Description. Journal, vol. 41, no. 2, Winter 2025, URL. (MLA 5.23 title
#   first without an author, 5.80 season with the year); in text: (“Title,” par. 3) (MLA 6.20 "par.").
# Periods and commas go inside the closing quotation mark (American usage, all three).
EXPECTED = {
    "chicago": ("“Balancing Research Security and Openness,” letter 1, Issues in Science and Technology 41, "
                f"no. 2 (2025): para. 3, {P3}."),
    "apa": ("Balancing research security and openness. (2025). [Letter 1]. Issues in Science and Technology, "
            f"41(2). {P3}"),
    "mla": ("“Balancing Research Security and Openness.” Letter 1. Issues in Science and Technology, vol. 41, "
            f"no. 2, Winter 2025, {P3}."),
}
EXPECTED_SHORT = {
    "chicago": ("“Balancing Research Security and Openness.” Letter 1. Issues in Science and Technology 41, "
                f"no. 2 (2025). {P3}."),
    "apa": "(“Balancing Research Security and Openness,” 2025, para. 3)",
    "mla": "(“Balancing Research Security and Openness,” par. 3)",
}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return site_files(ROOT / "source_texts", None, BASE)


@pytest.fixture(scope="module")
def rows(files) -> list[dict]:
    return json.loads(files["passages.json"])


def test_letter_1_paragraph_3_in_each_style(rows):
    third = next(r for r in rows if r["letter"] == "letter-1" and r["number"] == 3)
    assert third["cite"] == EXPECTED
    assert third["cite_short"] == EXPECTED_SHORT


def test_the_page_shows_exactly_the_strings_of_passages_json(built):
    rows = json.loads((built / "passages.json").read_text(encoding="utf-8"))
    base = read_site_url()
    for n in (1, 2, 3):
        page = soup(built / D / f"letter-{n}" / "index.html")
        for para in page.select(".letter-body .para"):
            block = para.find_next_sibling("details")
            assert "cite-paragraph" in block["class"]
            row = next(r for r in rows if r["letter"] == f"letter-{n}" and r["id"] == para["id"])
            for style in cite.STYLES:
                main, short = (t.get_text() for t in block.select(f'.cite-text[data-style="{style}"]'))
                assert (main, short) == (row["cite"][style], row["cite_short"][style])
            assert block.select_one(".cite-url").get_text() == f"{base}{row['url']}"


def test_cite_markup_stays_out_of_the_paragraph_text(built):
    page = soup(built / D / "letter-1" / "index.html")
    for para in page.select(".letter-body .para"):
        assert not para.select("details, .cite-text, button")


def _urls(text: str) -> list[str]:
    return [url.rstrip(".") for url in re.findall(r"https?://\S+", text)]


def test_every_citation_url_resolves_to_an_existing_anchor(built):
    base = read_site_url()
    texts = [t.get_text() for page in built.rglob("*.html") for t in soup(page).select(".cite-text")]
    rows = json.loads((built / "passages.json").read_text(encoding="utf-8"))
    texts += [s for r in rows for s in (*r["cite"].values(), *r["cite_short"].values())]
    urls = {url for text in texts for url in _urls(text)}
    assert len(urls) == 16 + 3 + 1  # every paragraph, every letter, the discussion
    for url in urls:
        assert url.startswith(base), url
        path, _, anchor = url.removeprefix(base).partition("#")
        page = built / path / "index.html"
        assert page.is_file(), url
        if anchor:
            assert soup(page).find(id=anchor) is not None, url


def _anchors(sources: Path) -> dict[tuple[str, str, int], str]:
    rows = json.loads(site_files(sources, None, BASE)["passages.json"])
    return {(r["discussion"], r["letter"], r["number"]): r["cite"]["chicago"] for r in rows}


def test_anchors_survive_an_edit_to_another_paragraph_and_a_new_source(tmp_path, files):
    before = _anchors(ROOT / "source_texts")
    sources = tmp_path / "sources"
    sources.mkdir()
    for path in SEED.parent.glob(SEED.stem + ".*"):
        shutil.copy(path, sources / path.name)
    text = SEED.read_text(encoding="utf-8")
    edited = text.replace("When it comes to international cooperation,", "Where international cooperation is at stake,")
    edited = edited.replace("are considering turning to blanket measures", "are turning to blanket measures")
    assert edited.count("Where international cooperation") == 1 and edited != text
    (sources / SEED.name).write_text(edited, encoding="utf-8")
    # Another discussion beside it (same shape, its own title) must not move any anchor of the first.
    (sources / "001_other.txt").write_text(text.replace("Balancing Research Security and Openness",
                                                        "Another Forum"), encoding="utf-8")
    after = _anchors(sources)
    changed = {key for key in before if before[key] != after.get(key)}
    assert changed == {(D, "letter-1", 2)}  # the edited paragraph's own first words make its anchor
    assert before[(D, "letter-1", 4)] == after[(D, "letter-1", 4)]  # edited inside: same anchor, same citation
    assert any(key[0] != D for key in after)  # the other discussion is there too


def test_changing_site_url_in_mkdocs_yml_changes_every_citation_url(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Fork\nsite_url: https://fork.example.net/reader/\n"
                      "theme:\n  icon: !!python/name:material.extensions.emoji.twemoji\n", encoding="utf-8")
    fork = read_site_url(config)
    assert fork == "https://fork.example.net/reader/"
    files = site_files(ROOT / "source_texts", None, fork)
    rows = json.loads(files["passages.json"])
    for row in rows:
        for text in (*row["cite"].values(), *row["cite_short"].values()):
            assert BASE not in text
        assert f"https://fork.example.net/reader/{row['url']}" in row["cite"]["chicago"]
    assert "https://fork.example.net/reader/" in files[f"{D}/citation.bib"]
    assert f"- - citation_public_url\n  - https://fork.example.net/reader/{D}/letter-1/\n" in files[f"{D}/letter-1.md"]


def test_the_cli_takes_site_url_and_reads_mkdocs_yml_by_default(tmp_path):
    def generate(*extra):
        docs = tmp_path / f"docs{len(extra)}"
        subprocess.run([sys.executable, "-m", "scripts", "generate", "--docs", str(docs), "--glossary", "none",
                        *extra], cwd=ROOT, check=True, capture_output=True)
        return json.loads((docs / "passages.json").read_text(encoding="utf-8"))

    default, fork = generate(), generate("--site-url", "https://fork.example.net/")
    assert default[2]["cite"]["apa"].endswith(f"{BASE}{default[2]['url']}")
    assert fork[2]["cite"]["apa"].endswith(f"https://fork.example.net/{fork[2]['url']}")


def test_a_config_without_an_absolute_site_url_is_a_one_line_error(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nsite_url: /relative/\n", encoding="utf-8")
    with pytest.raises(Exception) as err:
        read_site_url(config)
    assert str(err.value) == (f"error: {config}: site_url must be the site's absolute address (http:// or "
                              "https://); citations are built from it")


def _with_meta(tmp_path: Path, extra: str) -> Path:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEED, sources / SEED.name)
    meta = SEED.with_name(SEED.stem + ".meta.yml")
    (sources / meta.name).write_text(meta.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return sources


NAMES = """
letter_authors:
  value:
    1: ["Doe, Jane", {family: Roe, given: Richard}]
    2: ["Ministry of Examples"]
  source: a synthetic test fact
"""


def test_writers_named_in_the_metadata_are_used(tmp_path):
    files = site_files(_with_meta(tmp_path, NAMES), None, BASE)
    rows = json.loads(files["passages.json"])
    one = next(r for r in rows if r["letter"] == "letter-1" and r["number"] == 3)
    assert one["cite"]["chicago"].startswith("Jane Doe and Richard Roe, “Balancing Research Security and Openness,” "
                                             "letter 1, Issues in Science and Technology 41, no. 2 (2025): para. 3,")
    assert one["cite"]["apa"].startswith("Doe, J., & Roe, R. (2025). Balancing research security and openness "
                                         "[Letter 1]. Issues in Science and Technology, 41(2).")
    assert one["cite"]["mla"].startswith("Doe, Jane, and Richard Roe. “Balancing Research Security and Openness.” "
                                         "Letter 1.")
    assert one["cite_short"]["apa"] == "(Doe & Roe, 2025, para. 3)"
    assert one["cite_short"]["mla"] == "(Doe and Roe, par. 3)"
    two = next(r for r in rows if r["letter"] == "letter-2" and r["number"] == 1)
    assert two["cite_short"]["apa"] == "(Ministry of Examples, 2025, para. 1)"
    three = next(r for r in rows if r["letter"] == "letter-3" and r["number"] == 1)
    assert three["cite"]["mla"].startswith("“Balancing Research Security and Openness.” Letter 3.")  # still unnamed
    page = files[f"{D}/letter-1.md"]
    assert "- - citation_author\n  - Doe, Jane\n- - citation_author\n  - Roe, Richard\n" in page
    assert "rft.au=Doe%2C+Jane&rft.au=Roe%2C+Richard" in page
    assert "author = {Doe, Jane and Roe, Richard}" in files[f"{D}/citation.bib"]


def test_a_malformed_names_fact_is_a_one_line_error(tmp_path):
    sources = _with_meta(tmp_path, "letter_authors:\n  value: {1: Jane Doe}\n  source: test\n")
    done = subprocess.run([sys.executable, "-m", "scripts", "generate", "--sources", str(sources),
                           "--docs", str(tmp_path / "docs"), "--glossary", "none"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and not (tmp_path / "docs").exists()
    # checked when the metadata file is read (scripts/schemas/meta.schema.json), at the line of the letter's names
    line = SEED.with_name(SEED.stem + ".meta.yml").read_text(encoding="utf-8").count("\n") + 2
    assert done.stderr == (f"error: {sources / (SEED.stem + '.meta.yml')}:{line}: fact 'letter_authors': value, 1: "
                           "expected a list of names, got 'Jane Doe'\n")


def test_downloads_parse_and_round_trip_through_citeproc(files, rows):
    bib = bibtexparser.parse_string(files[f"{D}/citation.bib"])
    assert not bib.failed_blocks
    assert [e.key for e in bib.entries] == [D, f"{D}-letter-1", f"{D}-letter-2", f"{D}-letter-3"]
    letter = bib.entries[1].fields_dict
    assert letter["title"].value == "{Balancing Research Security and Openness}"
    assert (letter["journal"].value, letter["volume"].value, letter["number"].value, letter["year"].value) == (
        "Issues in Science and Technology", "41", "2", "2025")
    assert letter["url"].value == f"{BASE}{D}/letter-1/"
    ris = rispy.loads(files[f"{D}/citation.ris"])
    assert [(e["type_of_reference"], e["urls"]) for e in ris][1] == ("JOUR", [f"{BASE}{D}/letter-1/"])
    assert ris[0]["title"] == "Balancing Research Security and Openness" and ris[0]["volume"] == "41"
    items = json.loads(files[f"{D}/citation.json"])
    # The CSL-JSON download, rendered by citeproc-py, gives the letter citation the page shows.
    d = build_discussions(ROOT / "source_texts")[0]
    shown = cite.cite(cite.Work(cite.letter_item(d, d.letters[0], BASE))).strings()
    assert cite.cite(cite.Work(items[1])).strings() == shown
    assert shown["apa"] == (f"Balancing research security and openness. (2025). [Letter 1]. Issues in Science and "
                            f"Technology, 41(2). {BASE}{D}/letter-1/")


def test_the_manifest_tracks_the_downloads(built):
    work = built.parent / "docs"
    generated = json.loads((work / ".generated.json").read_text(encoding="utf-8"))
    assert {f"{D}/citation.bib", f"{D}/citation.ris", f"{D}/citation.json"} <= set(generated)
    for ext in ("bib", "ris", "json"):
        assert (built / D / f"citation.{ext}").is_file()
    links = soup(built / D / "letter-1" / "index.html").select(".cite-files a[download]")
    assert {a["href"] for a in links} == {"../citation.bib", "../citation.ris", "../citation.json"}


@pytest.mark.parametrize("page,url", [("index.html", f"{BASE}{D}/"), (f"{D}/index.html", f"{BASE}{D}/"),
                                      (f"{D}/letter-2/index.html", f"{BASE}{D}/letter-2/")])
def test_reference_manager_metadata(built, page, url):
    doc = soup(built / page)
    meta = {}
    for tag in doc.select('head meta[name^="citation_"]'):
        meta.setdefault(tag["name"], []).append(tag["content"])
    assert meta["citation_title"] == ["Balancing Research Security and Openness"]
    assert meta["citation_journal_title"] == ["Issues in Science and Technology"]
    assert (meta["citation_volume"], meta["citation_issue"]) == (["41"], ["2"])
    assert meta["citation_publication_date"] == ["2025"]
    assert meta["citation_public_url"] == [url]
    assert "citation_author" not in meta  # the source names no writers
    (coins,) = doc.select("span.Z3988")
    assert "rft.atitle=Balancing+Research+Security+and+Openness" in coins["title"]
    assert "rft.volume=41&rft.issue=2&rft.date=2025" in coins["title"]


def test_letter_pages_stay_light(built):
    for n in (1, 2, 3):
        size = (built / D / f"letter-{n}" / "index.html").stat().st_size
        assert size < 100_000, (n, size)


def test_paragraph_citations_from_the_letter_template_equal_direct_renderings():
    (discussion,) = build_discussions(ROOT / "source_texts")
    site = "https://example.org/reader/"
    checked = 0
    for letter in discussion.letters:
        for paragraph in letter.paragraphs:
            work = cite.paragraph_work(discussion, letter, paragraph, site)
            assert cite.cite(work) == cite.cite_directly(work), (letter.number, paragraph.number)
            checked += 1
    assert checked == 16


def _works(site: str) -> list[cite.Work]:
    """The seed's discussion, letters and a paragraph, and the same with markup-like and named values."""
    (d,) = build_discussions(ROOT / "source_texts")
    works = [cite.Work(cite.discussion_item(d, site)),
             *(cite.Work(cite.letter_item(d, letter, site)) for letter in d.letters),
             cite.paragraph_work(d, d.letters[0], d.letters[0].paragraphs[2], site)]
    odd = {**cite.discussion_item(d, site), "title": "Fish & <Chips>: “Quoted” and ‘single’ <i>not italic</i>",
           "author": [{"family": "O'Brien & Sons", "given": "Ána"}, {"family": "<Lee>", "given": "Q."}]}
    return [*works, cite.Work(odd), cite.Work(odd, 7)]


@pytest.mark.parametrize("style", sorted(cite.STYLES))
def test_the_copied_text_is_citeproc_pys_own_plain_text(style):
    """Each citation is rendered once, as HTML, and its text read off that (scripts/cite.py, _text_of): the text
    a reader copies must be exactly what citeproc-py's plain-text formatter gives."""
    for work in _works("https://example.org/reader/"):
        styled = cite.cite_directly(work)
        note, entry = cite._render(work, cite.STYLES[style], cite.formatter.plain)
        main, short = (note, entry) if style == "chicago" else (entry, note)
        assert (styled.main[style].text, styled.short[style].text) == (main, short), work.item["title"]
