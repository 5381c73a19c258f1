"""Repair: undo mojibake, and record every change as data.

The seed is UTF-8 that was decoded as Windows-874 (Thai), with bytes that code page
lacks decoded as Windows-1252 and bytes neither has dropped (or, in a variant, kept as
C1 control characters). ftfy 6.3 does not know this family, so this module undoes it
by real decoding; every family ftfy does know is handed to ftfy.

The shape follows ftfy's ``fix_and_explain``: each fixer is a pure function from a
line to a list of ``Edit`` s (spans of its input and what replaces them); the driver,
``repair``, applies the fixers in order until nothing changes and records each change
with its line, column, original characters, result and rule. ``apply_changes`` replays
the log on the original text, as ftfy's ``apply_plan`` replays an explanation.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import ftfy

from scripts.model import MARKER, UNRESOLVED, Change, Repaired

CP874_RULE = "cp874-utf8"
LOST_BYTE_RULE = "cp874-lost-byte"


def _sloppy_cp874() -> tuple[dict[str, int], bytes]:
    """Map each character the damaged decoder could produce back to its byte.

    Built from Python's own codecs, not a table of strings: Windows-874 for the bytes
    it defines, Windows-1252 for the bytes Windows-874 lacks, and the C1 control
    character U+0080+b for a byte that survived undecoded. Returns the map and the
    bytes that neither code page defines, which the damaged text lost.
    """
    to_byte: dict[str, int] = {}
    lost = []
    for byte in range(0x80, 0x100):
        for codec in ("cp874", "cp1252"):
            try:
                to_byte[bytes([byte]).decode(codec)] = byte
                break
            except UnicodeDecodeError:
                continue
        else:
            lost.append(byte)
        if byte <= 0x9F and chr(byte) not in to_byte:
            try:
                bytes([byte]).decode("cp874")
            except UnicodeDecodeError:
                to_byte[chr(byte)] = byte
    return to_byte, bytes(lost)


TO_BYTE, LOST_BYTES = _sloppy_cp874()

# Only these kinds of character are inferred for a lost byte: the rest (controls,
# format characters, spaces, symbols, connectors) are too rare in prose to be a
# confident guess, so such a sequence keeps a marker instead.
_INFERABLE = {"Pd", "Pe", "Pf", "Pi", "Po", "Ps"}
# Characters a complete sequence must never decode to: controls, unassigned,
# private-use and surrogate code points are never what the writer typed.
_NEVER = {"Cc", "Cn", "Co", "Cs"}


@dataclass(frozen=True)
class Edit:
    """A fixer's proposal: replace ``line[start:end]`` with ``result``."""

    start: int
    end: int
    result: str
    rule: str
    detail: str = ""


def _utf8_length(lead: int) -> int:
    """How many bytes a UTF-8 sequence that starts with ``lead`` has (0: not a lead byte)."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


# The characters that stand for a UTF-8 lead byte: where a damaged sequence can start (most of a line is not).
_LEADS = re.compile("[" + re.escape("".join(ch for ch, byte in TO_BYTE.items() if _utf8_length(byte))) + "]")


def _is_continuation(byte: int | None) -> bool:
    return byte is not None and 0x80 <= byte <= 0xBF


_THAI_BLOCK = ("\u0e00", "\u0e7f")
_THAI = re.compile(f"[{_THAI_BLOCK[0]}-{_THAI_BLOCK[1]}]")  # to find a line's Thai letters at once


def _is_thai(char: str) -> bool:
    return _THAI_BLOCK[0] <= char <= _THAI_BLOCK[1]


def _decode(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if unicodedata.category(text) in _NEVER else text


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')}"


@dataclass(frozen=True)
class _Sequence:
    """Characters of a line that re-encode to one UTF-8 sequence (perhaps one byte short)."""

    start: int
    end: int
    raw: bytes
    options: tuple[str, ...]
    lost: bool


def _with_one_lost_byte(raw: bytes, size: int) -> list[str]:
    """Every character that ``raw`` could be with one of the lost bytes put back."""
    found = []
    for position in range(1, size):
        for byte in LOST_BYTES:
            char = _decode(raw[:position] + bytes([byte]) + raw[position:])
            if char and char not in found:
                found.append(char)
    return found


def _find_sequences(line: str) -> list[_Sequence]:
    """Runs that re-encode (through the damaged decoder's code pages) to UTF-8 sequences."""
    found = []
    i = 0
    while lead_at := _LEADS.search(line, i):
        i = lead_at.start()
        lead = TO_BYTE[line[i]]
        size = _utf8_length(lead)
        tail = []
        j = i + 1
        while j < len(line) and len(tail) < size - 1 and _is_continuation(TO_BYTE.get(line[j])):
            tail.append(TO_BYTE[line[j]])
            j += 1
        raw = bytes([lead, *tail])
        if len(tail) == size - 1 and (char := _decode(raw)):
            found.append(_Sequence(i, j, raw, (char,), lost=False))
            i = j
            continue
        # One byte short, with at least one continuation byte still there: a lone
        # lead character is ordinary Thai text far more often than damage.
        if len(tail) == size - 2 and tail and (options := _with_one_lost_byte(raw, size)):
            found.append(_Sequence(i, j, raw, tuple(options), lost=True))
            i = j
            continue
        i += 1
    return found


def _drop_implausible(line: str, sequences: list[_Sequence]) -> list[_Sequence]:
    """Keep real text real: Thai that is Thai, Latin letters that are Latin.

    Thai letters outside every candidate sequence are genuine Thai. A candidate that
    touches genuine Thai is dropped (which may make more Thai genuine, so repeat). A
    candidate made only of Thai letters is kept only when it is complete, the line has
    no genuine Thai, and the line's other letters are of another script. A candidate
    that starts with a Latin letter (Û, Ü, Ý, Þ: bytes Windows-874 lacks) is ordinary
    Latin text far more often than damage, so it is kept only beside another candidate.
    """
    kept = list(sequences)
    while kept:
        context = _Context.of(line, kept)
        still = [seq for seq in kept if context.plausible(seq)]
        if len(still) == len(kept):
            return kept
        kept = still
    return kept


@dataclass(frozen=True)
class _Context:
    """What a line says about its candidate sequences: computed once per pass."""

    line: str
    genuine: frozenset[int]
    foreign_letters: bool
    starts: frozenset[int]
    ends: frozenset[int]

    @classmethod
    def of(cls, line: str, kept: list[_Sequence]) -> _Context:
        covered = bytearray(len(line))
        for seq in kept:
            covered[seq.start : seq.end] = b"\x01" * (seq.end - seq.start)
        genuine = frozenset(k for k in (m.start() for m in _THAI.finditer(line)) if not covered[k])
        foreign = any(ch.isalpha() and not _is_thai(ch) for k, ch in enumerate(line) if not covered[k])
        return cls(line, genuine, foreign, frozenset(s.start for s in kept), frozenset(s.end for s in kept))

    def plausible(self, seq: _Sequence) -> bool:
        if seq.start - 1 in self.genuine or seq.end in self.genuine:
            return False
        if all(_is_thai(ch) for ch in self.line[seq.start : seq.end]):
            return not seq.lost and not self.genuine and self.foreign_letters
        if not _is_thai(self.line[seq.start]):
            return seq.start in self.ends or seq.end in self.starts
        return True


def _fits(char: str, before: str, after: str) -> bool:
    """Whether a punctuation mark fits between its neighbours.

    A closing quote follows a non-space and is not followed by a letter; an opening
    quote precedes a non-space after a space or the line's start; a hyphen joins two
    letters or digits.
    """
    kind = unicodedata.category(char)
    if kind not in _INFERABLE:
        return False
    if kind == "Pf":
        return bool(before) and not before.isspace() and not after.isalnum()
    if kind == "Pi":
        return (not before or before.isspace()) and bool(after) and not after.isspace()
    if kind == "Pd":
        return before.isalnum() and after.isalnum()
    return True


def decode_cp874_mojibake(line: str) -> list[Edit]:
    """Undo UTF-8 read as Windows-874, one UTF-8 sequence at a time.

    >>> [e.result for e in decode_cp874_mojibake("Chinaโ€™s")]
    ['’']
    >>> [e.result for e in decode_cp874_mojibake("possibleโ€โ€”offers")]
    ['”', '—']
    >>> decode_cp874_mojibake("ภาษาไทย ยก")
    []
    """
    sequences = _drop_implausible(line, _find_sequences(line))
    resolved = {seq.start: seq.options[0] for seq in sequences if not seq.lost}
    edits = []
    for seq in sequences:
        found = " ".join(f"{b:02X}" for b in seq.raw)
        if not seq.lost:
            char = seq.options[0]
            edits.append(Edit(seq.start, seq.end, char, CP874_RULE, f"UTF-8 bytes {found} decoded: {_describe(char)}"))
            continue
        before = edits[-1].result[-1:] if edits and edits[-1].end == seq.start else line[seq.start - 1 : seq.start]
        after = resolved[seq.end] if seq.end in resolved else line[seq.end : seq.end + 1]
        fitting = [char for char in seq.options if _fits(char, before, after)]
        if len(fitting) == 1:
            char = fitting[0]
            edits.append(Edit(seq.start, seq.end, char, LOST_BYTE_RULE,
                              f"UTF-8 bytes {found} lack one byte; of {len(seq.options)} characters they could be,"
                              f" only {_describe(char)} fits between {before!r} and {after!r}"))
        else:
            names = ", ".join(_describe(c) for c in fitting) or "none"
            edits.append(Edit(seq.start, seq.end, MARKER, UNRESOLVED,
                              f"UTF-8 bytes {found} lack one byte; {len(fitting)} characters fit ({names}):"
                              " kept as a marker"))
    return edits


# ftfy with its encoding fixes on and everything else off: it keeps curly quotes,
# HTML entities, ligatures, widths, line breaks and normalization as they are.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=True,
)


def fix_known_mojibake(line: str) -> list[Edit]:
    """Hand the mojibake families ftfy knows to ftfy, and express its result as edits.

    >>> [(e.result, e.rule) for e in fix_known_mojibake("sÃ³")]
    [('ó', 'ftfy: encode latin-1, decode utf-8')]
    >>> fix_known_mojibake("“curly” quotes stay")
    []
    """
    fixed, steps = ftfy.fix_encoding_and_explain(line, FTFY_CONFIG)
    if fixed == line:
        return []
    rule = "ftfy: " + ", ".join(f"{action} {name}" for action, name in steps)
    edits = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, line, fixed, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if i1 == i2:  # a pure insertion: attach it to a neighbouring character
            if i1 > 0:
                i1, j1 = i1 - 1, j1 - 1
            else:
                i2, j2 = i2 + 1, j2 + 1
        edits.append(Edit(i1, i2, fixed[j1:j2], rule))
    return _merge_overlapping(edits)


def _merge_overlapping(edits: list[Edit]) -> list[Edit]:
    merged: list[Edit] = []
    for edit in edits:
        if merged and edit.start < merged[-1].end:
            last = merged.pop()
            edit = Edit(last.start, max(last.end, edit.end), last.result + edit.result, edit.rule)
        merged.append(edit)
    return merged


# The fixers, in the order the driver applies them.
FIXERS: tuple[tuple[str, Callable[[str], list[Edit]]], ...] = (
    ("cp874", decode_cp874_mojibake),
    ("ftfy", fix_known_mojibake),
)
MAX_PASSES = 4


@dataclass(frozen=True)
class _Piece:
    """A span of the original line and the text that now stands for it."""

    start: int
    end: int
    text: str
    rules: tuple[str, ...] = ()
    details: tuple[str, ...] = ()


def _apply(pieces: list[_Piece], edits: list[Edit]) -> list[_Piece]:
    """Apply edits (in current-text coordinates) to a line kept as pieces of the original."""
    cuts = {e.start for e in edits} | {e.end for e in edits}
    split: list[_Piece] = []
    offset = 0
    for piece in pieces:  # cut unchanged pieces at edit boundaries
        size = len(piece.text)
        if piece.rules:
            split.append(piece)
        else:
            marks = [0, *sorted(c - offset for c in cuts if offset < c < offset + size), size]
            split += [_Piece(piece.start + a, piece.start + b, piece.text[a:b]) for a, b in pairwise(marks) if b > a]
        offset += size
    result: list[_Piece] = []
    offset = 0
    todo = list(edits)
    group: list[tuple[int, _Piece]] = []
    for piece in split:
        size = len(piece.text)
        if todo and offset < todo[0].end and offset + size > todo[0].start:
            group.append((offset, piece))
        else:
            result.append(piece)
        offset += size
        if group and todo and offset >= todo[0].end:
            edit = todo.pop(0)
            (first_at, first), (last_at, last) = group[0], group[-1]
            text = first.text[: edit.start - first_at] + edit.result + last.text[edit.end - last_at :]
            rules = (*dict.fromkeys(r for _, p in group for r in p.rules), edit.rule)
            details = tuple(d for _, p in group for d in p.details) + ((edit.detail,) if edit.detail else ())
            result.append(_Piece(first.start, last.end, text, rules, details))
            group = []
    return result


def repair_line(line: str) -> tuple[str, list[_Piece]]:
    """Repair one line to a fixed point; return its text and the pieces that changed."""
    pieces = [_Piece(0, len(line), line)]
    for _ in range(MAX_PASSES):
        changed = False
        for _name, fixer in FIXERS:
            edits = fixer("".join(p.text for p in pieces))
            if edits:
                pieces = _apply(pieces, edits)
                changed = True
        if not changed:
            break
    return "".join(p.text for p in pieces), [p for p in pieces if p.rules]


def repair(text: str) -> Repaired:
    """Repair a whole text, line by line (newlines, including ``\\r\\n``, are kept).

    >>> fixed = repair("Science\\u0e42\\u20ac (Issues)")
    >>> fixed.text
    'Science\\u201d (Issues)'
    >>> [(c.line, c.column, c.rule) for c in fixed.changes]
    [(1, 8, 'cp874-lost-byte')]
    """
    lines = []
    changes = []
    for number, line in enumerate(text.split("\n"), start=1):
        fixed, pieces = repair_line(line)
        lines.append(fixed)
        for p in pieces:
            rule = " + ".join(p.rules)
            if any(r == UNRESOLVED for r in p.rules):
                rule = UNRESOLVED
            changes.append(Change(number, p.start + 1, line[p.start : p.end], p.text, rule, "; ".join(p.details)))
    return Repaired("\n".join(lines), tuple(changes))


def apply_changes(text: str, changes: tuple[Change, ...] | list[Change]) -> str:
    """Replay a change log on the original text (like ftfy's ``apply_plan``)."""
    lines = text.split("\n")
    for change in sorted(changes, key=lambda c: (c.line, c.column), reverse=True):
        line = lines[change.line - 1]
        start = change.column - 1
        if line[start : start + len(change.original)] != change.original:
            raise ValueError(f"line {change.line}, column {change.column}: log does not match the text")
        lines[change.line - 1] = line[:start] + change.result + line[start + len(change.original) :]
    return "\n".join(lines)
