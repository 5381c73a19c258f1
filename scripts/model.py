"""The document model: a few frozen dataclasses that every stage after parse reads.

Renderers read these and never re-parse text. Positions (``line``) are 1-based lines
of the source file, so every published piece can be traced back to where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scripts.cite import Cited

# The rule name of a change that could not be made with confidence: the text keeps
# a visible marker (U+FFFD) and the change is reported as unresolved.
UNRESOLVED = "cp874-lost-byte-unresolved"
MARKER = "\ufffd"


@dataclass(frozen=True)
class Change:
    """One repair: where it was, what was there, what replaced it, and which rule did it."""

    line: int
    column: int
    original: str
    result: str
    rule: str
    detail: str = ""

    @property
    def resolved(self) -> bool:
        return self.rule != UNRESOLVED

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "original": self.original,
            "result": self.result,
            "rule": self.rule,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Repaired:
    """The repair stage's output: the repaired text and the log of every change."""

    text: str
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Fact:
    """A fact from a metadata file, with where it comes from."""

    value: object
    source: str


@dataclass(frozen=True)
class Paragraph:
    """A numbered body paragraph of a letter."""

    anchor: str
    number: int
    text: str
    line: int


@dataclass(frozen=True)
class PullQuote:
    """A display quote that repeats a sentence of its own letter (``repeats`` is that paragraph's anchor)."""

    text: str
    line: int
    repeats: str


@dataclass(frozen=True)
class Letter:
    """One letter: its body paragraphs, pull quotes and signature lines, in source order."""

    slug: str
    number: int
    paragraphs: tuple[Paragraph, ...]
    pull_quotes: tuple[PullQuote, ...]
    signature: tuple[str, ...]
    line: int
    signature_lines: tuple[int, ...] = ()  # the source line of each signature line

    @property
    def institution(self) -> str:
        """The first institution the signature names (its second line), else its first line."""
        if not self.signature:
            return "unsigned"
        return self.signature[1] if len(self.signature) > 1 else self.signature[0]

    @property
    def label(self) -> str:
        """How the site names a letter: the source names no writer, so by its number and its signature's first line,
        as signed (never as if the institution had written it).

        >>> Letter("letter-3", 3, (), (), ("Non-Resident Research Fellow", "Quincy Institute"), 1).label
        'Letter 3 — signed: Non-Resident Research Fellow'
        >>> Letter("letter-2", 2, (), (), (), 1).label
        'Letter 2 (unsigned)'
        """
        if not self.signature:
            return f"Letter {self.number} (unsigned)"
        return f"Letter {self.number} — signed: {self.signature[0]}"


@dataclass(frozen=True)
class Citation:
    """The page's own "Cite this Article" block."""

    heading: str
    text: str
    issue: str
    line: int
    journal: str = ""
    volume: str = ""
    number: str = ""
    season: str = ""
    year: str = ""


@dataclass(frozen=True)
class Discussion:
    """A forum page: a title, the article it discusses, and its letters."""

    slug: str
    source: str
    title: str
    image_credit: str
    responds_to: str
    letters: tuple[Letter, ...]
    citation: Citation | None
    chrome: tuple[str, ...] = ()
    meta: dict[str, Fact] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()
    # The source lines outside the letters, by what they are (``PARTS``): (line, part), in source order.
    lines: tuple[tuple[int, str], ...] = ()

    def fact(self, key: str, default: object = None) -> object:
        fact = self.meta.get(key)
        return fact.value if fact else default

    def letter_fact(self, key: str, letter: Letter, default: object = None) -> object:
        """A per-letter fact's value for ``letter`` (``letter_authors``, ``letter_summaries``: a mapping keyed by the
        letter's number, as a number or a string, or by its slug, as meta.schema.json allows)."""
        value = self.fact(key) or {}
        return next((value[k] for k in (letter.number, str(letter.number), letter.slug) if k in value), default)


# What a source line outside the letters is (Discussion.lines).
IMAGE_CREDIT, TITLE, CHROME, RESPONDS_TO, CITATION_HEADING, CITATION_TEXT, CITATION_ISSUE = (
    "image credit", "title", "page navigation", "article discussed", "citation heading", "printed citation",
    "printed issue")
# The parts of the source's own "Cite this Article" block, printed on "About this edition" as received.
PRINTED_CITATION = frozenset({CITATION_HEADING, CITATION_TEXT, CITATION_ISSUE})


# A paragraph's identity across the whole site: (discussion slug, letter slug, anchor).
PassageKey = tuple[str, str, str]


# The id of a letter's signature block; its lines are annotated too (they name institutions).
SIGNATURE_ANCHOR = "signature"


def passage_key(discussion: Discussion, letter: Letter, paragraph: Paragraph) -> PassageKey:
    return (discussion.slug, letter.slug, paragraph.anchor)


def signature_key(discussion: Discussion, letter: Letter, line: int) -> PassageKey:
    """The key of a letter's signature line ``line`` (0-based)."""
    return (discussion.slug, letter.slug, f"{SIGNATURE_ANCHOR}-{line}")


@dataclass(frozen=True)
class Reference:
    """A public source a glossary definition rests on, with the fields of ``glossary.yml``'s sources."""

    title: str
    url: str = ""        # none for a book or chapter cited by its authors
    publisher: str = ""
    supports: str = ""
    checked: str = ""    # the ISO date its text was read against the definition
    authors: str = ""
    container: str = ""  # the book or journal issue a chapter or article is in
    year: str = ""


@dataclass(frozen=True)
class Term:
    """A glossary entry, as ``glossary.yml`` gives it."""

    id: str
    term: str
    variants: tuple[str, ...]
    short: str
    definition: str
    sources: tuple[Reference, ...]
    notes: tuple[str, ...] = ()
    line: int = 0
    # Variants matched only exactly as written: no other capitalisation, no plural
    # (for words that are ordinary in lower case, like the journal's short name "Issues").
    exact: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """An occurrence of a term in a paragraph's text: ``text[start:end]``.

    ``marked`` is true for the first occurrence of the term in its paragraph, the one
    the page annotates.
    """

    term: str
    start: int
    end: int
    marked: bool


@dataclass(frozen=True)
class Related:
    """A paragraph of another letter that discusses the same matter, and what they share.

    ``reason``: what the two share, in a few words (scripts/related.py names the strongest shared features; a
    hand-made link gives its note); ``by_hand``: the link comes from ``see_also.yml``, not from the text.
    """

    key: PassageKey
    reason: str
    score: float
    by_hand: bool = False


@dataclass(frozen=True)
class Annotations:
    """The annotate stage's output: the glossary, per paragraph its term mentions and
    related passages, and the terms that no source uses."""

    terms: tuple[Term, ...] = ()
    mentions: dict[PassageKey, tuple[Mention, ...]] = field(default_factory=dict)
    related: dict[PassageKey, tuple[Related, ...]] = field(default_factory=dict)
    unused: tuple[str, ...] = ()  # ids of terms that occur in no source (left out of the site, with a warning)

    def term(self, term_id: str) -> Term:
        return next(t for t in self.terms if t.id == term_id)


@dataclass(frozen=True)
class Hit:
    """One occurrence of a glossary term, as the glossary's pages list it: where, and the words around it."""

    term: str     # the term's id
    letter: str   # the letter's slug
    number: int   # the letter's number
    place: str    # "paragraph 3", "signature"
    anchor: str   # the paragraph's anchor, or SIGNATURE_ANCHOR
    before: str   # the text before the mention (its last words), the mention, the text after it (its first words)
    word: str
    after: str


@dataclass(frozen=True)
class Summary:
    """What the site-wide files (the home page, the glossary's pages, the navigation, passages.json) need of one
    discussion: data, never HTML, so that those files are rendered in one place, from the summaries of every
    discussion, however many there are (scripts/build.py makes it, scripts/generate.py keeps it between runs)."""

    discussion: Discussion  # its model in outline: each letter's first paragraph only, no repair log (build._outline)
    parsed_slug: str        # the slug its title gives (``discussion.slug`` may be longer: generate._unique_slug)
    cited: Cited            # the discussion's own citation (the home page's "Cite" block when it is the only one)
    rows: bytes             # its rows of passages.json, as UTF-8 JSON (render.passages_file joins them)
    hits: tuple[Hit, ...]   # every glossary term it uses, in reading order
    responds_term: str = ""  # the id of the glossary entry for the article it discusses ("" for none)
