"""Generate: run every stage over a folder of sources and write the results into docs/.

All pages are computed in memory first, so a bad source stops the run before any file
is touched. Only files whose content changed are written (so an unchanged page keeps its
mtime and ``mkdocs serve`` rebuilds only what moved): all of them first to temporary files,
then each renamed into place, with a roll-back if anything fails (``write_files``). A
manifest (``.generated.json``) lists what the pipeline wrote; a generated file that is no
longer produced is removed, and no other file in docs/ is ever touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from markdown.extensions.toc import slugify

from scripts import cite_cache, page_cache
from scripts.annotate import annotate, load_glossary
from scripts.edition import edition_filename, render_edition
from scripts.errors import PipelineError
from scripts.model import Discussion
from scripts.parse import parse
from scripts.render import discussion_files, home_share, site_pages
from scripts.render_glossary import glossary_pages, glossary_share
from scripts.render_nav import render_nav
from scripts.repair import repair
from scripts.sources import find_sources, read_source

MANIFEST = ".generated.json"


# Top-level names in docs/ and the built site that are not discussions: the glossary's
# folder, the hand-written assets, and what MkDocs and Material add to the site. A source
# whose title slugifies to one of these gets a longer slug, so its pages never overwrite
# (or are overwritten by) the site's own.
RESERVED_SLUGS = frozenset({"glossary", "javascripts", "stylesheets", "assets", "search"})


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


def _stage(path: Path, content: str, made: list[Path]) -> Path:
    """Write ``content`` to a temporary file beside ``path`` (creating folders, noted in ``made``)."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir()
        made.append(folder)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(content)
        os.chmod(tmp, 0o644)  # mkstemp makes files 0600; published files are readable by all
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _inside(rel: str) -> bool:
    """Whether a manifest entry names a path inside docs/: a hand-edited manifest must never make
    generate remove a file elsewhere."""
    return not Path(rel).is_absolute() and ".." not in Path(rel).parts


def write_files(docs: Path, files: dict[str, str], kept: tuple[str, ...] = ()) -> list[str]:
    """Write generated files into ``docs``; return the paths whose content changed.

    ``kept``: generated files left as they are (those of unchanged sources, scripts/page_cache.py):
    they stay in the manifest and are never removed as stale.

    Two phases, so that a failure (a full disk, a folder that cannot be written) never leaves
    docs/ half new and half old: first every changed file is written to a temporary file
    beside its target; only when all are written is each renamed over its target (a rename
    within a folder is atomic), the stale generated files removed and, last, the manifest
    replaced. If any step fails, the temporary files and new folders are removed and files
    already replaced or removed get their old content back, so docs/ is as it was.
    """
    manifest_path = docs / MANIFEST
    try:
        previous = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else []
        if not isinstance(previous, list) or not all(isinstance(rel, str) for rel in previous):
            raise ValueError(previous)
    except (OSError, ValueError):
        raise PipelineError(manifest_path, "cannot read the list of generated files; delete it, regenerate") from None
    wanted = dict(files)
    wanted[MANIFEST] = json.dumps(sorted({*files, *kept}), indent=1) + "\n"
    changed = [rel for rel, content in sorted(wanted.items())
               if not (docs / rel).is_file() or (docs / rel).read_text(encoding="utf-8") != content]
    stale = [rel for rel in sorted(set(previous) - set(files) - set(kept)) if _inside(rel) and (docs / rel).is_file()]
    staged: dict[str, Path] = {}
    made: list[Path] = []
    done: list[tuple[Path, bytes | None]] = []  # files replaced or removed so far, with their old content
    try:
        for rel in changed:
            staged[rel] = _stage(docs / rel, wanted[rel], made)
        # The manifest goes last: until then it still lists what the previous run wrote.
        for rel in [*(r for r in changed if r != MANIFEST), *stale, *(r for r in changed if r == MANIFEST)]:
            target = docs / rel
            done.append((target, target.read_bytes() if target.is_file() else None))
            if rel in staged:
                os.replace(staged[rel], target)
                del staged[rel]
            else:
                target.unlink()
    except OSError as err:
        _roll_back(staged, made, done)
        raise PipelineError(err.filename or docs, f"cannot write ({err.strerror}); {docs} was left as it was") from None
    # A removed discussion's folder goes too, once empty.
    for folder in sorted({(docs / rel).parent for rel in stale}, key=lambda f: -len(f.parts)):
        while folder != docs and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return [rel for rel in [*changed, *stale] if rel != MANIFEST]


def _roll_back(staged: dict[str, Path], made: list[Path], done: list[tuple[Path, bytes | None]]) -> None:
    """Undo a failed write: drop temporary files, restore replaced files, remove new folders."""
    for tmp in staged.values():
        tmp.unlink(missing_ok=True)
    for target, old in reversed(done):
        with contextlib.suppress(OSError):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


MKDOCS_CONFIG = Path(__file__).resolve().parent.parent / "mkdocs.yml"


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml; tags such as ``!ENV`` or ``!!python/name:…`` (MkDocs' own) are read as plain values."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_site_url(config: Path = MKDOCS_CONFIG) -> str:
    """``site_url`` from mkdocs.yml: the absolute address that citations and permalinks use."""
    try:
        settings = yaml.load(config.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except OSError as err:
        raise PipelineError(config, f"cannot read the site configuration ({err.strerror})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise PipelineError(config, "not valid YAML", line=mark.line + 1 if mark else None) from None
    url = settings.get("site_url") if isinstance(settings, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise PipelineError(config, "site_url must be the site's absolute address (http:// or https://); "
                                    "citations are built from it")
    return url


@dataclass(frozen=True)
class Site:
    """One run's output: the files rendered, the files left as they are, and what the page cache should keep."""

    files: dict[str, str]             # every file rendered in this run, by path under docs/
    kept: tuple[str, ...] = ()        # files of unchanged sources, left as they are in docs/
    entries: dict[str, page_cache.Entry] = field(default_factory=dict)  # page-cache entries of rendered sources
    reused: frozenset[str] = frozenset()  # page-cache keys of the unchanged sources
    rendered: int = 0                 # how many sources were read and rendered


def build_site(sources: Path, glossary: Path | None, site_url: str, cache: page_cache.PageCache | None = None) -> Site:
    """Every stage over every source; with a page ``cache``, only over the sources whose inputs changed.

    The sources' slugs are given in file order (``_unique_slug``), so an unchanged source is reused
    only if it gets the slug it had; the glossary's "occurs in no source" check counts the terms of
    reused sources from their cached concordance.
    """
    terms = load_glossary(glossary) if glossary else ()
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
    annotations = annotate([read[path] for path in paths if path in read], terms, glossary or "", used)
    files: dict[str, str] = {}
    entries: dict[str, page_cache.Entry] = {}
    homes, glossaries = [], []
    for path in paths:
        if path in cached:
            home, share = cached[path].home, cached[path].glossary
        else:
            d = read[path]
            own = discussion_files(d, annotations, site_url) | {edition_filename(d): render_edition(d, annotations)}
            files |= own
            home, share = home_share(d, annotations, site_url, alone), glossary_share(d, annotations, alone)
            if keys[path]:
                stamps: dict[str, list[int]] = {rel: [] for rel in own}  # filled in once written
                entries[keys[path]] = page_cache.Entry(parsed_slugs[path], d.slug, stamps, home, share)
        homes.append(home)
        glossaries.append(share)
    files |= site_pages(homes) | glossary_pages(terms, glossaries) | render_nav(homes, terms)
    kept = tuple(rel for entry in cached.values() for rel in entry.files)
    return Site(files, kept, entries, frozenset(keys[path] for path in cached), len(read))


def site_files(sources: Path, glossary: Path | None, site_url: str | None = None) -> dict[str, str]:
    """Every generated file's content, by path under docs/: all stages, in memory, nothing cached.

    ``site_url`` (default: mkdocs.yml's) is the absolute base of every citation URL.
    """
    return build_site(sources, glossary, site_url or read_site_url()).files


@dataclass(frozen=True)
class Run:
    """What ``generate`` did: the files it changed, and how many sources it read and rendered."""

    changed: list[str]
    rendered: int
    sources: int


def generate(sources: Path, docs: Path, glossary: Path | None, site_url: str | None = None) -> Run:
    """Build every page from ``sources`` (and the glossary) and write it into ``docs``.

    Two caches live beside ``docs`` in ``.cache/``: the page cache (scripts/page_cache.py), so that
    only the sources that changed are read and rendered again, and rendered citations
    (scripts/cite_cache.py), so that an edited source's citations are not rendered again.
    """
    site_url = site_url or read_site_url()
    folder = docs.resolve().parent / ".cache"
    cache = page_cache.PageCache(folder, docs, glossary, site_url)
    with cite_cache.kept_in(folder):
        site = build_site(sources, glossary, site_url, cache)
    changed = write_files(docs, site.files, site.kept)
    cache.save(site.entries, set(site.reused))
    return Run(changed, site.rendered, site.rendered + len(site.reused))


def stale_files(sources: Path, docs: Path, glossary: Path | None, site_url: str | None = None) -> list[str]:
    """Generated files in ``docs`` that differ from what ``sources`` generate now."""
    files = site_files(sources, glossary, site_url)
    stale = []
    for rel, content in sorted(files.items()):
        target = docs / rel
        if not target.is_file() or target.read_text(encoding="utf-8") != content:
            stale.append(rel)
    manifest = docs / MANIFEST
    previous = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else []
    stale += sorted(rel for rel in set(previous) - set(files) if (docs / rel).exists())
    return stale
