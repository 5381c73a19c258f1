"""Citations: the letter as published, by each manual's rules, checked by a second processor (citeproc-js);
the edition's own links beside them; writers' names from metadata; the downloads; reference-manager metadata."""

import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import bibtexparser
import citeproc
import pytest
import rispy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from scripts import cite
from scripts.generate import build_discussions, site_files

from conftest import ROOT, SEED
from sitebuild import soup

CITER = cite.Citer()

D = "balancing-research-security-and-openness"
ORIGINAL = "https://issues.org/balancing-research-security-openness-shih-wagner-forum/"  # metadata fact ``url``
TITLE = "Balancing Research Security and Openness"
JOURNAL = "Issues in Science and Technology"
FROM = {1: "Max Planck Institute for the History of Science, Berlin", 2: "Fudan University, Shanghai, China",
        3: "Quincy Institute for International Statecraft"}  # the institution each letter's signature gives
SUFFIX = {1: "a", 2: "b", 3: "c"}


# What each style gives for a paragraph of a letter, written out by hand from the manuals (not from the code):
#
# Chicago 18th ed., notes and bibliography. Note: “Title,” description, Journal vol, no. issue (year): locator, URL.
#   (CMOS 14.71–75 journal articles; a work without an author begins with its title, 13.81; letters to the editor
#   are described as such, 14.94; "a month or season can now usually be omitted" for journals, 13.26; a source
#   without page numbers: "para.", 13.117). Short note, for later notes: the title, what tells this letter apart,
#   the locator (13.32). Bibliography: the same elements as the note, separated by periods, description capitalised.
# APA 7th ed. Reference: Title in sentence case [Description]. (Year with suffix). Journal, vol(issue). URL — the
#   title takes the author's place with its bracketed description (9.12, 9.21), sentence case (6.17), no period
#   after the URL (9.35); same "author" and year: suffixes a, b, c (8.19, 9.47). In text: the title in quotation
#   marks and title case in the author's place (8.14), the year with its suffix, "para." for unnumbered paragraphs
#   counted as the source shows them (8.28); narrative: the title outside the parentheses (8.11).
# MLA 9th ed. Works cited: “Title.” Description. Journal, vol. 41, no. 2, season year, URL. (title first without an
#   author, 5.23; the description as a supplemental element, 5.106; seasons lowercase, fig. 5.95). In text: the
#   title, and what tells entries with the same title apart (6.12–13); no paragraph numbers the source does not
#   print (6.22).
# Periods and commas go inside the closing quotation mark (American usage, all three).
def expected(letter: int, paragraph: int) -> dict[str, dict[str, str]]:
    described, s = f"letter to the editor from {FROM[letter]}", SUFFIX[letter]
    return {
        "chicago": {
            "note": f"“{TITLE},” {described}, {JOURNAL} 41, no. 2 (2025): para. {paragraph}, {ORIGINAL}.",
            "short_note": f"“{TITLE},” {described}, para. {paragraph}.",
            "bibliography": f"“{TITLE}.” L{described[1:]}. {JOURNAL} 41, no. 2 (2025). {ORIGINAL}.",
        },
        "apa": {
            "reference": f"Balancing research security and openness [Letter to the editor]. (2025{s}). {JOURNAL}, "
                         f"41(2). {ORIGINAL}",
            "parenthetical": f"(“{TITLE},” 2025{s}, para. {paragraph})",
            "narrative": f"“{TITLE}” (2025{s}, para. {paragraph})",
        },
        "mla": {
            "works_cited": f"“{TITLE}.” L{described[1:]}. {JOURNAL}, vol. 41, no. 2, winter 2025, {ORIGINAL}.",
            "in_text": f"(“{TITLE},” {described})",
        },
    }


# Several paragraphs of every letter: first, third, last.
CASES = [(1, 1), (1, 3), (1, 5), (2, 1), (2, 4), (2, 7), (3, 1), (3, 2), (3, 4)]


@pytest.fixture(scope="module")
def discussion():
    return build_discussions(ROOT / "source_texts")[0]


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return site_files(ROOT / "source_texts", None)


@pytest.fixture(scope="module")
def rows(files) -> list[dict]:
    return json.loads(files["passages.json"])


@pytest.mark.parametrize(("letter", "paragraph"), CASES, ids=[f"letter-{n}-para-{p}" for n, p in CASES])
def test_each_style_cites_the_letter_as_published(rows, letter, paragraph):
    row = next(r for r in rows if r["letter"] == f"letter-{letter}" and r["number"] == paragraph)
    assert row["cite_forms"] == expected(letter, paragraph)
    # passages.json keeps its fields: the main form and the in-text form (Chicago: the short note)
    assert row["cite"] == {"chicago": expected(letter, paragraph)["chicago"]["note"],
                           "apa": expected(letter, paragraph)["apa"]["reference"],
                           "mla": expected(letter, paragraph)["mla"]["works_cited"]}
    assert row["cite_short"] == {"chicago": expected(letter, paragraph)["chicago"]["short_note"],
                                 "apa": expected(letter, paragraph)["apa"]["parenthetical"],
                                 "mla": expected(letter, paragraph)["mla"]["in_text"]}


def test_every_in_text_form_tells_the_letters_apart(rows):
    for style, forms in cite.FORMS.items():
        for form, _ in forms:
            for number in (1, 3):
                same_number = [r["cite_forms"][style][form] for r in rows if r["number"] == number]
                assert len(set(same_number)) == len(same_number) == 3, (style, form, number)


def test_the_letter_and_the_forum_page_are_cited_too(discussion):
    letter = CITER.cite(cite.letter_work(discussion, discussion.letters[1])).all_strings()
    assert letter["apa"]["parenthetical"] == f"(“{TITLE},” 2025b)"
    assert letter["chicago"]["note"] == (f"“{TITLE},” letter to the editor from {FROM[2]}, {JOURNAL} 41, no. 2 "
                                         f"(2025), {ORIGINAL}.")
    forum = CITER.cite(cite.Work(cite.discussion_item(discussion))).all_strings()
    assert forum["apa"]["reference"] == (f"Balancing research security and openness. (2025). {JOURNAL}, 41(2). "
                                         f"{ORIGINAL}")
    assert forum["mla"]["works_cited"] == f"“{TITLE}.” {JOURNAL}, vol. 41, no. 2, winter 2025, {ORIGINAL}."


# --- A second processor ------------------------------------------------------------------------------------------

CITEPROC_JS = ROOT / "tests" / "citeproc-js"
LOCALE = Path(citeproc.__file__).parent / "data" / "locales" / "locales-en-US.xml"  # citeproc-py's own


def citeproc_js(jobs: list[dict]) -> list[dict]:
    """Render with citeproc-js (tests/citeproc-js/render.js, installed by `make test` from its lockfile)."""
    payload = json.dumps({"locale": LOCALE.read_text(encoding="utf-8"), "jobs": jobs})
    done = subprocess.run(["node", str(CITEPROC_JS / "render.js")], input=payload, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def _works(d) -> list[cite.Work]:
    works = [cite.Work(cite.discussion_item(d))]
    for letter in d.letters:
        works += [cite.letter_work(d, letter), *(cite.paragraph_work(d, letter, p) for p in letter.paragraphs)]
    return works


def test_citeproc_js_renders_every_citation_the_same(discussion):
    """Every form of every style for the forum page, each letter and each paragraph, against citeproc-js given the
    same items and the same styles (with the changes scripts/cite.py makes to them). For APA the letters are
    given together and citeproc-js assigns their year suffixes itself."""
    d = discussion
    apa_letters = [{**cite.letter_item(d, letter), "genre": cite.DESCRIPTION} for letter in d.letters]
    jobs, ours = [], []
    for work in _works(d):
        forms = CITER.cite(work).all_strings()
        locator = str(work.paragraph) if work.paragraph else None
        target = work.item["id"]
        jobs.append({"style": cite.style_xml(cite.STYLES["chicago"]).decode(), "items": [work.item],
                     "target": target, "locator": locator})
        ours.append({"bibliography": forms["chicago"]["bibliography"], "first": forms["chicago"]["note"],
                     "subsequent": forms["chicago"]["short_note"]})
        jobs.append({"style": cite.style_xml(cite.STYLES["apa"]).decode(), "target": target, "locator": locator,
                     "items": apa_letters if "genre" in work.item else [work.item], "narrative": True})
        ours.append({"bibliography": forms["apa"]["reference"], "first": forms["apa"]["parenthetical"],
                     # citeproc-js's author-only citation drops the quotation marks APA puts round a title in
                     # the author's place (APA 8.14), so the narrative form is compared without them
                     "narrative": forms["apa"]["narrative"].replace("“", "").replace("”", "")})
        jobs.append({"style": cite.style_xml(cite.STYLES["mla"]).decode(), "items": [work.item], "target": target,
                     "locator": None})
        ours.append({"bibliography": forms["mla"]["works_cited"], "first": forms["mla"]["in_text"]})
    theirs = citeproc_js(jobs)
    assert len(theirs) == len(ours) == 3 * 20
    for job, mine, js in zip(jobs, ours, theirs, strict=True):
        assert {key: js[key] for key in mine} == mine, job["target"]


# --- Links to this edition, and no placeholder address ----------------------------------------------------------

PLACEHOLDER = re.compile(r"example\.(org|com|net)|localhost|127\.0\.0\.1|\[::1\]")


def test_no_published_file_names_a_placeholder_address(built):
    found = [path for folder in (built, ROOT / "docs") for path in folder.rglob("*")
             if path.is_file() and path.suffix in (".html", ".md", ".json", ".bib", ".ris", ".xml", ".yml", ".txt")
             and PLACEHOLDER.search(path.read_text(encoding="utf-8", errors="replace"))]
    assert found == []


def test_each_cite_block_links_to_its_paragraph_in_this_edition(built, rows):
    for n in (1, 2, 3):
        page = soup(built / D / f"letter-{n}" / "index.html")
        for para in page.select(".letter-body .para"):
            # in the menu the paragraph's number opens (templates/_blocks.html para_menu)
            menu = page.find(id=para.select_one("button.para-num")["popovertarget"])
            assert "para-menu" in menu["class"]
            assert menu.select_one(".para-menu-link a.cite-permalink")["href"] == f"#{para['id']}"
            block = menu.select_one("details")
            assert "cite-paragraph" in block["class"]
            assert not block.select("a.cite-permalink")  # the menu's link, above it, is the one: not twice
            row = next(r for r in rows if r["letter"] == f"letter-{n}" and r["id"] == para["id"])
            for style, forms in cite.FORMS.items():
                for form, _ in forms:
                    (shown,) = block.select(f'.cite-text[data-style="{style}"][data-form="{form}"]')
                    assert shown.get_text() == row["cite_forms"][style][form]
        letter_block = page.select_one("details.cite-letter")
        assert letter_block.select_one("a.cite-permalink")["href"] == "./"


def test_cite_markup_stays_out_of_the_paragraph_text(built):
    page = soup(built / D / "letter-1" / "index.html")
    for para in page.select(".letter-body .para"):
        # the paragraph's one control is its number, which opens its menu (the citations are in the menu)
        assert not para.select("details, .cite-text, button:not(.para-num), .para-menu")


def _anchors(sources: Path) -> dict[tuple[str, str, int], str]:
    rows = json.loads(site_files(sources, None)["passages.json"])
    return {(r["discussion"], r["letter"], r["number"]): r["url"] for r in rows}


def test_anchors_survive_an_edit_to_another_paragraph_and_a_new_source(tmp_path):
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
    assert before[(D, "letter-1", 4)] == after[(D, "letter-1", 4)]  # edited inside: same anchor
    assert any(key[0] != D for key in after)  # the other discussion is there too


def test_a_source_without_an_original_address_is_cited_without_one(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEED, sources / SEED.name)  # no metadata file: no original page
    rows = json.loads(site_files(sources, None)["passages.json"])
    assert rows[0]["cite"]["apa"] == (f"Balancing research security and openness [Letter to the editor]. (2025a). "
                                      f"{JOURNAL}, 41(2).")
    assert not any("http" in text for row in rows for forms in row["cite_forms"].values() for text in forms.values())


# --- Writers' names from the metadata -------------------------------------------------------------------------


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


def test_writers_named_in_the_metadata_replace_the_descriptions(tmp_path):
    files = site_files(_with_meta(tmp_path, NAMES), None)
    rows = json.loads(files["passages.json"])
    one = next(r for r in rows if r["letter"] == "letter-1" and r["number"] == 3)["cite_forms"]
    assert one["chicago"]["note"] == (f"Jane Doe and Richard Roe, “{TITLE},” letter to the editor, {JOURNAL} 41, "
                                      f"no. 2 (2025): para. 3, {ORIGINAL}.")
    assert one["apa"]["reference"] == (f"Doe, J., & Roe, R. (2025). Balancing research security and openness "
                                       f"[Letter to the editor]. {JOURNAL}, 41(2). {ORIGINAL}")
    assert one["apa"]["parenthetical"] == "(Doe & Roe, 2025, para. 3)"
    assert one["mla"]["in_text"] == "(Doe and Roe)"
    two = next(r for r in rows if r["letter"] == "letter-2" and r["number"] == 1)["cite_forms"]
    assert two["apa"]["parenthetical"] == "(Ministry of Examples, 2025, para. 1)"
    three = next(r for r in rows if r["letter"] == "letter-3" and r["number"] == 1)["cite_forms"]  # still unnamed
    assert three["mla"]["works_cited"].startswith(f"“{TITLE}.” Letter to the editor from {FROM[3]}.")
    assert three["apa"]["parenthetical"] == f"(“{TITLE},” 2025, para. 1)"  # no other unnamed letter: no suffix
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


# --- Downloads ---------------------------------------------------------------------------------------------------


def test_bibtex_puts_the_season_in_month_and_parses(files):
    bib = bibtexparser.parse_string(files[f"{D}/citation.bib"])
    assert not bib.failed_blocks
    assert [e.key for e in bib.entries] == [D, f"{D}-letter-1", f"{D}-letter-2", f"{D}-letter-3"]
    letter = bib.entries[2].fields_dict
    assert {k: f.value for k, f in letter.items()} == {
        "title": TITLE, "journal": JOURNAL, "volume": "41", "number": "2",
        "year": "2025", "month": "Winter", "url": ORIGINAL, "note": f"Letter to the editor from {FROM[2]}"}
    assert not re.search(r"^\s*issue = ", files[f"{D}/citation.bib"], re.MULTILINE)  # Zotero: the issue number


def test_ris_is_records_from_ty_to_er_and_reads_back(files):
    text = files[f"{D}/citation.ris"]
    lines = [line for line in text.splitlines() if line.strip()]
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in lines), lines  # no untagged "1." lines
    assert [line for line in lines if line.startswith(("TY", "ER"))] == ["TY  - JOUR", "ER  - "] * 4
    records = rispy.loads(text)
    assert [(r["title"], r["urls"], r["date"]) for r in records] == [
        ("Balancing research security and openness", [ORIGINAL], "2025///Winter")] * 4  # sentence case, as CSL
    assert [r.get("notes") for r in records] == [None, *([f"Letter to the editor from {FROM[n]}"] for n in (1, 2, 3))]


def test_the_csl_json_download_renders_what_the_page_shows(files, discussion):
    items = json.loads(files[f"{D}/citation.json"])
    assert [item["URL"] for item in items] == [ORIGINAL] * 4
    for letter, item in zip(discussion.letters, items[1:], strict=True):
        shown = CITER.cite(cite.letter_work(discussion, letter))
        assert CITER.cite(cite.Work(item, suffix=SUFFIX[letter.number])) == shown


def test_the_manifest_tracks_the_downloads(built):
    work = built.parent / "docs"
    generated = json.loads((work / ".generated.json").read_text(encoding="utf-8"))
    assert {f"{D}/citation.bib", f"{D}/citation.ris", f"{D}/citation.json"} <= set(generated)
    for ext in ("bib", "ris", "json"):
        assert (built / D / f"citation.{ext}").is_file()
    links = soup(built / D / "letter-1" / "index.html").select(".cite-files a[download]")
    assert {a["href"] for a in links} == {"../citation.bib", "../citation.ris", "../citation.json"}


@pytest.mark.parametrize("page", ["index.html", f"{D}/index.html", f"{D}/letter-2/index.html"])
def test_reference_manager_metadata_names_the_original(built, page):
    doc = soup(built / page)
    meta = {}
    for tag in doc.select('head meta[name^="citation_"]'):
        meta.setdefault(tag["name"], []).append(tag["content"])
    assert meta["citation_title"] == [TITLE]
    assert meta["citation_journal_title"] == [JOURNAL]
    assert (meta["citation_volume"], meta["citation_issue"]) == (["41"], ["2"])
    assert meta["citation_publication_date"] == ["2025"]
    assert meta["citation_public_url"] == [ORIGINAL]
    assert "citation_author" not in meta  # the source names no writers
    (coins,) = doc.select("span.Z3988")
    assert "rft.atitle=Balancing+Research+Security+and+Openness" in coins["title"]
    assert "rft.volume=41&rft.issue=2&rft.date=2025" in coins["title"]


def test_letter_pages_stay_light(built):
    for n in (1, 2, 3):
        size = (built / D / f"letter-{n}" / "index.html").stat().st_size
        assert size < 100_000, (n, size)


# --- How the strings are made --------------------------------------------------------------------------------


def test_the_fix_ups_change_citeproc_py_only_for_a_citer(discussion):
    """No class of citeproc-py is changed by importing scripts.cite or by making a Citer: its fix-ups are subclasses
    that only a Citer's parser uses. citeproc-py's own processor still prints the title twice for a work without an
    author (fix-up 1), and a Citer does not."""
    import citeproc.model
    from citeproc import CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    for cls in (citeproc.model.CitationStylesElement, citeproc.model.If, citeproc.model.Substitute,
                citeproc.model.Text, citeproc.model.Name):
        for name, method in vars(cls).items():
            if callable(method):
                assert method.__module__ == "citeproc.model", (cls.__name__, name)
    item = cite.discussion_item(discussion)
    plain = CitationStylesStyle(io.BytesIO(cite.style_xml(cite.STYLES["chicago"])), validate=False)
    listing = CitationStylesBibliography(plain, CiteProcJSON([item]), formatter.plain)
    listing.register(citeproc.Citation([citeproc.CitationItem(item["id"])]))
    (unfixed,) = listing.bibliography()
    fixed = CITER.render(cite.Work(item), "chicago", formatter.plain)["bibliography"]
    title = "Balancing Research Security and Openness"
    assert str(unfixed).count(title) == 2 and fixed.count(title) == 1


# --- Templates: a shape of work rendered once, each work's values put in (scripts/cite.py, "Templates") -----------


def test_a_discussion_is_rendered_once_per_shape_and_another_of_the_same_issue_not_at_all(discussion):
    """The forum page, a letter and a paragraph are three shapes: three renderings for the seed's 20 works, none
    for another discussion of the same issue; and every citation equals a direct rendering."""
    citer = cite.Citer()
    seed = citer.citations(discussion)
    assert citer.rendered == 3
    other = replace(discussion, title="Science Diplomacy: The Next Decade", slug="science-diplomacy")
    again = citer.citations(other)
    assert citer.rendered == 3
    for d, citations in ((discussion, seed), (other, again)):
        assert citations.discussion == CITER.cite_directly(cite.Work(cite.discussion_item(d)))
        for letter in d.letters:
            assert citations.letters[letter.slug] == CITER.cite_directly(cite.letter_work(d, letter))
            for paragraph in letter.paragraphs:
                work = cite.paragraph_work(d, letter, paragraph)
                assert citations.paragraph(letter, paragraph) == CITER.cite_directly(work), (d.slug, paragraph.anchor)
    assert "Science Diplomacy: The Next Decade" in again.discussion.forms["chicago"]["note"].text


# Values a template must reproduce exactly, or give way on: markup characters, quotes, periods, colons, stop words
# first, capitals, non-Latin text, characters whose case changes their length; a value that ends in punctuation or
# holds a stand-in's mark is rendered directly.
ODD_TITLES = ["Fish & <Chips>: “Quoted” and ‘single’ <i>not italic</i>", "Ünïcode “quotes” 中文 <b>",
              "the U.S. and the E.U.: a dialogue of the deaf", "NASA AND ESA", "iPhone and eBay: in between",
              "O'Brien's \"straight\" quotes", "Straße, İstanbul and ſ", "Αλήθεια και ασφάλεια",
              "Why now?", "Report 987654321 of the committee", "zqxt: the ZQXTB", "A  spaced\ttitle", "R&D"]
ODD_GENRES = ["letter to the editor from Fudan University, Shanghai, China", "letter to the editor from R&D <Lab>",
              "letter to the editor from Université Paris-Saclay.", "letter to the editor from 北京大学"]


def _odd_works(d) -> list[cite.Work]:
    """The seed's works, and the same with markup-like, quoted and named values."""
    odd = {**cite.discussion_item(d), "title": ODD_TITLES[0],
           "author": [{"family": "O'Brien & Sons", "given": "Ána"}, {"family": "<Lee>", "given": "Q."}]}
    odd_letter = {**cite.letter_item(d, d.letters[0]), "title": ODD_TITLES[1], "genre": "letter & <x>"}
    return [*_works(d)[:3], cite.Work(odd), cite.Work(odd, 7), cite.Work(odd_letter, 3, "b")]


@pytest.mark.parametrize("title", ODD_TITLES)
def test_a_filled_template_equals_a_direct_rendering(discussion, title):
    d = discussion
    forum = {**cite.discussion_item(d), "title": title}
    works = [cite.Work(forum), cite.Work({**forum, "author": [{"family": "Doe", "given": "Jane"}]}, 4)]
    for genre in ODD_GENRES:
        letter = {**cite.letter_item(d, d.letters[1]), "title": title, "genre": genre}
        works += [cite.Work(letter, suffix="b"), cite.Work(letter, 12, "b"), cite.Work(letter, 3)]
    for work in works:
        assert CITER.cite(work) == CITER.cite_directly(work), (work.item.get("genre"), work.paragraph)


def test_only_values_that_cannot_touch_their_surroundings_are_filled_in(discussion):
    """A title that ends in punctuation, or holds a stand-in's mark, is rendered directly; the others are not."""
    letter = cite.letter_item(discussion, discussion.letters[0])
    citer = cite.Citer()
    citer.cite(cite.Work(letter, 2, "a"))
    before = citer.rendered
    for title in ("Why now", "Straße, İstanbul and ſ", "R&D: policy"):
        citer.cite(cite.Work({**letter, "title": title}, 2, "a"))
    assert citer.rendered == before
    for title in ("Why now?", "Trust, but verify.", "Report 987654321", "zqxt"):
        citer.cite(cite.Work({**letter, "title": title}, 2, "a"))
    assert citer.rendered == before + 2 * 4  # the letter, then its paragraph


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(st.sampled_from(list("abcXYZ ofthe.,:;?!&<>'\"“”‘’-()[]/09ßİſΣςé中")), min_size=1, max_size=24),
       place=st.text(st.sampled_from(list("aZ &<.,’-İ北 ")), min_size=1, max_size=12))
def test_any_title_and_description_give_what_a_direct_rendering_gives(discussion, title, place):
    letter = {**cite.letter_item(discussion, discussion.letters[2]), "title": title,
              "genre": f"letter to the editor from {place}"}
    for work in (cite.Work(letter, 5, "c"), cite.Work({**cite.discussion_item(discussion), "title": title})):
        assert CITER.cite(work) == CITER.cite_directly(work)


TEMPLATED = {"title", "genre", "URL", "year-suffix"}


def _cased_values(root) -> list[tuple[str, str]]:
    """Each templated variable a style prints, with the text-cases applied to it from outside its own cs:text."""
    macros = {m.get("name"): m for m in root.iter(f"{{{cite.CSL_NS}}}macro")}
    found = []

    def walk(element, outer):
        for child in element:
            if child.tag == f"{{{cite.CSL_NS}}}text" and child.get("variable") in TEMPLATED:
                found.append((child.get("variable"), outer))
            elif child.tag == f"{{{cite.CSL_NS}}}text" and child.get("macro"):
                walk(macros[child.get("macro")], outer + (child.get("text-case") or ""))
            elif child.tag is not etree.Comment:
                walk(child, outer)

    for layout in root.iter(f"{{{cite.CSL_NS}}}layout"):
        walk(layout, "")
    return found


@pytest.mark.parametrize("name,variant", [*((name, "") for name in cite.STYLES.values()), ("apa", cite.NARRATIVE)])
def test_each_style_cases_a_templated_value_only_where_it_prints_it(name, variant):
    """What makes a filled template equal a direct rendering: the text-case, if any, is the value's own."""
    found = _cased_values(etree.fromstring(cite.style_xml(name, variant)))
    assert {variable for variable, _ in found} >= {"title", "URL"}
    assert [(variable, outer) for variable, outer in found if outer] == []


def test_a_style_that_prints_a_stand_in_otherwise_is_rendered_directly(discussion):
    """A template whose stand-in comes out changed in a way the filling cannot repeat (here: a style that strips
    the periods from titles) is not used: the citations are still exactly the direct ones."""

    class StrippingCiter(cite.Citer):
        def style(self, name, variant=""):
            style = super().style(name, variant)
            for text in style.root.iter(f"{{{cite.CSL_NS}}}text"):
                if text.get("variable") == "title":
                    text.set("strip-periods", "true")
            return style

    citer = StrippingCiter()
    work = cite.Work({**cite.discussion_item(discussion), "title": "the U.S. and the E.U. compared"})
    assert citer.cite(work) == citer.cite_directly(work)
    assert "the US and the EU compared" in citer.cite(work).forms["apa"]["reference"].text
    assert citer._templates and set(citer._templates.values()) == {None}


@pytest.mark.parametrize("style", sorted(cite.STYLES))
def test_the_copied_text_is_citeproc_pys_own_plain_text(discussion, style):
    """Each citation is rendered once, as HTML, and its text read off that (scripts/cite.py, _text_of): the text
    a reader copies must be exactly what citeproc-py's plain-text formatter gives."""
    for work in _odd_works(discussion):
        styled = CITER.cite_directly(work)
        plain = CITER.render(work, style, cite.formatter.plain)
        assert {form: s.text for form, s in styled.forms[style].items()} == plain, work.item["title"]
