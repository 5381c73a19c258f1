"""Build one discussion: a pure function from its source to its own files and its summary.

``build_discussion`` reads nothing but its arguments and writes nothing: the same inputs give the same files, in
any process, in any order. scripts/generate.py runs it over every source (in worker processes, and not at all for
a source whose inputs are unchanged since the last run) and makes the site-wide files (the home page, the
glossary's pages, the navigation, passages.json) from the summaries alone, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scripts.annotate import annotate
from scripts.cite import Citer
from scripts.edition import render_edition
from scripts.model import Discussion, Summary, Term
from scripts.parse import parse
from scripts.render import discussion_files, edition_filename, passages_rows, responds_term
from scripts.render_glossary import glossary_hits
from scripts.repair import repair
from scripts.see_also import HandLink
from scripts.sources import Source


@dataclass(frozen=True)
class Shared:
    """What every discussion of a site is built with: the glossary, the links made by hand, and whether the site
    has this one discussion (its introduction is then the site's home page)."""

    terms: tuple[Term, ...] = ()
    links: tuple[HandLink, ...] = ()
    alone: bool = False
    glossary_path: str = "glossary.yml"  # named in the errors they cause
    see_also_path: str = "see_also.yml"


@dataclass(frozen=True)
class Built:
    """One discussion's own files (by path under docs/) and its summary."""

    files: dict[str, str]
    summary: Summary


def read(source: Source) -> Discussion:
    """Repair and parse one source."""
    return parse(repair(source.text), source.path.name, source.meta)


def _outline(d: Discussion) -> Discussion:
    """The discussion as the site-wide files need it: without its repair log and source lines, each letter with
    its first paragraph only (the home page's opening words); passages.json's rows hold every paragraph. A summary
    is read back from the build cache for every source on every run, so it is kept small."""
    letters = tuple(replace(letter, paragraphs=letter.paragraphs[:1], pull_quotes=()) for letter in d.letters)
    return replace(d, letters=letters, changes=(), lines=())


def build_discussion(source: Source, shared: Shared, citer: Citer, slug: str = "") -> Built:
    """Every stage over one source: repair, parse, then ``build``. ``slug``: the one it is published under, when
    another source or the site already has the one its title gives (generate._unique_slug)."""
    d = read(source)
    return build(replace(d, slug=slug) if slug else d, shared, citer, parsed_slug=d.slug)


def build(d: Discussion, shared: Shared, citer: Citer, parsed_slug: str = "") -> Built:
    """Every stage after parse, over one discussion: annotate, cite, render its own files, summarise it."""
    annotations = annotate([d], shared.terms, shared.glossary_path, shared.links, shared.see_also_path)
    citations = citer.citations(d)
    files = discussion_files(d, annotations, citations, shared.alone)
    files[edition_filename(d)] = render_edition(d, annotations)
    summary = Summary(_outline(d), parsed_slug or d.slug, citations.discussion, passages_rows(d, citations),
                      glossary_hits(d, annotations), responds_term(d, shared.terms))
    return Built(files, summary)
