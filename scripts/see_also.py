"""Links made by hand: ``see_also.yml``, beside ``glossary.yml``.

Each link names a discussion (by slug) and two paragraphs of different letters (by letter number and
paragraph number or anchor), with a note saying what the two share. A hand-made link wins over the
computed one of the same pair (scripts/related.py): its note replaces the computed reason, and the
link is shown whatever the pair's score. ``hide: true`` suppresses a computed pair instead.

The file is checked like the other data files (``datafiles.load``, against
``scripts/schemas/see_also.schema.json``); what a schema cannot say is checked here, each problem an
error naming the file, the line and the link: a paragraph that does not exist in a discussion being
built, two paragraphs of one letter, a pair given twice. A link to a discussion that is not among the
sources is a warning (like a glossary entry that no source uses): a shared file never stops a site
built from other sources. A missing file means no hand-made links.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scripts import datafiles
from scripts.errors import PipelineError, warning
from scripts.model import Discussion, Letter, PassageKey, passage_key


@dataclass(frozen=True)
class End:
    """One paragraph of a link, as the file names it."""

    letter: int
    paragraph: int | str  # its number, or its anchor
    line: int | None = None

    @property
    def which(self) -> str:
        """The paragraph as the file names it: "paragraph 3", "paragraph 'p-in-the-trap'"."""
        return f"paragraph {self.paragraph}" if isinstance(self.paragraph, int) else f"paragraph {self.paragraph!r}"


@dataclass(frozen=True)
class HandLink:
    """A link as ``see_also.yml`` gives it: ``number`` is its place in the file, from 1."""

    discussion: str
    ends: tuple[End, End]
    note: str = ""
    hide: bool = False
    number: int = 0
    line: int | None = None


def load_see_also(path: str | Path | None) -> tuple[HandLink, ...]:
    """Read and check ``see_also.yml`` (no file: no links)."""
    if path is None or not Path(path).exists():
        return ()
    doc = datafiles.load(path, datafiles.SEE_ALSO)
    links = []
    for n, item in enumerate(doc.data or ()):
        ends = tuple(End(e["letter"], e["paragraph"], doc.line(n, "between", i)) for i, e in enumerate(item["between"]))
        links.append(HandLink(item["discussion"], ends, " ".join(item.get("note", "").split()),
                              item.get("hide", False), n + 1, doc.line(n)))
    return tuple(links)


def _paragraph_key(d: Discussion, end: End, path: str | Path, link: HandLink) -> PassageKey:
    letter: Letter | None = next((x for x in d.letters if x.number == end.letter), None)
    if letter is None:
        raise PipelineError(path, f"link #{link.number}: {d.slug!r} has no letter {end.letter}", line=end.line)
    found = next((p for p in letter.paragraphs if end.paragraph in (p.number, p.anchor)), None)
    if found is None:
        raise PipelineError(path, f"link #{link.number}: letter {end.letter} of {d.slug!r} has no "
                            f"{end.which}", line=end.line)
    return passage_key(d, letter, found)


def resolve(links: tuple[HandLink, ...], discussions: list[Discussion],
            path: str | Path) -> dict[frozenset[PassageKey], HandLink]:
    """The links of ``discussions``, by their pair of paragraph keys; an error for a link naming a
    paragraph that is not there, two paragraphs of one letter, or a pair already given."""
    by_slug = {d.slug: d for d in discussions}
    found: dict[frozenset[PassageKey], HandLink] = {}
    for link in links:
        d = by_slug.get(link.discussion)
        if d is None:
            continue
        a, b = (_paragraph_key(d, end, path, link) for end in link.ends)
        if a[1] == b[1]:
            raise PipelineError(path, f"link #{link.number}: both paragraphs are in letter {link.ends[0].letter}; "
                                "a link joins two letters", line=link.line)
        pair = frozenset((a, b))
        if pair in found:
            raise PipelineError(path, f"link #{link.number}: the same two paragraphs as link #{found[pair].number}",
                                line=link.line)
        found[pair] = link
    return found


def unknown_warnings(links: tuple[HandLink, ...], slugs: set[str], path: str | Path) -> list[str]:
    """One warning line per discussion that links name but that is not among the sources.

    >>> link = HandLink("elsewhere", (End(1, 1), End(2, 1)), "n", number=1, line=3)
    >>> unknown_warnings((link, link), {"here"}, "see_also.yml")
    ["warning: see_also.yml:3: no discussion 'elsewhere' among the sources; its 2 link(s) are left out"]
    """
    unknown: dict[str, list[HandLink]] = {}
    for link in links:
        if link.discussion not in slugs:
            unknown.setdefault(link.discussion, []).append(link)
    return [warning(path, f"no discussion {slug!r} among the sources; its {len(found)} link(s) are left out",
                    line=found[0].line) for slug, found in unknown.items()]
