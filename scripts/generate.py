"""Generate: run every stage over a folder of sources and write the results into docs/.

Each discussion is built by scripts/build.py (in worker processes, one per core; a source whose
inputs are unchanged is not built again, scripts/cache.py), and the site-wide files are made from
the discussions' summaries. All pages are computed in memory first, so a bad source stops the run
before any file is touched. Then scripts/writer.py, the one writer of docs/, plans what changes (only files whose
content changed are written, so an unchanged page keeps its mtime and ``mkdocs serve`` rebuilds
only what moved; a generated file no longer produced is removed, listed in the manifest
``.generated.json``; no other file in docs/ is ever touched) and applies it all or nothing, even
if the process is killed. The whole run holds the docs folder's lock, so two runs never interleave.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from markdown.extensions.toc import slugify

from scripts import build, writer
from scripts.annotate import load_glossary, unused_warnings
from scripts.cache import BuildCache, stamp
from scripts.cite import Citer
from scripts.errors import PipelineError
from scripts.model import Annotations, Discussion, Summary, Term
from scripts.render import passages_file, remembered, render_home
from scripts.render_glossary import glossary_pages
from scripts.render_nav import render_nav
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


def _slugs(paths: list[Path], parsed: dict[Path, str]) -> dict[Path, str]:
    """Each source's slug: the one its title gives (``parsed``) unless an earlier source or the site holds it.

    Each source is its own discussion under its own slug: two sources with one title (or a title that names one of
    the site's own folders) are told apart by file name, so no page, paragraph URL or passages.json entry of one
    source can collide with another's.
    """
    taken, slugs = set(RESERVED_SLUGS), {}
    for path in paths:
        slugs[path] = _unique_slug(parsed[path], path.stem, taken)
        taken.add(slugs[path])
    return slugs


def build_discussions(sources: Path) -> list[Discussion]:
    """Read, repair and parse every source in a folder, each under the slug it is published under."""
    read = {path: build.read(read_source(path)) for path in find_sources(sources)}
    slugs = _slugs(list(read), {path: d.slug for path, d in read.items()})
    return [replace(d, slug=slugs[path]) for path, d in read.items()]


def default_jobs() -> int:
    """How many processes build discussions at once: one per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# A worker process's own Citer and what every discussion shares (``_start``): made once, used for each build.
_worker: tuple[build.Shared, Citer] | None = None


def _start(shared: build.Shared) -> None:
    global _worker
    _worker = (shared, Citer())


def _build_one(job: tuple[Path, str]) -> build.Built:
    shared, citer = _worker
    return build.build_discussion(read_source(job[0]), shared, citer, job[1])


class _Builder:
    """Builds discussions: in this process with one Citer, or for several at once in worker processes
    (``concurrent.futures``), each with its own Citer. The results come back in the order asked, so a parallel
    run's output is byte for byte a serial one's (tests/test_incremental.py)."""

    def __init__(self, shared: build.Shared, jobs: int, citer: Citer | None = None):
        self.shared, self.jobs, self.citer = shared, jobs, citer

    def __call__(self, todo: list[tuple[Path, str]]) -> dict[Path, build.Built]:
        """Each source of ``todo`` built (under the slug given, or its title's when "")."""
        if self.jobs > 1 and len(todo) > 1 and "fork" in multiprocessing.get_all_start_methods():
            # fork: a worker starts as a copy of this process, the pipeline imported, in milliseconds, and without
            # importing the caller's main module again ("spawn" and "forkserver" run an unguarded script twice). The
            # one thing it must not keep is the docs folder's lock, which a worker of a killed run would hold on
            # to: writer.py closes it in every forked child.
            context = multiprocessing.get_context("fork")
            workers = min(self.jobs, len(todo))
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(self.shared,)) as pool:
                return dict(zip([path for path, _ in todo],
                                pool.map(_build_one, todo, chunksize=max(1, len(todo) // (4 * workers))), strict=True))
        self.citer = self.citer or Citer()
        return {path: build.build_discussion(read_source(path), self.shared, self.citer, slug) for path, slug in todo}


@dataclass(frozen=True)
class Site:
    """One run's output: the files made, the files left as they are, and what the build cache should keep."""

    files: dict[str, str | bytes]     # every file made in this run, by path under docs/
    kept: tuple[str, ...] = ()        # files of unchanged sources, left as they are in docs/
    entries: dict[str, tuple[str, list[str], Summary]] = field(default_factory=dict)  # cache key → what was built
    reused: frozenset[str] = frozenset()  # cache keys of the unchanged sources
    rendered: int = 0                 # how many sources were built
    warnings: tuple[str, ...] = ()    # problems that do not stop the build (a glossary entry no source uses)


def build_site(sources: Path, glossary: Path | None, cache: BuildCache | None = None,
               see_also: Path | None = None, jobs: int = 1, memo: dict | None = None,
               citer: Citer | None = None) -> Site:
    """Every discussion's build (``build_discussion``; with a ``cache``, only those whose inputs changed), then the
    site-wide files from their summaries. ``see_also``: the links made by hand (a missing file means none).

    The sources' slugs are given in file order (``_unique_slug``): a source whose slug is not the one its title
    gives, or not the one it had, is built again under its slug. A glossary entry that no source uses is left out
    of the site, with a warning. ``memo``: the site-wide pages of the last run (``site_wide``); ``citer``: the
    Citer of the last run, for what is built in this process (its styles and templates are made once).
    """
    shared, paths = _shared(sources, glossary, see_also)
    terms, links = shared.terms, shared.links
    keys = {path: cache.key(path, shared.alone) if cache else None for path in paths}
    cached = {path: entry for path in paths if cache and (entry := cache.get(keys[path]))}
    builder = _Builder(shared, jobs, citer)
    built = builder([(path, "") for path in paths if path not in cached])
    summaries = {path: (cached[path] if path in cached else built[path]).summary for path in paths}
    slugs = _slugs(paths, {path: summary.parsed_slug for path, summary in summaries.items()})
    moved = [path for path in paths if summaries[path].discussion.slug != slugs[path]]
    for path in moved:  # another source now has its slug, or it no longer needs a longer one
        cached.pop(path, None)
    built |= builder([(path, slugs[path]) for path in moved])
    summaries |= {path: b.summary for path, b in built.items()}
    ordered = [summaries[path] for path in paths]
    files = {rel: text for b in built.values() for rel, text in b.files.items()} | site_wide(terms, ordered, memo)
    entries = {keys[path]: (b.summary.discussion.slug, list(b.files), b.summary)
               for path, b in built.items() if keys[path]}
    published = published_terms(terms, ordered)
    warnings = unused_warnings(Annotations(terms, unused=tuple(t.id for t in terms if t not in published)),
                               glossary) if glossary else []
    warnings += unknown_warnings(links, {s.discussion.slug for s in ordered}, see_also or "")
    return Site(files, tuple(rel for entry in cached.values() for rel in entry.files), entries,
                frozenset(keys[path] for path in cached), len(built), tuple(warnings))


def _shared(sources: Path, glossary: Path | None, see_also: Path | None) -> tuple[build.Shared, list[Path]]:
    """What every discussion's build shares (the glossary, the hand-made links, whether the site has one source), and
    the sources."""
    terms, links = load_glossary(glossary) if glossary else (), load_see_also(see_also)
    paths = find_sources(sources)
    return build.Shared(terms, links, len(paths) == 1, str(glossary or ""), str(see_also or "")), paths


def warm_up(sources: Path, glossary: Path | None, see_also: Path | None, memory: Memory) -> None:
    """Build the first source in this process and drop what it made, so that the templates are compiled and the
    Citer kept in ``memory`` has parsed its styles and rendered that source's shapes of work (scripts/cite.py): the
    first edit ``make serve`` sees then costs what the next ones do, not 0.3–0.4 s more (BENCHMARKS.md). A source
    of another journal issue has shapes of its own, rendered at its first edit (about 0.15 s)."""
    shared, paths = _shared(sources, glossary, see_also)
    if paths:
        _Builder(shared, 1, memory.citer)([(paths[0], "")])


def published_terms(terms: tuple[Term, ...], summaries: list[Summary]) -> tuple[Term, ...]:
    """The glossary entries some discussion uses: the others are left out of the site (with a warning)."""
    used = {hit.term for summary in summaries for hit in summary.hits}
    return tuple(t for t in terms if t.id in used)


def site_wide(terms: tuple[Term, ...], summaries: list[Summary], memo: dict | None = None) -> dict[str, str | bytes]:
    """The site-wide files, from every discussion's summary: the home page and passages.json, the glossary's pages
    (of the entries some discussion uses) and the navigation.

    ``memo``: the pages of the last run, each with what it was made from, kept by a process that generates again
    and again (scripts/serve.py; without one, every page is made). A page whose inputs all equal last time's is not
    made again: after an edit of one source of 1,000, most glossary pages and the navigation. Each page's inputs
    are said beside it; ``facts`` (each discussion but its letters) is what the home page, the glossary's pages
    and the navigation say of a discussion beside its letters and glossary hits, and when it changes every page
    is made again.
    """
    memo = {} if memo is None else memo
    published = published_terms(terms, summaries)
    facts = tuple(replace(s.discussion, letters=()) for s in summaries)
    letters = tuple(tuple(letter.slug for letter in s.discussion.letters) for s in summaries)
    if memo.get("facts") != facts:
        memo.clear()
        memo["facts"] = facts
    home = remembered(memo, "index.md", tuple((s.discussion, s.responds_term, s.cited) for s in summaries),
                      lambda: render_home(summaries))
    nav = remembered(memo, ".nav.yml", (published, letters), lambda: render_nav(summaries, published))
    return ({"index.md": home, "passages.json": passages_file([s.rows for s in summaries])} | nav
            | glossary_pages(published, summaries, memo, letters))



def site_files(sources: Path, glossary: Path | None, see_also: Path | None = None,
               jobs: int | None = None) -> dict[str, str | bytes]:
    """Every generated file's content, by path under docs/: all stages, in memory, nothing cached."""
    return build_site(sources, glossary, see_also=see_also, jobs=jobs or default_jobs()).files


@dataclass
class Memory:
    """What a process that generates again and again keeps between runs (scripts/serve.py): the build cache's entries
    (scripts/cache.py), so that they are not read back from disk, and the site-wide pages with what each was made
    from (``site_wide``), so that those whose inputs did not change are not made again, nor read back from docs/ to
    be compared (``written``); and the Citer, whose styles and templates are then made once (an edit's build
    renders no citation again)."""

    entries: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    citer: Citer = field(default_factory=Citer)  # its parsed styles and templates (scripts/cite.py)
    written: dict = field(default_factory=dict)  # path → (the text in docs/ after the last run, its file's stamp)


@dataclass(frozen=True)
class Run:
    """What ``generate`` did: the files it changed, how many sources it read and rendered, and its warnings."""

    changed: list[str]
    rendered: int
    sources: int
    warnings: tuple[str, ...] = ()


def generate(sources: Path, docs: Path, glossary: Path | None, see_also: Path | None = None,
             jobs: int | None = None, memory: Memory | None = None) -> Run:
    """Build every page from ``sources`` (and the glossary and the hand-made links) and write it into ``docs``.

    The build cache (scripts/cache.py) lives beside ``docs`` in ``.cache/``, so that only the sources whose inputs
    changed are built again; ``jobs`` processes build them (default: one per core). The whole run holds the docs
    folder's lock and first finishes a run that was interrupted (scripts/writer.py). ``memory``: what a caller that
    generates again and again (scripts/serve.py) keeps between runs, passed each time.
    """
    with writer.locked(docs):
        writer.recover(docs)
        folder = docs.resolve().parent / ".cache"
        cache = BuildCache(folder, docs, glossary, see_also, memory.entries if memory else None)
        site = build_site(sources, glossary, cache, see_also, jobs or default_jobs(), memory.pages if memory else None,
                          memory.citer if memory else None)
        files, kept = site.files, site.kept
        if memory:  # a site-wide page made last run and not touched since is left as it is, as an unchanged source's
            same = {rel for rel, text in files.items() if _unchanged(docs, rel, text, memory.written)}
            files, kept = {rel: text for rel, text in files.items() if rel not in same}, (*kept, *same)
        plan = writer.plan(docs, files, kept)
        writer.apply(docs, plan)
        cache.save(site.entries, set(site.reused))
        if memory:
            memory.written = {rel: (text, stamp(docs / rel)) for rel, text in site.files.items()}
    return Run([*plan.changed, *plan.stale], site.rendered, site.rendered + len(site.reused), site.warnings)


def _unchanged(docs: Path, rel: str, text: str, written: dict) -> bool:
    """Whether ``text`` is the very text (the same object: a page kept in ``Memory.pages``) that docs/ held after
    the last run, and its file has the size and time it had then."""
    last = written.get(rel)
    return last is not None and last[0] is text and last[1] is not None and stamp(docs / rel) == last[1]


def check(sources: Path, docs: Path, glossary: Path | None, see_also: Path | None = None,
          jobs: int | None = None) -> list[str]:
    """The files in ``docs`` that ``generate`` would write or remove now (none: docs/ is up to date).

    Writes nothing. docs/ is read under a shared lock (scripts/writer.py), so never half-written;
    a run that was interrupted is an error, reported before the sources are built.
    """
    with writer.locked(docs, shared=True):
        _refuse_unfinished(docs)
    files = site_files(sources, glossary, see_also, jobs)
    with writer.locked(docs, shared=True):
        _refuse_unfinished(docs)
        return writer.plan(docs, files).out_of_date


def _refuse_unfinished(docs: Path) -> None:
    """A one-line error if an interrupted ``generate`` left docs/ unfinished (call under the lock)."""
    if writer.interrupted(docs):
        raise PipelineError(docs, writer.UNFINISHED.format(docs=docs))
