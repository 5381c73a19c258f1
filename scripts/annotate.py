"""Annotate: find glossary terms and related passages (scripts/related.py) in the document model.

A pass over the model, never over HTML: it reads each paragraph's text and returns
``Annotations`` (term mentions as character offsets, related passages as keys). The
text itself is never changed; the renderer wraps the marked spans in links.

Matching follows Python-Markdown's ``abbr`` extension (terms sorted longest first, one
word-bounded regular expression) but goes further, because ``abbr`` is case-sensitive
and misses plurals: variants match whatever their capitalisation ("United Front"),
and with a plural ending ("united fronts"); acronyms written in capitals ("S&T")
match only as written. Longest match first, never overlapping, so a term is never
found inside another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scripts import datafiles
from scripts.errors import PipelineError, warning
from scripts.model import (
    Annotations,
    Discussion,
    Mention,
    PassageKey,
    Reference,
    Term,
    passage_key,
    signature_key,
)
from scripts.related import related_passages
from scripts.see_also import HandLink, resolve


def _is_acronym(variant: str) -> bool:
    letters = [ch for ch in variant if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _variant_pattern(variant: str, exact: bool = False) -> str:
    """A variant as a regular expression: flexible spaces, an optional plural ending."""
    words = [re.escape(word) for word in variant.split()]
    body = r"\s+".join(words)
    if exact:
        return f"(?-i:{body})"
    if _is_acronym(variant):
        return f"(?-i:{body})s?"
    if variant[-1:].lower() == "y" and variant[-2:-1].lower() not in "aeiou":
        return body[:-1] + "(?:y|ies)"
    return body + "(?:s|es)?"


@dataclass(frozen=True)
class Matcher:
    """The compiled pattern, and which term each of its numbered groups stands for."""

    pattern: re.Pattern[str]
    term_ids: tuple[str, ...]


def term_pattern(terms: tuple[Term, ...]) -> Matcher | None:
    """One case-insensitive, word-bounded pattern for every variant, longest first.

    >>> t = Term("uf", "united front", ("united front",), "s", "d", ())
    >>> [m.group() for m in term_pattern((t,)).pattern.finditer("a United Front; two united fronts; unitedfront")]
    ['United Front', 'united fronts']
    """
    variants = sorted(((v, t.id, v in t.exact) for t in terms for v in (*t.variants, *t.exact)),
                      key=lambda vt: (-len(vt[0]), vt[0]))
    if not variants:
        return None
    groups = "|".join(f"(?P<t{i}>{_variant_pattern(v, exact)})" for i, (v, _, exact) in enumerate(variants))
    pattern = re.compile(rf"(?<![\w&])(?:{groups})(?![\w&])", re.IGNORECASE)
    return Matcher(pattern, tuple(term_id for _, term_id, _ in variants))


def find_mentions(text: str, matcher: Matcher | None) -> tuple[Mention, ...]:
    """Every term occurrence in a text; the first of each term is marked."""
    if matcher is None:
        return ()
    seen: set[str] = set()
    found = []
    for match in matcher.pattern.finditer(text):
        term_id = matcher.term_ids[int(match.lastgroup[1:])]
        found.append(Mention(term_id, match.start(), match.end(), marked=term_id not in seen))
        seen.add(term_id)
    return tuple(found)


def annotate(discussions: list[Discussion], terms: tuple[Term, ...], glossary_path: str | Path = "glossary.yml",
             see_also: tuple[HandLink, ...] = (), see_also_path: str | Path = "see_also.yml") -> Annotations:
    """Find every term in every paragraph, note the terms no source uses, relate passages
    (scripts/related.py; ``see_also``: the links made by hand, scripts/see_also.py).

    A term that none of ``discussions`` uses is not an error (a shared glossary must not stop a
    site built from other sources): it is listed in ``Annotations.unused``, for ``unused_warnings``.
    """
    pattern = term_pattern(terms)
    mentions: dict[PassageKey, tuple[Mention, ...]] = {}
    for d in discussions:
        for letter in d.letters:
            texts = [(passage_key(d, letter, p), p.text) for p in letter.paragraphs]
            texts += [(signature_key(d, letter, i), line) for i, line in enumerate(letter.signature)]
            for key, text in texts:
                found = find_mentions(text, pattern)
                if found:
                    mentions[key] = found
    used = {m.term for found in mentions.values() for m in found}
    unused = tuple(t.id for t in terms if t.id not in used)
    hand = resolve(see_also, discussions, see_also_path)
    return Annotations(terms, mentions, related_passages(discussions, mentions, terms, hand), unused)


def unused_warnings(annotations: Annotations, glossary_path: str | Path) -> list[str]:
    """One warning line per glossary entry that occurs in no source.

    >>> t = Term("ghost", "ghost", ("quantum teleportation",), "s", "d", (), line=12)
    >>> print(*unused_warnings(Annotations((t,), unused=("ghost",)), "glossary.yml"))
    warning: glossary.yml:12: entry 'ghost' occurs in no source (variants: quantum teleportation);
    it is left out of the site
    """
    return [warning(glossary_path, f"entry {t.id!r} occurs in no source (variants: "
                    f"{', '.join((*t.variants, *t.exact))}); it is left out of the site", line=t.line or None)
            for t in map(annotations.term, annotations.unused)]


def _entry_error(path: str | Path, line: int | None, term_id: str, message: str) -> PipelineError:
    return PipelineError(path, f"entry {term_id!r}: {message}", line=line)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def load_glossary(path: str | Path) -> tuple[Term, ...]:
    """Read and check ``glossary.yml``: every problem is an error naming the entry and line.

    The file's form is checked by ``datafiles.load`` (``scripts/schemas/glossary.schema.json``);
    here, what a schema cannot say: an id used twice, a variant claimed by two entries.
    """
    doc = datafiles.load(path, datafiles.GLOSSARY)
    terms = []
    owner: dict[str, str] = {}
    first_line: dict[str, int | None] = {}
    for n, entry in enumerate(doc.data or ()):
        line, term_id = doc.line(n), entry["id"]
        if term_id in first_line:
            raise _entry_error(path, line, term_id, f"id used twice (first on line {first_line[term_id]})")
        first_line[term_id] = line
        variants, exact = tuple(entry["variants"]), tuple(entry.get("exact_variants", ()))
        for variant in (*variants, *exact):
            claimed = owner.setdefault(variant.casefold(), term_id)
            if claimed != term_id:
                raise _entry_error(path, line, term_id, f"variant {variant!r} is also claimed by {claimed!r}")
        sources = tuple(Reference(**s) for s in entry["sources"])  # the schema allows only Reference's fields
        terms.append(Term(term_id, entry["term"], variants, _one_line(entry["short"]), _one_line(entry["definition"]),
                          sources, tuple(_one_line(note) for note in entry.get("notes", ())), line, exact))
    return tuple(terms)
