"""Locate: each repair named by the letter and paragraph (or signature, title, printed citation) it falls in."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scripts.edition import place_href
from scripts.locate import locate, places
from scripts.model import Change, Repaired
from scripts.parse import parse
from scripts.render import render_notes
from scripts.repair import repair

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source_texts" / "000_6e33bdd6549d7394.txt"

# A small page, one piece a line (forum_page's shape, written out so each line number can be read off).
PAGE = "\n".join([
    "Photo: someone.",                                      # 1
    "A Title",                                              # 2
    "A DISCUSSION OF",                                      # 3
    "The Article",                                          # 4
    "Read Responses From",                                  # 5
    "Alpha beta gamma delta. Epsilon zeta eta theta.",      # 6  letter 1, paragraph 1
    "Epsilon zeta eta theta.",                              # 7  its pull quote
    "Second paragraph here is prose.",                      # 8  letter 1, paragraph 2
    "Professor",                                            # 9  letter 1's signature
    "Some University",                                      # 10
    "Another letter's only paragraph.",                     # 11 letter 2, paragraph 1
    "Fellow",                                               # 12 letter 2's signature
    "Cite this Article",                                    # 13
    "“A Title.” Issues in Science and Technology 41, no. 2 (Winter 2025).",  # 14
    "Vol. XLI, No. 2, Winter 2025",                         # 15
]) + "\n"


@pytest.fixture(scope="module")
def small():
    changes = tuple(Change(line, 1, "x", "y", "test") for line in range(1, 16))
    return parse(Repaired(PAGE, changes), "small.txt")


@pytest.mark.parametrize(("line", "label", "anchor"), [
    (1, "Image credit", ""),
    (2, "Title", ""),
    (3, "Page navigation", ""),
    (4, "Article discussed", ""),
    (5, "Page navigation", ""),
    (6, "Letter 1, ¶1", "p-alpha-beta-gamma-delta-epsilon"),
    (7, "Letter 1, pull quote (repeats ¶1)", "p-alpha-beta-gamma-delta-epsilon"),
    (8, "Letter 1, ¶2", "p-second-paragraph-here-is-prose"),
    (9, "Letter 1, signature", "signature"),
    (10, "Letter 1, signature", "signature"),
    (11, "Letter 2, ¶1", "p-another-letters-only-paragraph"),
    (12, "Letter 2, signature", "signature"),
    (13, "Citation heading", ""),
    (14, "Printed citation", ""),
    (15, "Printed issue", ""),
])
def test_every_line_of_a_small_page_has_its_place(small, line, label, anchor):
    place = places(small)[line]
    assert (place.label, place.anchor) == (label, anchor)


def test_each_change_is_located_in_the_logs_order(small):
    located = locate(small)
    assert [r.change.line for r in located] == list(range(1, 16))
    assert all(r.place is not None for r in located)


# Read off the seed by hand: line 14 is letter 1's third paragraph ("Individual analyses…"), line 38 letter 2's
# fourth ("Shih and Wagner argue convincingly…", after the pull quote on line 36), line 54 letter 3's pull quote
# (repeating its second paragraph, line 52), line 56 letter 3's third paragraph, line 1 the image credit and
# line 66 the citation printed under "Cite this Article".
SEED_REPAIRS = [
    ((1, 112), "Image credit", "", "#rights"),
    ((14, 1313), "Letter 1, ¶3", "../letter-1/#p-individual-analyses-that-claim-to",
     "#letter-1-p-individual-analyses-that-claim-to"),
    ((38, 350), "Letter 2, ¶4", "../letter-2/#p-shih-and-wagner-argue-convincingly",
     "#letter-2-p-shih-and-wagner-argue-convincingly"),
    ((54, 108), "Letter 3, pull quote (repeats ¶2)", "../letter-3/#p-the-simple-fact-is-that",
     "#letter-3-p-the-simple-fact-is-that"),
    ((56, 1436), "Letter 3, ¶3", "../letter-3/#p-shih-and-wagner-are-right", "#letter-3-p-shih-and-wagner-are-right"),
    ((66, 1), "Printed citation", "#printed-citation", "#citation"),
]


@pytest.fixture(scope="module")
def seed():
    return parse(repair(SEED.read_text(encoding="utf-8")), SEED.name)


@pytest.fixture(scope="module")
def notes_rows(seed):
    page = BeautifulSoup(render_notes(seed), "html.parser")
    return {row.find_all("td")[1].get_text(): row.find_all("td")[0] for row in page.select(".repairs tbody tr")}


@pytest.mark.parametrize(("at", "label", "site_href", "edition_href"), SEED_REPAIRS)
def test_seed_repairs_name_their_letter_and_paragraph(seed, notes_rows, at, label, site_href, edition_href):
    located = next(r for r in locate(seed) if (r.change.line, r.change.column) == at)
    assert located.place.label == label
    assert place_href(located.place) == edition_href
    cell = notes_rows[f"{at[0]}:{at[1]}"]
    assert cell.get_text() == label
    link = cell.find("a")
    assert (link["href"] if link else "") == site_href


def test_every_seed_repair_is_located(seed):
    assert [r.place is not None for r in locate(seed)] == [True] * 37
