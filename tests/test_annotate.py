"""Annotate: glossary data checked, terms found on whole words (longest first, any case,
plurals), the text never changed, related passages computed."""

from pathlib import Path

import pytest

from scripts.annotate import annotate, find_mentions, load_glossary, term_pattern, unused_warnings
from scripts.errors import PipelineError
from scripts.model import Term, passage_key, signature_key
from scripts.parse import parse
from scripts.repair import repair

from conftest import ROOT

DATA = Path(__file__).parent / "data"


def _term(term_id, *variants, exact=()):
    return Term(term_id, variants[0] if variants else exact[0], variants, "short", "def", (), exact=exact)


def _found(text, *terms):
    return [(m.term, text[m.start : m.end], m.marked) for m in find_mentions(text, term_pattern(terms))]


@pytest.fixture(scope="module")
def seed(seed_text):
    return parse(repair(seed_text), "seed.txt")


@pytest.fixture(scope="module")
def real(seed):
    terms = load_glossary(ROOT / "glossary.yml")
    return terms, annotate([seed], terms, ROOT / "glossary.yml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a “united front” approach", [("uf", "united front", True)]),
        ("United Front work", [("uf", "United Front", True)]),
        ("two united fronts", [("uf", "united fronts", True)]),
        ("a united front and a united front", [("uf", "united front", True), ("uf", "united front", False)]),
        ("disunited frontier", []),
        ("united\u00a0front", [("uf", "united\u00a0front", True)]),
    ],
    ids=["as printed", "capitalised", "plural", "first marked", "partial word", "any space"],
)
def test_whole_words_any_case_and_plurals(text, expected):
    assert _found(text, _term("uf", "united front")) == expected


def test_longest_match_wins_so_a_term_is_never_found_inside_another():
    terms = (_term("s", "securitization"), _term("trap", "The Trap of Securitizing Science"),
             _term("sz", "securitizing"))
    text = "In “The Trap of Securitizing Science” securitizing and over-securitization"
    assert [t for t, _, _ in _found(text, *terms)] == ["trap", "sz", "s"]


def test_acronyms_and_exact_variants_match_only_as_written():
    terms = (_term("st", "S&T"), _term("issues", exact=("Issues",)))
    assert _found("S&T-related s&t (Issues, Fall) these issues", *terms) == [
        ("st", "S&T", True), ("issues", "Issues", True)]


# Names are not the things named after or by them: text the real glossary must leave unmarked (the essay's
# authors are not the essay; a school's name is not its university's), and the entry each must not link to.
NOT_A_TERM = {
    "the essay's authors": ("Tommy Shih and Caroline S. Wagner provide a long-overdue warning",
                            "trap-of-securitizing-science"),
    "an author alone": ("as Caroline S. Wagner argues", "trap-of-securitizing-science"),
    "letter 2's school": ("School of International Relations and Public Affairs", "fudan-university"),
    "another university's school": ("School of International Relations and Public Affairs, Shanghai International "
                                    "Studies University", "fudan-university"),
    "journal name in lower case": ("these issues remain open", "issues-in-science-and-technology"),
}


@pytest.mark.parametrize(("text", "term_id"), NOT_A_TERM.values(), ids=NOT_A_TERM.keys())
def test_a_name_never_links_to_a_different_thing(real, text, term_id):
    terms, _ = real
    found = [m.term for m in find_mentions(text, term_pattern(terms))]
    assert term_id not in found, (text, found)


def test_the_signature_lines_link_only_their_own_institutions(real, seed):
    """Every mention in a signature is the name of the institution whose entry it links to."""
    _, annotations = real
    linked = {}
    for letter in seed.letters:
        for i, line in enumerate(letter.signature):
            for m in annotations.mentions.get(signature_key(seed, letter, i), ()):
                linked[line[m.start:m.end]] = m.term
    assert linked == {
        "Lise Meitner Research Group-China in the Global System of Science": "lise-meitner-research-group",
        "Max Planck Institute for the History of Science": "mpiwg",
        "Fudan University": "fudan-university",
        "Quincy Institute for International Statecraft": "quincy-institute",
    }


def test_united_front_in_letter_1_is_annotated(real, seed):
    _, annotations = real
    letter = seed.letters[0]
    para = letter.paragraphs[2]
    mentions = annotations.mentions[passage_key(seed, letter, para)]
    uf = [m for m in mentions if m.term == "united-front"]
    assert len(uf) == 1 and uf[0].marked and para.text[uf[0].start : uf[0].end] == "united front"


def test_every_glossary_entry_occurs_and_the_required_terms_are_covered(real):
    terms, _ = real
    ids = {t.id for t in terms}
    assert len(terms) >= 21
    for t in terms:
        assert 2 <= t.definition.count(". ") + 1 <= 6, t.id  # a definition of a few sentences
        # a source is a page (http or https) or a book or chapter cited by its authors
        assert t.sources and all(s.url.startswith(("https://", "http://")) or (s.authors and not s.url)
                                 for s in t.sources), t.id
    assert {"united-front", "china-initiative", "dual-use", "securitization", "quincy-institute"} <= ids
    quincy = next(t for t in terms if t.id == "quincy-institute")
    assert any("Responsible Statecraft" in note for note in quincy.notes)


def test_annotation_never_changes_the_text(real, seed):
    _, annotations = real
    for letter in seed.letters:
        for p in letter.paragraphs:
            for m in annotations.mentions.get(passage_key(seed, letter, p), ()):
                assert 0 <= m.start < m.end <= len(p.text)


def test_related_passages_link_letters_that_discuss_the_same_matter(real, seed):
    _, annotations = real
    l2, l3 = seed.letters[1], seed.letters[2]
    # both letters on the 1979 agreement's lapse (letter 2 ¶3, letter 3 ¶3)
    key = passage_key(seed, l2, l2.paragraphs[2])
    assert passage_key(seed, l3, l3.paragraphs[2]) in [r.key for r in annotations.related[key]]
    # the opening paragraphs share only the article's title and authors: no link (tests/test_related.py has
    # the whole table of pairs judged related and unrelated)
    assert passage_key(seed, l3, l3.paragraphs[0]) not in annotations.related
    # never within one letter
    for key, items in annotations.related.items():
        assert all(r.key[1] != key[1] for r in items)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("- id: x\n  term: x\n  variants: [united front]\n  short: s\n  definition: d\n",
         "glossary.yml:1: entry 'x': missing sources"),
        ("- id: a\n  term: a\n  variants: [united front]\n  short: s\n  definition: d\n"
         "  sources: [{title: t, url: 'https://e.org', checked: '2026-11-30'}]\n"
         "- id: b\n  term: b\n  variants: [United Front]\n  short: s\n  definition: d\n"
         "  sources: [{title: t, url: 'https://e.org', checked: '2026-11-30'}]\n",
         "glossary.yml:7: entry 'b': variant 'United Front' is also claimed by 'a'"),
        ("- id: x\n  term: x\n  variants: [united front]\n  short: s\n  definition: ''\n"
         "  sources: [{title: t, url: 'https://e.org', checked: '2026-11-30'}]\n",
         "glossary.yml:5: entry 'x': definition: must not be empty"),
        ("- id: x\n  term: x\n  variants: [united front]\n  short: s\n  definition: d\n"
         "  sources: [{title: t, checked: '2026-11-30'}]\n",
         "glossary.yml:6: entry 'x': sources #1: missing url or authors"),
        ("- id: x\n  term: x\n  variants: [united front]\n  shrot: s\n  short: s\n  definition: d\n"
         "  sources: [{title: t, url: 'https://e.org', checked: '2026-11-30'}]\n",
         "glossary.yml:4: entry 'x': unknown field 'shrot' (known fields: id, term, variants, exact_variants, short, "
         "definition, notes, sources)"),
    ],
    ids=["no source", "variant claimed twice", "no definition", "source without url", "typo"],
)
def test_a_broken_entry_is_an_error_naming_it(tmp_path, yaml_text, message):
    path = tmp_path / "glossary.yml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PipelineError) as err:
        load_glossary(path)
    assert err.value.format().endswith(message)


def test_an_entry_that_occurs_in_no_source_is_a_warning_not_an_error(tmp_path, seed):
    path = tmp_path / "glossary.yml"
    path.write_text("- id: united-front\n  term: united front\n  variants: [united front]\n  short: s\n"
                    "  definition: d\n  sources: [{title: t, url: 'https://e.org', checked: '2026-11-30'}]\n"
                    "- id: ghost\n  term: ghost\n  variants: [quantum teleportation]\n  short: s\n"
                    "  definition: d\n  sources: [{title: t, url: 'https://e.org', checked: '2026-11-30'}]\n",
                    encoding="utf-8")
    annotations = annotate([seed], load_glossary(path), path)
    assert annotations.unused == ("ghost",)
    assert unused_warnings(annotations, path) == [
        f"warning: {path}:7: entry 'ghost' occurs in no source (variants: quantum teleportation); "
        "it is left out of the site"]


def test_a_term_no_discussion_uses_is_listed_as_unused(tmp_path, seed):
    terms = (Term("ghost", "ghost", ("quantum teleportation",), "s", "d", (), line=1),)
    assert annotate([seed], terms, "glossary.yml").unused == ("ghost",)


def test_the_real_glossary_has_no_unused_entry(real):
    _, annotations = real
    assert annotations.unused == () and unused_warnings(annotations, "glossary.yml") == []


def test_another_source_never_changes_a_discussions_related_passages(seed, real):
    terms, alone = real
    other_path = next(iter(sorted((ROOT / "tests" / "fixtures" / "sources").glob("*.txt"))))
    other = parse(repair(other_path.read_text(encoding="utf-8")), other_path.name)
    together = annotate([seed, other], terms, ROOT / "glossary.yml")
    mine = {k: v for k, v in together.related.items() if k[0] == seed.slug}
    assert mine == alone.related and other.slug != seed.slug
