"""Locate: where in the published discussion each repair falls (a letter's paragraph, its signature, the title…).

The repair log knows the source's line and column; readers know letters and paragraphs. This pass reads the
model only (every published piece carries its source line: ``Paragraph.line``, ``PullQuote.line``,
``Letter.signature_lines`` and ``Discussion.lines`` for the lines outside the letters) and gives each change its
``Place``, which "About this edition" and the single-file edition print beside line:column and link to.
Each source line is one piece of the page (parse.py reads a line as one paragraph, quote or signature line),
so a line number is enough.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scripts.model import SIGNATURE_ANCHOR, Change, Discussion, Letter, Paragraph

PARAGRAPH, PULL_QUOTE, SIGNATURE = "paragraph", "pull quote", "signature"


@dataclass(frozen=True)
class Place:
    """A piece of the published discussion: ``part`` (a paragraph, a pull quote, a signature line, or one of
    model's parts outside the letters), with its letter and paragraph where it has them (for a pull quote, the
    paragraph it repeats)."""

    part: str
    letter: Letter | None = None
    paragraph: Paragraph | None = None

    @property
    def label(self) -> str:
        """How a reader finds it.

        >>> p = Paragraph("p-a", 4, "A.", 9)
        >>> l = Letter("letter-2", 2, (p,), (), (), 9)
        >>> Place(PARAGRAPH, l, p).label, Place(PULL_QUOTE, l, p).label, Place(SIGNATURE, l).label
        ('Letter 2, ¶4', 'Letter 2, pull quote (repeats ¶4)', 'Letter 2, signature')
        >>> Place("image credit").label
        'Image credit'
        """
        if self.letter is None:
            return self.part[:1].upper() + self.part[1:]
        if self.part == PARAGRAPH and self.paragraph:
            return f"Letter {self.letter.number}, ¶{self.paragraph.number}"
        if self.part == PULL_QUOTE and self.paragraph:
            return f"Letter {self.letter.number}, pull quote (repeats ¶{self.paragraph.number})"
        return f"Letter {self.letter.number}, {self.part}"

    @property
    def anchor(self) -> str:
        """The id of the element on its letter's page ("" outside the letters)."""
        if self.letter is None:
            return ""
        return self.paragraph.anchor if self.paragraph else SIGNATURE_ANCHOR


@dataclass(frozen=True)
class Located:
    """A repair and the place it falls in (None: a line the model does not publish, which parse never leaves)."""

    change: Change
    place: Place | None


def places(discussion: Discussion) -> dict[int, Place]:
    """Every published source line of ``discussion``, by line number."""
    found = {line: Place(part) for line, part in discussion.lines}
    for letter in discussion.letters:
        paragraphs = {p.anchor: p for p in letter.paragraphs}
        found |= {p.line: Place(PARAGRAPH, letter, p) for p in letter.paragraphs}
        found |= {q.line: Place(PULL_QUOTE, letter, paragraphs.get(q.repeats)) for q in letter.pull_quotes}
        found |= {line: Place(SIGNATURE, letter) for line in letter.signature_lines}
    return found


def locate(discussion: Discussion) -> tuple[Located, ...]:
    """Each of the discussion's repairs with its place, in the log's order."""
    where = places(discussion)
    return tuple(Located(change, where.get(change.line)) for change in discussion.changes)


def repair_rows(discussion: Discussion, href: Callable[[Place], str]) -> list[dict]:
    """The repairs table's rows (templates/_blocks.html ``repairs_table``): each change, where it falls and a link
    there, ``href`` giving a place's address in the page the table is printed in (the site's notes page or the
    single-file edition)."""
    return [{"change": r.change, "where": r.place.label if r.place else "",
             "href": href(r.place) if r.place else ""} for r in locate(discussion)]
