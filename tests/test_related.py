"""Related passages: the pairs of paragraphs a reader would follow between letters, judged by reading the
letters, against what scripts/related.py computes and what see_also.yml adds or hides; names recognised as
names; hand-made links winning over computed ones; see_also.yml checked."""

from pathlib import Path

import pytest

from scripts.annotate import annotate, load_glossary
from scripts.cite import Citer
from scripts.errors import PipelineError
from scripts.model import Related, passage_key
from scripts.parse import parse
from scripts.related import features, names
from scripts.render import render_letter
from scripts.repair import repair
from scripts.see_also import load_see_also

from conftest import ROOT

SEE_ALSO = ROOT / "see_also.yml"
SLUG = "balancing-research-security-and-openness"

RELATED = "related"      # they argue about the same matter, and the computation finds it
BY_HAND = "by hand"      # they argue about the same matter in other words: see_also.yml links them
UNRELATED = "unrelated"  # they share words, not an argument: never shown
HIDDEN = "hidden"        # they share words, not an argument, but the computation links them: see_also.yml hides it

# (letter, paragraph), (letter, paragraph), judgement, why: every pair judged by reading both paragraphs.
PAIRS = [
    ((2, 3), (3, 3), RELATED, "both on the lapse of the 1979 US-China science agreement (letter 3 asks for its "
                              "renewal) and on decoupling"),
    ((2, 1), (3, 3), RELATED, "decoupling: letter 2 finds it likely, letter 3 says US leaders want it"),
    ((1, 2), (2, 5), RELATED, "what drives securitization: an information deficit (letter 1), suspicions that "
                              "better research governance in China could counter (letter 2)"),
    ((1, 1), (2, 3), RELATED, "the costs of securitization that Shih and Wagner warn of; letter 2 sets out the "
                              "economic ones"),
    ((1, 1), (2, 4), RELATED, "securitization's cost to the progress of science (letter 1), over-securitization "
                              "eroding the principles that underpin scientific progress (letter 2)"),
    ((2, 2), (3, 3), BY_HAND, "collaboration produces better science: more citations (letter 2), synergies "
                              "(letter 3); they share no rare word"),
    ((1, 3), (2, 5), BY_HAND, "against suspecting every Chinese scholar: case-by-case reviews (letter 1), no broad "
                              "generalizations that stigmatize scholars from China (letter 2)"),
    ((1, 3), (3, 3), BY_HAND, "the risks are overstated: the sharpest warnings get the biggest stage (letter 1), "
                              "leaders overstate the risks (letter 3)"),
    ((3, 4), (2, 3), UNRELATED, "only 'Department': the State Department's S&T staff against the Department of "
                                "Justice's China Initiative"),
    ((3, 2), (2, 3), UNRELATED, "'Department' and 'China': how the US undervalues S&T cooperation, against the "
                                "economic costs of securitization"),
    ((3, 1), (2, 5), UNRELATED, "only 'United States': an NSTC report on mismanaged S&T agreements, against "
                                "dialogue between scientific communities"),
    ((3, 4), (2, 5), UNRELATED, "only 'United States': staffing the State Department, against scientific "
                                "communities' dialogue"),
    ((1, 1), (2, 1), UNRELATED, "only the article's title and authors: a European perspective announced, "
                                "against US-China decoupling"),
    ((1, 1), (3, 1), UNRELATED, "only the article's authors: a European perspective, against the NSTC report"),
    ((2, 7), (3, 3), UNRELATED, "only 'Shih and Wagner': a closing note of hope, against the case for renewing "
                                "the agreement"),
    ((1, 2), (2, 3), UNRELATED, "'securitization' and 'China', the whole discussion's subject: what drives it, "
                                "against what it costs"),
    ((2, 6), (3, 1), UNRELATED, "two US science bodies (NSF's SECURE, the NSTC) on different matters: research "
                                "integrity, S&T agreements"),
    ((1, 4), (3, 1), UNRELATED, "'managers' only: European science managers' blanket measures, against the NSTC "
                                "report"),
    ((1, 5), (3, 2), UNRELATED, "'international cooperation', 'recognized', 'increasingly': words, not a shared "
                                "argument (funding screening, against the US undervaluing cooperation)"),
    ((2, 3), (3, 1), UNRELATED, "'US' only: the China Initiative's costs, against the NSTC report"),
    ((1, 2), (2, 4), HIDDEN, "'securitization' and 'cooperation' alone: what drives securitization, against "
                             "what it erodes"),
]


@pytest.fixture(scope="module")
def seed(seed_text):
    return parse(repair(seed_text), "seed.txt")


@pytest.fixture(scope="module")
def terms():
    return load_glossary(ROOT / "glossary.yml")


@pytest.fixture(scope="module")
def computed(seed, terms):
    return annotate([seed], terms, ROOT / "glossary.yml").related


@pytest.fixture(scope="module")
def published(seed, terms):
    return annotate([seed], terms, ROOT / "glossary.yml", load_see_also(SEE_ALSO), SEE_ALSO).related


def _key(d, letter: int, paragraph: int):
    found = d.letters[letter - 1]
    return passage_key(d, found, found.paragraphs[paragraph - 1])


def _link(related, d, a, b) -> Related | None:
    """The link from a to b, checking that b lists a the same way."""
    ka, kb = _key(d, *a), _key(d, *b)
    there = next((r for r in related.get(ka, ()) if r.key == kb), None)
    back = next((r for r in related.get(kb, ()) if r.key == ka), None)
    assert (there is None) == (back is None) and (not there or there.reason == back.reason)
    return there


@pytest.mark.parametrize(("a", "b", "judged", "why"), PAIRS, ids=[f"{a}-{b} {j}" for a, b, j, _ in PAIRS])
def test_computed_links_follow_the_judged_table(computed, seed, a, b, judged, why):
    link = _link(computed, seed, a, b)
    if judged in (RELATED, HIDDEN):
        assert link is not None, why
        assert link.reason.startswith("both discuss: ") and not link.by_hand
    elif judged == UNRELATED:
        assert link is None, f"{why}: linked by {link.reason!r}"


@pytest.mark.parametrize(("a", "b", "judged", "why"), PAIRS, ids=[f"{a}-{b} {j}" for a, b, j, _ in PAIRS])
def test_published_links_follow_the_judged_table(published, seed, a, b, judged, why):
    link = _link(published, seed, a, b)
    if judged in (RELATED, BY_HAND):
        assert link is not None, why
        assert link.by_hand == (judged == BY_HAND)
    else:
        assert link is None, f"{why}: linked by {link.reason!r}"


def test_the_table_judges_enough_pairs_of_each_kind():
    kinds = [judged for _, _, judged, _ in PAIRS]
    assert kinds.count(RELATED) + kinds.count(BY_HAND) >= 8 and kinds.count(UNRELATED) + kinds.count(HIDDEN) >= 8


def test_reasons_name_what_is_shared_as_printed_never_the_article_or_a_split_name(published):
    reasons = {r.reason for items in published.values() for r in items}
    assert reasons
    for text in reasons:
        assert not any(word in text for word in ("Shih", "Wagner", "Trap", "States, United", "Department,")), text
        assert len(text) <= 120, text
    assert ("both discuss: US-China Agreement on Cooperation in Science and Technology (1979), decoupling"
            in reasons)


def test_a_paragraph_lists_its_hand_made_links_first_and_at_most_three_computed(published):
    for key, items in published.items():
        flags = [r.by_hand for r in items]
        assert flags == sorted(flags, reverse=True), key
        assert sum(not f for f in flags) <= 3
        assert all(r.key[1] != key[1] for r in items)  # never within one letter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The United States has failed.", ["United States"]),
        ("the US Department of Justice’s China Initiative", ["US Department of Justice", "China Initiative"]),
        ("people in the Department of State and the State Department", ["Department of State", "State Department"]),
        ("China’s leader, Xi Jinping, remains intent", ["China", "Xi Jinping"]),
        ("Scientific communities must act. Decoupling undermines it.", []),
        ("Here I would like to add a European perspective.", ["European"]),
        ("It works. China must address global concerns.", ["China"]),
        ("in the US-China and China-US record", ["US-China", "China-US"]),
    ],
    ids=["run of capitals", "possessive ends a name", "two names", "name after a comma", "sentence starts",
         "pronoun", "name at a sentence start", "joined names"],
)
def test_names_are_runs_of_capitalised_words_not_sentence_starts(text, expected):
    proper = {"china", "united", "states", "us", "department", "state", "xi", "jinping", "european"}
    assert [name for name, _, _ in names(text, proper)] == expected


def test_one_name_printed_two_ways_is_one_feature_and_the_articles_authors_none():
    found = features("US-China ties and China-US papers, as Shih and Wagner say", (), {}, {"china", "us"},
                     {"shih", "wagner", "and"})
    assert [f.key for f in found.values() if f.kind == "name"] == ["name:china-us"]


def _hand(tmp_path, text: str) -> tuple[Path, tuple]:
    path = tmp_path / "see_also.yml"
    path.write_text(text, encoding="utf-8")
    return path, load_see_also(path)


def _pair(a, b, extra: str) -> str:
    return (f"- discussion: {SLUG}\n  between:\n    - {{letter: {a[0]}, paragraph: {a[1]}}}\n"
            f"    - {{letter: {b[0]}, paragraph: {b[1]}}}\n{extra}")


def test_a_hand_made_note_replaces_the_computed_reason(tmp_path, seed, terms):
    path, hand = _hand(tmp_path, _pair((2, 3), (3, 3), "  note: both on the 1979 agreement\n"))
    link = _link(annotate([seed], terms, "glossary.yml", hand, path).related, seed, (2, 3), (3, 3))
    assert (link.reason, link.by_hand) == ("both on the 1979 agreement", True)


def test_hide_removes_a_computed_link_and_a_hand_made_one_is_shown_whatever_its_score(tmp_path, seed, terms):
    path, hand = _hand(tmp_path, _pair((2, 3), (3, 3), "  hide: true\n")
                       + _pair((3, 4), (2, 3), "  note: two departments\n"))
    related = annotate([seed], terms, "glossary.yml", hand, path).related
    assert _link(related, seed, (2, 3), (3, 3)) is None
    assert _link(related, seed, (3, 4), (2, 3)).reason == "two departments"


def test_a_paragraph_can_be_named_by_its_anchor(tmp_path, seed, terms):
    anchor = seed.letters[2].paragraphs[3].anchor
    path, hand = _hand(tmp_path, _pair((1, 5), (3, f"{anchor}"), "  note: capacity for S&T cooperation\n"))
    link = _link(annotate([seed], terms, "glossary.yml", hand, path).related, seed, (1, 5), (3, 4))
    assert link.reason == "capacity for S&T cooperation"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_pair((2, 3), (3, 9), "  note: n\n"), ":4: link #1: letter 3 of '" + SLUG + "' has no paragraph 9"),
        (_pair((4, 1), (3, 1), "  note: n\n"), ":3: link #1: '" + SLUG + "' has no letter 4"),
        (_pair((2, 3), (3, "p-no-such-words"), "  note: n\n"),
         ":4: link #1: letter 3 of '" + SLUG + "' has no paragraph 'p-no-such-words'"),
        (_pair((2, 3), (2, 4), "  note: n\n"),
         ":1: link #1: both paragraphs are in letter 2; a link joins two letters"),
        (_pair((2, 3), (3, 3), "  note: n\n") + _pair((3, 3), (2, 3), "  hide: true\n"),
         ":6: link #2: the same two paragraphs as link #1"),
    ],
    ids=["no such paragraph", "no such letter", "no such anchor", "one letter", "pair twice"],
)
def test_a_link_the_sources_cannot_have_is_one_line_naming_it(tmp_path, seed, terms, text, message):
    path, hand = _hand(tmp_path, text)
    with pytest.raises(PipelineError) as err:
        annotate([seed], terms, "glossary.yml", hand, path)
    assert err.value.format() == f"error: {path}{message}"


def test_no_file_is_no_links_and_the_real_file_names_only_real_paragraphs(tmp_path, seed, terms):
    assert load_see_also(tmp_path / "see_also.yml") == () and load_see_also(None) == ()
    hand = load_see_also(SEE_ALSO)
    assert hand and all(link.note for link in hand)
    annotate([seed], terms, "glossary.yml", hand, SEE_ALSO)  # raises if a paragraph is not there


def test_another_source_never_changes_a_discussions_links(seed, terms, published):
    other_path = next(iter(sorted((ROOT / "tests" / "fixtures" / "sources").glob("*.txt"))))
    other = parse(repair(other_path.read_text(encoding="utf-8")), other_path.name)
    together = annotate([seed, other], terms, "glossary.yml", load_see_also(SEE_ALSO), SEE_ALSO).related
    assert {k: v for k, v in together.items() if k[0] == seed.slug} == published and other.slug != seed.slug


def test_a_note_is_printed_as_text_beside_its_link(tmp_path, seed, terms):
    path, hand = _hand(tmp_path, _pair((2, 3), (3, 3), "  note: '<script>alert(1)</script> & <b>more</b>'\n"))
    page = render_letter(seed, seed.letters[2], annotate([seed], terms, "glossary.yml", hand, path),
                         Citer().citations(seed))
    assert "<script>" not in page and "<b>" not in page
    assert "(&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;more&lt;/b&gt;)</span>" in page
    assert 'href="../letter-2/#p-the-economic-costs-of-securitization">Letter 2, paragraph 3</a>' in page
