"""Parse: turn a repaired forum page into the document model.

The page's shape, line by line (blank lines do not matter)::

    image credit                      (optional)
    title
    A DISCUSSION OF                   (page chrome, recognised and not published)
    title of the article discussed
    Read Responses From               (page chrome, optional)
    letter: prose paragraphs (one a line), pull quotes, then signature lines
    … more letters …
    Cite this Article                 (optional block)
    the citation
    Vol. …, No. …, Season Year

A pull quote is a line that repeats a sentence of another paragraph of its own letter.
A signature line is a short line that does not end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown.extensions.toc import slugify

from scripts import model
from scripts.errors import PipelineError
from scripts.model import Citation, Discussion, Fact, Letter, Paragraph, PullQuote, Repaired

DISCUSSION_OF = "a discussion of"
RESPONSES_FROM = "read responses from"
CITE_HEADING = "cite this article"
# The citation as the page prints it: “Title.” Journal 41, no. 2 (Winter 2025).
CITATION = re.compile(
    r"^[“\"](?P<title>.+?)[.,]?[”\"]\s+(?P<journal>.+?)\s+(?P<volume>\d+),\s+no\.\s+(?P<number>\d+)"
    r"\s+\((?:(?P<season>[A-Za-z]+)\s+)?(?P<year>\d{4})\)\.?$"
)
ISSUE_LINE = re.compile(r"^Vol\.\s+[IVXLC]+,\s+No\.\s+\d+", re.IGNORECASE)
# A signature line is short and does not end like a sentence.
SIGNATURE_MAX_WORDS = 16
SENTENCE_END = tuple(".!?…:;\"”’)]")
ANCHOR_WORDS = 5

NO_LETTERS = "no letters found: expected paragraphs followed by signature lines after the article's title"


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def _lines(text: str) -> list[_Line]:
    """Non-blank lines with their 1-based line numbers, outer whitespace removed."""
    return [_Line(n, line.strip()) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]


def _is_signature(text: str) -> bool:
    return len(text.split()) <= SIGNATURE_MAX_WORDS and not text.endswith(SENTENCE_END)


def _normal(text: str) -> str:
    return " ".join(text.split())


def make_anchor(text: str, taken: set[str], tried: dict[str, int] | None = None) -> str:
    """A stable id for a paragraph from its own first words, unique on its page.

    It depends only on the paragraph's text (and on earlier paragraphs with the same
    opening), so editing or adding other paragraphs never changes it. ``tried`` (kept by
    the caller across one page) remembers the last suffix tried for each opening, so a page
    with thousands of paragraphs opening alike does not retry every suffix each time
    (the result is the same: ``taken`` only grows, so a suffix once taken stays taken).

    >>> make_anchor("In “The Trap of Securitizing Science” (Issues, Fall 2024), Tommy", set())
    'p-in-the-trap-of-securitizing'
    """
    words = slugify(text, "-").split("-")
    base = "p-" + "-".join(w for w in words[:ANCHOR_WORDS] if w) if any(words) else "p"
    tried = {} if tried is None else tried
    n = tried.get(base, 1)
    anchor = base if n == 1 else f"{base}-{n}"
    while anchor in taken:
        n += 1
        anchor = f"{base}-{n}"
    tried[base] = n
    taken.add(anchor)
    return anchor


def _containing(texts: list[str]) -> list[int | None]:
    """For each text, the index of the first other, longer text that contains it, else None.

    This is what makes a line a pull quote. Comparing every line with every other is
    quadratic (minutes for a 5 MB page of one long letter), so candidates come from an
    index of words: a text's inner words (all but its first and last, which may be parts of
    words) are whole words of any text that contains it, so only the texts holding its
    rarest inner word are compared. Texts are whitespace-normalised, so words are split
    on single spaces. The answer is exactly that of the all-pairs comparison.

    >>> _containing(["a b c d.", "x a b c d. y", "b c", "q"])
    [1, None, 0, None]
    """
    postings: dict[str, list[int]] = {}
    for j, text in enumerate(texts):
        for word in set(text.split(" ")):
            postings.setdefault(word, []).append(j)
    everyone = range(len(texts))
    found: list[int | None] = []
    for i, text in enumerate(texts):
        inner = text.split(" ")[1:-1]
        candidates = min((postings[word] for word in inner), key=len) if inner else everyone
        found.append(next((j for j in candidates if j != i and len(texts[j]) > len(text) and text in texts[j]), None))
    return found


def _letter(number: int, prose: list[_Line], signature: list[_Line], width: int) -> Letter:
    """Split a letter's prose into numbered paragraphs and pull quotes."""
    texts = [_normal(line.text) for line in prose]
    paragraphs: list[Paragraph] = []
    quotes: list[tuple[_Line, int]] = []
    taken: set[str] = set()
    tried: dict[str, int] = {}
    for line, repeated in zip(prose, _containing(texts), strict=True):
        if repeated is not None:
            quotes.append((line, repeated))
        else:
            paragraphs.append(Paragraph(make_anchor(line.text, taken, tried), len(paragraphs) + 1, line.text,
                                        line.number))
    by_line = {p.line: p for p in paragraphs}
    pull_quotes = tuple(PullQuote(line.text, line.number, by_line[prose[j].number].anchor) for line, j in quotes)
    return Letter(
        slug=f"letter-{number:0{width}d}",
        number=number,
        paragraphs=tuple(paragraphs),
        pull_quotes=pull_quotes,
        signature=tuple(line.text for line in signature),
        line=prose[0].number,
        signature_lines=tuple(line.number for line in signature),
    )


def _split_letters(body: list[_Line]) -> list[tuple[list[_Line], list[_Line]]]:
    """Group body lines into (prose, signature) pairs: a letter ends with its signature."""
    groups: list[tuple[list[_Line], list[_Line]]] = []
    prose: list[_Line] = []
    signature: list[_Line] = []
    for line in body:
        if _is_signature(line.text):
            signature.append(line)
            continue
        if signature:
            if not prose:
                raise PipelineError("", f"signature lines with no letter before them: {signature[0].text!r}",
                                    line=signature[0].number)
            groups.append((prose, signature))
            prose, signature = [], []
        prose.append(line)
    if signature and not prose:
        raise PipelineError("", f"signature lines with no letter before them: {signature[0].text!r}",
                            line=signature[0].number)
    if prose:
        groups.append((prose, signature))
    return groups


def _find(lines: list[_Line], wanted: str, start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        if lines[i].text.casefold() == wanted:
            return i
    return None


def parse(repaired: Repaired, source: str, meta: dict | None = None) -> Discussion:
    """Build a ``Discussion`` from repaired text; ``source`` names the file in errors."""
    try:
        return _parse(repaired, source, meta or {})
    except PipelineError as err:
        if err.path:
            raise
        raise PipelineError(source, err.message, line=err.line) from None


def _parse(repaired: Repaired, source: str, meta: dict) -> Discussion:
    lines = _lines(repaired.text)
    if not lines:
        raise PipelineError(source, "no text in this file")
    marker = _find(lines, DISCUSSION_OF)
    if marker is None:
        raise PipelineError(source, "no 'A DISCUSSION OF' line naming the article the letters discuss", line=1)
    if marker == 0:
        raise PipelineError(source, "no title before 'A DISCUSSION OF'", line=lines[0].number)
    if marker + 1 >= len(lines):
        raise PipelineError(source, "no article title after 'A DISCUSSION OF'", line=lines[marker].number)
    if marker > 2:
        raise PipelineError(
            source, f"unexpected line before the title (expected at most an image credit): {lines[0].text[:60]!r}",
            line=lines[0].number)
    title = lines[marker - 1]
    credit = lines[0].text if marker == 2 else ""
    chrome = [lines[marker].text]
    places = [(lines[0].number, model.IMAGE_CREDIT)] if credit else []
    places += [(title.number, model.TITLE), (lines[marker].number, model.CHROME),
               (lines[marker + 1].number, model.RESPONDS_TO)]
    start = marker + 2
    if start < len(lines) and lines[start].text.casefold() == RESPONSES_FROM:
        chrome.append(lines[start].text)
        places.append((lines[start].number, model.CHROME))
        start += 1

    cite_at = _find(lines, CITE_HEADING, start)
    body = lines[start:cite_at]
    citation = None
    if cite_at is not None:
        rest = lines[cite_at + 1 :]
        if not rest:
            raise PipelineError(source, "'Cite this Article' with no citation after it", line=lines[cite_at].number)
        issue = rest[1].text if len(rest) > 1 and ISSUE_LINE.match(rest[1].text) else ""
        extra = rest[2:] if issue else rest[1:]
        if extra:
            raise PipelineError(source, f"unexpected text after the citation: {extra[0].text[:60]!r}",
                                line=extra[0].number)
        parts = CITATION.match(rest[0].text)
        fields = {k: v or "" for k, v in parts.groupdict().items() if k != "title"} if parts else {}
        citation = Citation(lines[cite_at].text, rest[0].text, issue, lines[cite_at].number, **fields)
        places += [(lines[cite_at].number, model.CITATION_HEADING), (rest[0].number, model.CITATION_TEXT)]
        if issue:
            places.append((rest[1].number, model.CITATION_ISSUE))

    groups = _split_letters(body)
    if not groups:
        where = body[0].number if body else lines[-1].number
        raise PipelineError(source, NO_LETTERS, line=where)
    width = len(str(len(groups)))
    letters = tuple(_letter(n, prose, sig, width) for n, (prose, sig) in enumerate(groups, start=1))
    return Discussion(
        slug=slugify(title.text, "-") or "discussion",
        source=source,
        title=title.text,
        image_credit=credit,
        responds_to=lines[marker + 1].text,
        letters=letters,
        citation=citation,
        chrome=tuple(chrome),
        meta={key: Fact(fact["value"], fact["source"]) for key, fact in meta.items()},
        changes=repaired.changes,
        lines=tuple(places),
    )
