"""Render the glossary: one page per term and an index, from the discussions' summaries.

A term's page has its definition, notes, sources and concordance (on a large site split over further pages); the
index, a term × letter map per discussion.
They are made from each discussion's glossary hits (model.Hit, found by ``glossary_hits`` when it is built), never
by re-parsing. The HTML comes from templates/term.md, templates/glossary.md and templates/_glossary.html
(autoescaped)."""

from __future__ import annotations

from datetime import date
from functools import partial

from markupsafe import Markup

from scripts.markup import macro, render
from scripts.model import SIGNATURE_ANCHOR, Annotations, Discussion, Hit, Summary, Term, passage_key, signature_key
from scripts.render import (
    GLOSSARY,
    LISTED_IN_FULL,
    front_matter,
    journal_name,
    link,
    page_url,
    provenance,
    remembered,
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


def glossary_hits(d: Discussion, annotations: Annotations) -> tuple[Hit, ...]:
    """Every occurrence of a glossary term in ``d``, in reading order (each letter's paragraphs, then its
    signature), for its summary: the glossary's pages are made from these."""
    hits = []
    for letter in d.letters:
        places = [(f"paragraph {p.number}", p.anchor, p.text, passage_key(d, letter, p)) for p in letter.paragraphs]
        places += [("signature", SIGNATURE_ANCHOR, line, signature_key(d, letter, i))
                   for i, line in enumerate(letter.signature)]
        for place, anchor, text, key in places:
            hits += [Hit(m.term, letter.slug, letter.number, place, anchor, _clip_left(text[: m.start]),
                         text[m.start : m.end], _clip_right(text[m.end :])) for m in annotations.mentions.get(key, ())]
    return tuple(hits)


class _Hrefs:
    """Links from one glossary page to the letters, each letter's page linked once (``link`` is a path
    computation; a large site's term pages have tens of thousands of lines)."""

    def __init__(self, path: str):
        self.path, self.pages = path, {}

    def __call__(self, d: Discussion, hit: Hit) -> str:
        key = (d.slug, hit.letter)
        if key not in self.pages:
            self.pages[key] = link(self.path, page_url(f"{d.slug}/{hit.letter}.md"))
        return f"{self.pages[key]}#{hit.anchor}"


def _site_facts(summaries: list[Summary]) -> dict:
    """The footer's rights and original page, when the glossary serves a single discussion."""
    d = summaries[0].discussion if len(summaries) == 1 else None
    return {"rights": d.fact("rights"), "original_url": d.fact("url")} if d else {}


def _credits(summaries: list[Summary], path: str) -> list[Markup]:
    """Each discussion's credit; on a large site, one credit for all (each concordance line links to its
    letter, whose page carries the discussion's own)."""
    if len(summaries) > LISTED_IN_FULL:
        return [Markup(site_credit(journal_name(s.discussion) for s in summaries))]
    return [macro("_blocks.html", "provenance")(provenance(s.discussion, path)) for s in summaries]


def _by_term(summaries: list[Summary]) -> dict[str, list[tuple[Summary, Hit]]]:
    """Every hit of every discussion, by term, in reading order."""
    found: dict[str, list[tuple[Summary, Hit]]] = {}
    for s in summaries:
        for h in s.hits:
            found.setdefault(h.term, []).append((s, h))
    return found


def concordance_pages(uses: list[tuple[Summary, Hit]]) -> list[list[tuple[Summary, Hit]]]:
    """A term's uses (``_by_term``) on pages of the uses of at most ``LISTED_IN_FULL`` discussions each: the
    entry's page has the first, ``glossary/<id>/<n>.md`` the others (on a site of 1,000 discussions a term used in
    all of them would otherwise have a page of megabytes, made again after an edit of any use). Always one page."""
    pages: list[list[tuple[Summary, Hit]]] = [[]]
    held: list[Summary] = []
    for s, h in uses:
        if not held or held[-1] is not s:
            if len(held) == LISTED_IN_FULL:
                pages.append([])
                held = []
            held.append(s)
        pages[-1].append((s, h))
    return pages


def uses_path(term_id: str, number: int) -> str:
    """The path of a term's page of uses ``number`` (counted from 1, the entry's own page)."""
    return f"{GLOSSARY}/{term_id}.md" if number == 1 else f"{GLOSSARY}/{term_id}/{number}.md"


def _lines(uses: list[tuple[Summary, Hit]], hrefs: _Hrefs, many: bool) -> list[tuple]:
    return [(hrefs(s.discussion, h), f"{s.discussion.title}, " * many + f"Letter {h.number}, {h.place}", h.before,
             h.word, h.after) for s, h in uses]


def render_term(term: Term, summaries: list[Summary], uses: list[tuple[Summary, Hit]], total: int, count: int,
                hrefs: _Hrefs, credits: list[Markup]) -> str:
    """A term's page: its entry, and its uses in the letters (the concordance), discussion by discussion: all of
    them, or the first page's (``uses``, of ``total``) and links to the other ``count - 1``. ``hrefs`` and
    ``credits`` (``_credits``): the glossary folder's links to the letters and credits, shared by every term's
    page."""
    head = front_matter(GLOSSARY_SOURCE, title=term.term, description=term.short, **_site_facts(summaries))
    sources = [{"ref": ref, "checked": long_date(ref.checked)} for ref in term.sources]
    return head + render("term.md", term=term, printed=(*term.variants, *term.exact), sources=sources, total=total,
                         lines=_lines(uses, hrefs, len(summaries) > 1), pages=_pager(term.id, 1, count),
                         credits=credits)


def render_uses(term: Term, uses: list[tuple[Summary, Hit]], number: int, count: int, hrefs: _Hrefs,
                credits: list[Markup]) -> str:
    """A further page of a term's uses (``number`` of ``count``), on a site of many discussions."""
    path = uses_path(term.id, number)
    head = front_matter(GLOSSARY_SOURCE, title=f"{term.term}: in the letters, page {number} of {count}",
                        description=term.short)
    return head + render("term_uses.md", term=term, entry=link(path, term_url(term.id)), number=number,
                         lines=_lines(uses, hrefs, True), pages=_pager(term.id, number, count), credits=credits)


def _pager(term_id: str, number: int, count: int) -> list[tuple[int, str | None]]:
    """The pages of a term's uses that page ``number`` of ``count`` links to, each with its link (None for itself;
    a page number of 0 for a gap): the first and the last, and two on either side of itself. A list of every page
    would grow with the site (84 pages of "securitization" at 1,000 discussions) on each of them.

    >>> [n for n, _ in _pager("t", 1, 3)], [n for n, _ in _pager("t", 9, 20)], _pager("t", 2, 2)
    ([1, 2, 3], [1, 0, 7, 8, 9, 10, 11, 0, 20], [(1, '../'), (2, None)])
    """
    # Every further page is a sibling of the others: its links are those of a sibling that is none of them (number
    # 0), each computed once (``link`` remembers).
    here, shown = uses_path(term_id, 0 if number > 1 else 1), {1, count, *range(number - 2, number + 3)}
    pages: list[tuple[int, str | None]] = []
    for n in sorted(k for k in shown if 1 <= k <= count):
        if pages and n > pages[-1][0] + 1:
            pages.append((0, None))
        pages.append((n, None if n == number else link(here, page_url(uses_path(term_id, n)))))
    return pages


def _map_table(summary: Summary, terms: tuple[Term, ...], path: str) -> Markup:
    """Which letters of a discussion use which terms, and how often (templates/_glossary.html ``term_map``)."""
    d, hrefs = summary.discussion, _Hrefs(path)
    counts: dict[tuple[str, str], list[Hit]] = {}
    for hit in summary.hits:
        counts.setdefault((hit.term, hit.letter), []).append(hit)
    rows = []
    for t in terms:
        if not any((t.id, letter.slug) in counts for letter in d.letters):
            continue
        cells = []
        for letter in d.letters:
            found = counts.get((t.id, letter.slug), [])
            cells.append({"href": hrefs(d, found[0]), "count": len(found), "letter": letter.number,
                          "place": found[0].place} if found else None)
        rows.append({"term": t, "href": link(path, term_url(t.id)), "cells": cells})
    return macro("_glossary.html", "term_map")(d, rows)


def render_glossary_index(terms: tuple[Term, ...], summaries: list[Summary]) -> str:
    path = f"{GLOSSARY}/index.md"
    head = front_matter(GLOSSARY_SOURCE, title="Glossary",
                        description="Key terms of the letters, defined, sourced and traced through the text.",
                        **_site_facts(summaries))
    ordered = tuple(sorted(terms, key=term_order))
    # A table per discussion would make a large site's index as long as the site: each term's page lists its uses.
    maps = [_map_table(s, ordered, path) for s in summaries] if len(summaries) <= LISTED_IN_FULL else None
    return head + render("glossary.md", terms=[{"term": t, "href": link(path, term_url(t.id))} for t in ordered],
                         maps=maps, count=len(summaries), credits=_credits(summaries, path))


def glossary_pages(terms: tuple[Term, ...], summaries: list[Summary], memo: dict,
                   letters: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    """The glossary's pages by path under ``docs/``, from every discussion's summary (none without terms).

    ``memo``: the pages of the last run with what each was made from, beside each discussion's facts but its
    letters (generate.site_wide, which gives ``letters``, each discussion's letters' slugs): a term's page, or one of
    its further pages of uses (``concordance_pages``), is made again only if its entry or one of its lines changed,
    or how many pages there are."""
    if not terms:
        return {}
    index = f"{GLOSSARY}/index.md"
    files = {index: remembered(memo, index, (terms, letters, tuple(s.hits for s in summaries)),
                               lambda: render_glossary_index(terms, summaries))}
    # Every entry's page is in the same folder, and every further page of uses one deeper: one set of links each,
    # and one set of credits (further pages are only on a large site, whose credit has no links).
    hrefs, deeper = _Hrefs(f"{GLOSSARY}/{GLOSSARY}.md"), _Hrefs(f"{GLOSSARY}/{GLOSSARY}/2.md")
    credits = _credits(summaries, f"{GLOSSARY}/{GLOSSARY}.md")
    by_term = _by_term(summaries)
    for term in terms:
        uses = by_term.get(term.id, [])
        pages = concordance_pages(uses)
        for number, part in enumerate(pages, 1):
            path, lines = uses_path(term.id, number), tuple((s.discussion.slug, h) for s, h in part)
            if number == 1:
                make = partial(render_term, term, summaries, part, len(uses), len(pages), hrefs, credits)
            else:
                make = partial(render_uses, term, part, number, len(pages), deeper, credits)
            files[path] = remembered(memo, path, (term, lines, len(uses) if number == 1 else number, len(pages)),
                                     make)
    return files
