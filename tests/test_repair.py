"""Repair: the seed's mojibake family undone by decoding, ftfy's families left to ftfy,
no false positives, a fixed point, and a log that replays."""

import json
import unicodedata
from collections import Counter
from pathlib import Path

import ftfy
import pytest

from scripts.model import MARKER, UNRESOLVED
from scripts.repair import CP874_RULE, LOST_BYTE_RULE, apply_changes, decode_cp874_mojibake, repair

DATA = Path(__file__).parent / "data"
PEER = DATA / "ftfy"  # ftfy's own cases, copied into the repository (tests/data/ftfy/README.md)
CASES = json.loads((DATA / "repair_cases.json").read_text(encoding="utf-8"))
NEGATIVES = json.loads((DATA / "repair_negatives.json").read_text(encoding="utf-8"))


def _peer(name):
    return json.loads((PEER / f"{name}.json").read_text(encoding="utf-8"))


WILD = _peer("in-the-wild")
NEGATIVE = _peer("negative")


def _expected(case):
    return case.get("fixed-encoding", case["fixed"])


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_repair_cases(case):
    assert repair(case["original"]).text == case["fixed"]


@pytest.mark.parametrize("case", NEGATIVES, ids=[c["label"] for c in NEGATIVES])
def test_text_that_is_not_mojibake_is_untouched(case):
    result = repair(case["text"])
    assert result.text == case["text"]
    assert result.changes == ()


def test_seed_all_37_damaged_sequences_repaired_and_logged(seed_text):
    result = repair(seed_text)
    assert Counter(c.result for c in result.changes) == {"—": 10, "’": 10, "“": 8, "”": 8, "©": 1}
    assert all(c.rule in (CP874_RULE, LOST_BYTE_RULE) for c in result.changes)
    # the eight closing quotes are the ones whose last byte was lost
    assert {c.result for c in result.changes if c.rule == LOST_BYTE_RULE} == {"”"}


def test_seed_has_no_mojibake_left(seed_text):
    text = repair(seed_text).text
    assert not [ch for ch in text if unicodedata.name(ch, "").startswith("THAI")]
    assert "€" not in text and MARKER not in text
    assert text.count("\n") == seed_text.count("\n")


def test_seed_log_positions_point_at_the_damage(seed_text):
    lines = seed_text.split("\n")
    for change in repair(seed_text).changes:
        at = lines[change.line - 1][change.column - 1 :]
        assert at.startswith(change.original)
    first = repair(seed_text).changes[0]
    assert (first.line, first.column, first.original, first.result) == (1, 112, "ยฉ", "©")


def test_repairing_repaired_text_changes_nothing(seed_text):
    once = repair(seed_text).text
    assert repair(once).text == once
    assert repair(once).changes == ()


def test_log_replays_to_the_repaired_text(seed_text):
    result = repair(seed_text)
    assert apply_changes(seed_text, result.changes) == result.text


def test_ambiguous_lost_byte_keeps_a_marker_and_reports_it():
    # E2 80 plus one lost byte, with a space on both sides: neither a closing quote
    # nor a hyphen fits, so no character is guessed.
    result = repair("a \u0e42\u20ac b")
    assert result.text == f"a {MARKER} b"
    (change,) = result.changes
    assert change.rule == UNRESOLVED and not change.resolved
    assert change.original == "\u0e42\u20ac"


def test_crlf_line_endings_are_kept():
    assert repair("Chinaโ€™s\r\nsecond\r\n").text == "China’s\r\nsecond\r\n"


@pytest.mark.parametrize("case", WILD, ids=[c["label"] for c in WILD])
def test_ftfy_in_the_wild_cases_at_least_as_well_as_ftfy(case):
    if ftfy.fix_encoding(case["original"]) == _expected(case):
        assert repair(case["original"]).text == _expected(case)


def test_ftfy_in_the_wild_score_is_at_least_ftfys():
    ours = sum(repair(c["original"]).text == _expected(c) for c in WILD)
    theirs = sum(ftfy.fix_encoding(c["original"]) == _expected(c) for c in WILD)
    assert ours >= theirs > 0


@pytest.mark.parametrize("case", NEGATIVE, ids=[c["label"] for c in NEGATIVE])
def test_ftfy_negative_cases_come_back_as_ftfy_says(case):
    assert repair(case["original"]).text == _expected(case)


@pytest.mark.parametrize("case", WILD + NEGATIVE, ids=[c["label"] for c in WILD + NEGATIVE])
def test_the_cp874_fixer_claims_nothing_of_other_families(case):
    assert decode_cp874_mojibake(case["original"]) == []
