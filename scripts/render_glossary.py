"""Render the glossary: one page per term (definition, notes, sources, concordance) and an
index with a term × letter map. Reads the model and the annotations; never re-parses. The HTML
comes from templates/term.md, templates/glossary.md and templates/_glossary.html (autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from scripts.markup import macro, render
from scripts.model import SIGNATURE_ANCHOR, Annotations, Discussion, Letter, Term, passage_key, signature_key
from scripts.render import (
    GLOSSARY,
    LISTED_IN_FULL,
    front_matter,
    journal_name,
    letter_path,
    link,
    page_url,
    provenance_html,
    site_credit,
    term_url,
)

GLOSSARY_SOURCE = "glossary.yml"
CONTEXT = 70  # characters of context on each side of a concordance line


def term_order(term: Term) -> str:
    """Terms sort by their words, whatever quotation marks open them.

    >>> sorted(["“The Trap”", "brain drain", "Xi"], key=lambda t: term_order(Term(t, t, (), "", "", ())))
    ['brain drain', '“The Trap”', 'Xi']
    """
    return term.term.lstrip("“‘\"'").casefold()


def long_date(iso: str) -> str:
    """A checked date as a reader reads it (``''`` for none).

    >>> long_date("2026-11-30"), long_date("2026-01-05"), long_date("")
    ('30 November 2026', '5 January 2026', '')
    """
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B} {day.year}"


def _clip_left(text: str) -> str:
    if len(text) <= CONTEXT:
        return text
    cut = text[-CONTEXT:]
    return "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut


def _clip_right(text: str) -> str:
    if len(text) <= CONTEXT:
        return text
    cut = text[:CONTEXT]
    return (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"


def _occurrences(term: Term, discussions: list[Discussion], annotations: Annotations):
    """Every occurrence of a term, in reading order: (discussion, letter, place, anchor, text, mention)."""
    for d in discussions:
        for letter in d.letters:
            places = [(f"paragraph {p.number}", p.anchor, p.text, passage_key(d, letter, p)) for p in letter.paragraphs]
            places += [("signature", SIGNATURE_ANCHOR, line, signature_key(d, letter, i))
                       for i, line in enumerate(letter.signature)]
            for place, anchor, text, key in places:
                for m in annotations.mentions.get(key, ()):
                    if m.term == term.id:
                        yield d, letter, place, anchor, text, m


def _place(d: Discussion, letter: Letter, place: str, many: bool) -> str:
    where = f"Letter {letter.number}, {place}"
    return f"{d.title}, {where}" if many else where


@dataclass(frozen=True)
class GlossaryShare:
    """One discussion's part of the glossary's pages (kept by the page cache, like render.HomeShare)."""

    concordance: dict[str, tuple[str, ...]]  # term id → its lines in that term's concordance
    term_map: str      # its table on the glossary index
    credit_term: str   # its credit (provenance) on a term page
    credit_index: str  # …and on the index
    facts: dict        # the footer's facts, used when it is the site's only discussion
    journal: str       # the journal that published it (the credit of a large site's glossary)


def glossary_share(d: Discussion, annotations: Annotations, alone: bool = False) -> GlossaryShare:
    """What ``d`` contributes to the glossary's pages (``alone``: it is the site's only discussion)."""
    path = f"{GLOSSARY}/{GLOSSARY}.md"  # any term page: they share a folder
    line = macro("_glossary.html", "concordance_line")
    lines: dict[str, list[str]] = {}
    for term in annotations.terms:
        for _, letter, place, anchor, text, m in _occurrences(term, [d], annotations):
            href = link(path, f"{page_url(letter_path(d, letter))}#{anchor}")
            left, word, right = text[: m.start], text[m.start : m.end], text[m.end :]
            lines.setdefault(term.id, []).append(str(line(href, _place(d, letter, place, not alone),
                                                          _clip_left(left), word, _clip_right(right))))
    index = f"{GLOSSARY}/index.md"
    terms = tuple(sorted(annotations.terms, key=term_order))
    facts = {"rights": d.fact("rights"), "original_url": d.fact("url")} if alone else {}
    return GlossaryShare({k: tuple(v) for k, v in lines.items()}, _map_table(d, terms, annotations, index),
                         provenance_html(d, path), provenance_html(d, index), facts, journal_name(d))


def _site_facts(shares: list[GlossaryShare]) -> dict:
    """The footer's rights and original page, when the glossary serves a single discussion."""
    return shares[0].facts if len(shares) == 1 else {}


def render_term(term: Term, shares: list[GlossaryShare]) -> str:
    """A term's page. The concordance lines and credits were rendered by templates when their discussion was
    built (in this run or, kept by the page cache, an earlier one): our own templates' output, printed as such."""
    head = front_matter(GLOSSARY_SOURCE, title=term.term, description=term.short, **_site_facts(shares))
    lines = [Markup(line) for s in shares for line in s.concordance.get(term.id, ())]
    sources = [{"ref": ref, "checked": long_date(ref.checked)} for ref in term.sources]
    return head + render("term.md", term=term, printed=(*term.variants, *term.exact), lines=lines, sources=sources,
                         credits=_credits(shares, [s.credit_term for s in shares]))


def _credits(shares: list[GlossaryShare], each: list[str]) -> list[Markup]:
    """``each`` discussion's credit; on a large site, one credit for all (each concordance line links to its
    letter, whose page carries the discussion's own)."""
    return [Markup(c) for c in (each if len(shares) <= LISTED_IN_FULL else [site_credit(s.journal for s in shares)])]


def _map_table(d: Discussion, terms: tuple[Term, ...], annotations: Annotations, path: str) -> str:
    """Which letters of a discussion use which terms, and how often (templates/_glossary.html ``term_map``)."""
    counts: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for t in terms:
        for _, letter, place, anchor, _, _ in _occurrences(t, [d], annotations):
            counts.setdefault((t.id, letter.slug), []).append((place, anchor))
    rows = []
    for t in terms:
        if not any((t.id, letter.slug) in counts for letter in d.letters):
            continue
        cells = []
        for letter in d.letters:
            found = counts.get((t.id, letter.slug), [])
            cells.append({"href": link(path, f"{page_url(letter_path(d, letter))}#{found[0][1]}"),
                          "count": len(found), "letter": letter.number, "place": found[0][0]} if found else None)
        rows.append({"term": t, "href": link(path, term_url(t.id)), "cells": cells})
    return str(macro("_glossary.html", "term_map")(d, rows))


def render_glossary_index(terms: tuple[Term, ...], shares: list[GlossaryShare]) -> str:
    path = f"{GLOSSARY}/index.md"
    head = front_matter(GLOSSARY_SOURCE, title="Glossary",
                        description="Key terms of the letters, defined, sourced and traced through the text.",
                        **_site_facts(shares))
    # A table per discussion would make a large site's index as long as the site: each term's page lists its uses.
    maps = [Markup(s.term_map) for s in shares] if len(shares) <= LISTED_IN_FULL else None
    return head + render("glossary.md", terms=[{"term": t, "href": link(path, term_url(t.id))}
                                               for t in sorted(terms, key=term_order)],
                         maps=maps, count=len(shares), credits=_credits(shares, [s.credit_index for s in shares]))


def glossary_pages(terms: tuple[Term, ...], shares: list[GlossaryShare]) -> dict[str, str]:
    """The glossary's pages by path under ``docs/``, from every discussion's share (none without terms)."""
    if not terms:
        return {}
    files = {f"{GLOSSARY}/index.md": render_glossary_index(terms, shares)}
    for term in terms:
        files[f"{GLOSSARY}/{term.id}.md"] = render_term(term, shares)
    return files


def render_glossary(discussions: list[Discussion], annotations: Annotations) -> dict[str, str]:
    """The glossary's pages by path under ``docs/`` (none when there are no terms)."""
    alone = len(discussions) == 1
    return glossary_pages(annotations.terms, [glossary_share(d, annotations, alone) for d in discussions])
