"""Properties of repair and render, checked with hypothesis on generated text."""

from __future__ import annotations

import unicodedata

import ftfy
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from scripts.annotate import find_mentions, load_glossary, term_pattern
from scripts.markup import macro, segments
from scripts.model import Annotations, Paragraph
from scripts.repair import LOST_BYTES, TO_BYTE, repair

from conftest import ROOT
from corpus import damage
from sitebuild import words

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _damaged_is_thai_only(ch: str) -> bool:
    """Whether a character's damaged form is made of Thai letters only (e.g. U+0861 → เกก)."""
    return all(_thai(c) for c in damage(ch))


def round_trips(ch: str) -> bool:
    """Whether the damage of ``ch`` is lossless and unambiguous, so repair must give ``ch`` back.

    Excluded, and why:
    - a byte neither Windows-874 nor Windows-1252 defines (0x81, 0x8D, 0x8F, 0x90, 0x9D) is dropped
      by the damage: the lost byte is inferred only for punctuation that fits its neighbours, and
      otherwise marked (tested in test_bad_input.py), so it is no round trip;
    - characters the damaged decoder itself produces (Thai, €, Latin-1 letters such as Û, curly
      quotes…): text already containing them can look like damage, and the damage of text that
      contains them is ambiguous by construction;
    - characters whose damage is Thai letters only (U+0800–U+0FFF and others with lead byte
      0xE0 and Thai continuation bytes): repair.py's ``_drop_implausible`` deliberately keeps such
      runs as Thai unless the line has letters of another script and no genuine Thai, so beside
      ASCII letters they repair, alone they do not — the repair is conservative on purpose;
    - characters whose damage starts with a Latin letter (lead bytes 0xDB–0xDE decode as Û Ü Ý Þ):
      repaired only beside another damaged run, again on purpose (``_drop_implausible``);
    - controls, surrogates, private-use and unassigned code points: never what a writer typed,
      and repair refuses to decode to them.
    """
    if ch.isascii():
        return ch.isprintable() or ch in " \t"
    if unicodedata.category(ch) in {"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"}:
        return False
    raw = ch.encode("utf-8")
    return (not set(raw) & set(LOST_BYTES) and ch not in TO_BYTE and not _damaged_is_thai_only(ch)
            and not 0xDB <= raw[0] <= 0xDE)


ROUND_TRIP_TEXT = st.text(st.characters(codec="utf-8").filter(round_trips), max_size=40)


@SETTINGS
@given(ROUND_TRIP_TEXT)
@example("China’s “united front” — a ©")
@example("中文 😀, Ἑλλάς and ½")  # Thai-only damage (中 λ ½) is repaired here: the line has Latin letters
def test_repairing_the_damage_of_any_text_gives_it_back_where_the_round_trip_is_lossless(text):
    # Text that is itself damage of the kinds ftfy knows (e.g. "Ã©") is what ftfy repairs: not a round trip.
    assume(ftfy.fix_encoding(text) == text)
    fixed = repair(damage(text))
    assert fixed.text == text
    assert all(change.resolved for change in fixed.changes)


def test_the_round_trip_exclusions_are_what_the_repair_is_conservative_about():
    # The documented exclusions are real: each of these is left as it is, not repaired.
    assert repair(damage("\u0861")).text == damage("\u0861")  # Thai-only damage on its own stays Thai
    assert repair("ab " + damage("\u0861")).text == "ab \u0861"  # beside Latin letters it is repaired
    assert repair(damage("\u06c0")).text == damage("\u06c0")  # starts with Û: kept unless beside other damage


THAI = st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B).filter(lambda c: unicodedata.category(c) != "Cn")
SCRIPTS = st.one_of(
    st.characters(min_codepoint=0x0400, max_codepoint=0x04FF),  # Cyrillic
    st.characters(min_codepoint=0x0370, max_codepoint=0x03FF),  # Greek
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji and pictographs
    st.sampled_from("‘’“”–—…«»„ "),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
).filter(lambda c: unicodedata.category(c) != "Cn")


@SETTINGS
@given(st.text(st.one_of(THAI, st.sampled_from(" .,0123456789()")), min_size=1, max_size=60))
@example("ภาษาไทย ยก เกก")
def test_repair_never_changes_thai(text):
    fixed = repair(text)
    assert fixed.text == text and not fixed.changes


@SETTINGS
@given(st.text(SCRIPTS, min_size=1, max_size=60))
@example("“Привет”, Ἑλλάς — 中文 😀")
@example("Ξ‘ Ξ‘")  # one pair at a time is Greek (a Xi, a quotation mark): kept
@example("Ξ‘Ξ‘")  # two together are "ΑΑ" in UTF-8 read as Windows-1253: repaired, as ftfy repairs them
def test_repair_never_changes_text_that_is_not_mojibake(text):
    # Random Greek with quotation marks can be mojibake by chance, of a kind ftfy knows (as in the round trip above):
    # that text is repaired exactly as ftfy repairs it, and any other is left exactly as it is.
    fixed, ftfy_fixed = repair(text), ftfy.fix_encoding(text)
    assert fixed.text == ftfy_fixed and bool(fixed.changes) == (ftfy_fixed != text)


TERMS = load_glossary(ROOT / "glossary.yml")
MATCHER = term_pattern(TERMS)
VARIANTS = sorted(v for t in TERMS for v in t.variants)
PROSE = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
                | st.sampled_from(" \t<>&*_[]`{}#"), min_size=1, max_size=80)


def _words(fragment: str) -> list[str]:
    return words(BeautifulSoup(fragment, "html.parser").select_one(".para"))


@SETTINGS
@given(st.lists(st.one_of(PROSE, st.sampled_from(VARIANTS)), min_size=1, max_size=6))
@example(["<script>alert(1)</script> the united front &amp; ", "S&T", " *x* {{ y }}"])
def test_rendering_never_adds_drops_or_reorders_a_word_of_a_paragraph(parts):
    text = " ".join(parts).strip()
    assume(text)
    paragraph = Paragraph("p-x", 1, text, 1)
    annotations = Annotations(terms=TERMS)
    runs = segments(text, find_mentions(text, MATCHER), annotations)
    html = macro("_blocks.html", "paragraph")(paragraph, runs, lambda term: f"../../glossary/{term.id}/")
    assert _words(html) == text.split()
