"""Parse: the seed's parts land in the model; input that does not fit is a located error."""

import pytest

from scripts.errors import PipelineError
from scripts.model import Repaired
from scripts.parse import make_anchor, parse
from scripts.repair import repair


@pytest.fixture(scope="module")
def seed(seed_text):
    return parse(repair(seed_text), "seed.txt")


def _page(*lines):
    return Repaired("\n\n".join(lines))


HEAD = ("Credit line, © someone.", "A Title", "A DISCUSSION OF", "Some Article", "Read Responses From")


def test_seed_title_article_and_credit(seed):
    assert seed.title == "Balancing Research Security and Openness"
    assert seed.responds_to == "The Trap of Securitizing Science"
    assert seed.image_credit.startswith("Yulia Pinkusevich, \"Nuclear Sun Series\" (2010)")
    assert seed.image_credit.endswith("© Yulia Pinkusevich.")


def test_seed_page_chrome_is_recognised_not_published(seed):
    assert seed.chrome == ("A DISCUSSION OF", "Read Responses From")
    texts = [p.text for letter in seed.letters for p in letter.paragraphs]
    assert not any(t in ("A DISCUSSION OF", "Read Responses From") for t in texts)


def test_seed_has_three_letters_of_5_7_and_4_paragraphs(seed):
    assert [len(letter.paragraphs) for letter in seed.letters] == [5, 7, 4]
    assert [[p.number for p in letter.paragraphs] for letter in seed.letters][1] == [1, 2, 3, 4, 5, 6, 7]


def test_seed_pull_quotes_repeat_their_own_letter(seed):
    for letter in seed.letters:
        (quote,) = letter.pull_quotes
        repeated = next(p for p in letter.paragraphs if p.anchor == quote.repeats)
        assert quote.text in repeated.text
    assert seed.letters[0].pull_quotes[0].text.startswith("It is easier (and faster)")


def test_seed_signatures_as_printed(seed):
    assert seed.letters[0].signature == (
        "Head, Lise Meitner Research Group-China in the Global System of Science",
        "Max Planck Institute for the History of Science, Berlin",
        "Professor II, Department of Culture Studies and Oriental Languages",
        "University of Oslo",
    )
    assert seed.letters[1].signature[-1] == "Fudan University, Shanghai, China"
    assert seed.letters[2].signature == (
        "Non-Resident Research Fellow", "Quincy Institute for International Statecraft")


def test_letters_are_labelled_by_signature_not_by_invented_names(seed):
    assert [letter.label for letter in seed.letters] == [
        "Letter 1 — signed: Head, Lise Meitner Research Group-China in the Global System of Science",
        "Letter 2 — signed: Professor, School of International Relations and Public Affairs",
        "Letter 3 — signed: Non-Resident Research Fellow",
    ]


def test_seed_citation_block(seed):
    c = seed.citation
    assert c.heading == "Cite this Article"
    assert c.text == ("“Balancing Research Security and Openness.” "
                      "Issues in Science and Technology 41, no. 2 (Winter 2025).")
    assert c.issue == "Vol. XLI, No. 2, Winter 2025"
    assert (c.journal, c.volume, c.number, c.season, c.year) == (
        "Issues in Science and Technology", "41", "2", "Winter", "2025")


def test_paragraph_lines_point_into_the_source(seed, seed_text):
    lines = repair(seed_text).text.split("\n")
    for letter in seed.letters:
        for p in letter.paragraphs:
            assert lines[p.line - 1] == p.text


def test_anchors_are_unique_and_from_the_paragraphs_own_words(seed):
    for letter in seed.letters:
        anchors = [p.anchor for p in letter.paragraphs]
        assert len(set(anchors)) == len(anchors)
    assert seed.letters[0].paragraphs[2].anchor == "p-individual-analyses-that-claim-to"


def test_anchor_collisions_get_a_suffix():
    taken = set()
    assert [make_anchor("Same start here and more", taken) for _ in range(3)] == [
        "p-same-start-here-and-more", "p-same-start-here-and-more-2", "p-same-start-here-and-more-3"]


def test_a_letter_without_signature_at_the_end_is_kept():
    d = parse(_page(*HEAD, "First letter text.", "Signer", "Second letter, unsigned."), "f.txt")
    assert [letter.signature for letter in d.letters] == [("Signer",), ()]
    assert d.letters[1].label == "Letter 2 (unsigned)"
    assert d.citation is None


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (HEAD, "error: f.txt:9: no letters found"),
        (("Just a line.",), "error: f.txt:1: no 'A DISCUSSION OF' line"),
        (("A DISCUSSION OF", "Article", "Text."), "error: f.txt:1: no title before 'A DISCUSSION OF'"),
        ((*HEAD, "Body.", "Signer", "Cite this Article"), "error: f.txt:15: 'Cite this Article' with no citation"),
    ],
)
def test_input_that_does_not_fit_is_a_located_one_line_error(lines, message):
    with pytest.raises(PipelineError) as err:
        parse(_page(*lines), "f.txt")
    assert err.value.format().startswith(message)
