"""Generate: run every stage over a folder of sources and write the results into docs/.

All pages are computed in memory first, so a bad source stops the run before any file is
touched. Then scripts/writer.py, the one writer of docs/, plans what changes (only files whose
content changed are written, so an unchanged page keeps its mtime and ``mkdocs serve`` rebuilds
only what moved; a generated file no longer produced is removed, listed in the manifest
``.generated.json``; no other file in docs/ is ever touched) and applies it all or nothing, even
if the process is killed. The whole run holds the docs folder's lock, so two runs never interleave.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from markdown.extensions.toc import slugify

from scripts import cite_cache, page_cache, writer
from scripts.annotate import annotate, load_glossary, unused_warnings
from scripts.edition import edition_filename, render_edition
from scripts.errors import PipelineError
from scripts.model import Discussion
from scripts.parse import parse
from scripts.render import discussion_files, home_share, site_pages
from scripts.render_glossary import glossary_pages, glossary_share
from scripts.render_nav import render_nav
from scripts.repair import repair
from scripts.see_also import load_see_also, unknown_warnings
from scripts.sources import find_sources, read_source

# Top-level names in docs/ and the built site that are not discussions: the glossary's
# folder, the hand-written assets, what MkDocs and Material add to the site, and the search
# index (pagefind/, scripts/search_index.py). A source whose title slugifies to one of these
# gets a longer slug, so its pages never overwrite (or are overwritten by) the site's own.
RESERVED_SLUGS = frozenset({"glossary", "javascripts", "stylesheets", "assets", "search", "pagefind"})


def _unique_slug(slug: str, stem: str, taken: set[str]) -> str:
    """``slug`` if free; else the slug with the file's name; else that with -2, -3, …

    >>> _unique_slug("a", "x", {"a"}), _unique_slug("a", "x", {"a", "a-x"})
    ('a-x', 'a-x-2')
    """
    if slug not in taken:
        return slug
    base = f"{slug}-{slugify(stem, '-') or 'source'}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _read(path: Path) -> Discussion:
    """Read, repair and parse one source."""
    source = read_source(path)
    return parse(repair(source.text), path.name, source.meta)


def _slugs(paths: list[Path], parsed: dict[Path, str]) -> dict[Path, str]:
    """Each source's slug: the one its title gives (``parsed``) unless an earlier source or the site holds it."""
    taken, slugs = set(RESERVED_SLUGS), {}
    for path in paths:
        slugs[path] = _unique_slug(parsed[path], path.stem, taken)
        taken.add(slugs[path])
    return slugs


def build_discussions(sources: Path) -> list[Discussion]:
    """Read, repair and parse every source in a folder.

    Each source is its own discussion under its own slug: two sources with one title (or a
    title that names one of the site's own folders) are told apart by file name, so no page,
    paragraph URL or passages.json entry of one source can collide with another's.
    """
    read = {path: _read(path) for path in find_sources(sources)}
    slugs = _slugs(list(read), {path: d.slug for path, d in read.items()})
    return [replace(d, slug=slugs[path]) if slugs[path] != d.slug else d for path, d in read.items()]


@dataclass(frozen=True)
class Site:
    """One run's output: the files rendered, the files left as they are, and what the page cache should keep."""

    files: dict[str, str]             # every file rendered in this run, by path under docs/
    kept: tuple[str, ...] = ()        # files of unchanged sources, left as they are in docs/
    entries: dict[str, page_cache.Entry] = field(default_factory=dict)  # page-cache entries of rendered sources
    reused: frozenset[str] = frozenset()  # page-cache keys of the unchanged sources
    rendered: int = 0                 # how many sources were read and rendered
    warnings: tuple[str, ...] = ()    # problems that do not stop the build (a glossary entry no source uses)


def build_site(sources: Path, glossary: Path | None, cache: page_cache.PageCache | None = None,
               see_also: Path | None = None) -> Site:
    """Every stage over every source; with a page ``cache``, only over the sources whose inputs changed.
    ``see_also``: the links made by hand (scripts/see_also.py; a missing file means none).

    The sources' slugs are given in file order (``_unique_slug``), so an unchanged source is reused
    only if it gets the slug it had. A glossary entry that no source uses (the terms of reused sources
    come from their cached concordance) is left out of the site, with a warning.
    """
    terms = load_glossary(glossary) if glossary else ()
    hand = load_see_also(see_also)
    paths = find_sources(sources)
    alone = len(paths) == 1
    keys = {path: cache.key(path, alone) if cache else None for path in paths}
    cached = {path: entry for path in paths if cache and (entry := cache.get(keys[path]))}
    read = {path: _read(path) for path in paths if path not in cached}
    parsed_slugs = {path: cached[path].parsed_slug if path in cached else read[path].slug for path in paths}
    for path, slug in _slugs(paths, parsed_slugs).items():
        if path in cached and cached[path].slug != slug:
            del cached[path]  # another source now has its slug: read and render it again
            read[path] = _read(path)
        if path in read and read[path].slug != slug:
            read[path] = replace(read[path], slug=slug)
    used = {term for entry in cached.values() for term in entry.glossary.concordance}
    annotations = annotate([read[path] for path in paths if path in read], terms, glossary or "", used,
                           hand, see_also or "")
    files: dict[str, str] = {}
    entries: dict[str, page_cache.Entry] = {}
    homes, glossaries = [], []
    for path in paths:
        if path in cached:
            home, share = cached[path].home, cached[path].glossary
        else:
            d = read[path]
            own = discussion_files(d, annotations, alone) | {edition_filename(d): render_edition(d, annotations)}
            files |= own
            home, share = home_share(d, annotations, alone), glossary_share(d, annotations, alone)
            if keys[path]:
                stamps: dict[str, list[int]] = {rel: [] for rel in own}  # filled in once written
                entries[keys[path]] = page_cache.Entry(parsed_slugs[path], d.slug, stamps, home, share)
        homes.append(home)
        glossaries.append(share)
    published = tuple(t for t in terms if t.id not in annotations.unused)  # an entry no source uses is left out
    files |= site_pages(homes) | glossary_pages(published, glossaries) | render_nav(homes, published)
    kept = tuple(rel for entry in cached.values() for rel in entry.files)
    warnings = tuple(unused_warnings(annotations, glossary)) if glossary else ()
    warnings += tuple(unknown_warnings(hand, {d.slug for d in read.values()} | {e.slug for e in cached.values()},
                                       see_also or ""))
    return Site(files, kept, entries, frozenset(keys[path] for path in cached), len(read), warnings)


def site_files(sources: Path, glossary: Path | None, see_also: Path | None = None) -> dict[str, str]:
    """Every generated file's content, by path under docs/: all stages, in memory, nothing cached."""
    return build_site(sources, glossary, see_also=see_also).files


@dataclass(frozen=True)
class Run:
    """What ``generate`` did: the files it changed, how many sources it read and rendered, and its warnings."""

    changed: list[str]
    rendered: int
    sources: int
    warnings: tuple[str, ...] = ()


def generate(sources: Path, docs: Path, glossary: Path | None, see_also: Path | None = None) -> Run:
    """Build every page from ``sources`` (and the glossary and the hand-made links) and write it into ``docs``.

    Two caches live beside ``docs`` in ``.cache/``: the page cache (scripts/page_cache.py), so that
    only the sources that changed are read and rendered again, and rendered citations
    (scripts/cite_cache.py), so that an edited source's citations are not rendered again. The whole
    run holds the docs folder's lock and first finishes a run that was interrupted (scripts/writer.py).
    """
    with writer.locked(docs):
        writer.recover(docs)
        folder = docs.resolve().parent / ".cache"
        cache = page_cache.PageCache(folder, docs, glossary, see_also)
        with cite_cache.kept_in(folder):
            site = build_site(sources, glossary, cache, see_also)
        plan = writer.plan(docs, site.files, site.kept)
        writer.apply(docs, plan)
        cache.save(site.entries, set(site.reused))
    return Run([*plan.changed, *plan.stale], site.rendered, site.rendered + len(site.reused), site.warnings)


def check(sources: Path, docs: Path, glossary: Path | None, see_also: Path | None = None) -> list[str]:
    """The files in ``docs`` that ``generate`` would write or remove now (none: docs/ is up to date).

    Writes nothing. docs/ is read under a shared lock (scripts/writer.py), so never half-written;
    a run that was interrupted is an error, reported before the sources are built.
    """
    with writer.locked(docs, shared=True):
        _refuse_unfinished(docs)
    files = site_files(sources, glossary, see_also)
    with writer.locked(docs, shared=True):
        _refuse_unfinished(docs)
        return writer.plan(docs, files).out_of_date


def _refuse_unfinished(docs: Path) -> None:
    """A one-line error if an interrupted ``generate`` left docs/ unfinished (call under the lock)."""
    if writer.interrupted(docs):
        raise PipelineError(docs, writer.UNFINISHED.format(docs=docs))
