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
from dataclasses import replace
from pathlib import Path

import yaml
from markdown.extensions.toc import slugify

from scripts import cite_cache
from scripts.annotate import annotate, load_glossary
from scripts.edition import render_editions
from scripts.errors import PipelineError
from scripts.model import Discussion
from scripts.parse import parse
from scripts.render import render_site
from scripts.render_glossary import render_glossary
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


def build_discussions(sources: Path) -> list[Discussion]:
    """Read, repair and parse every source in a folder.

    Each source is its own discussion under its own slug: two sources with one title (or a
    title that names one of the site's own folders) are told apart by file name, so no page,
    paragraph URL or passages.json entry of one source can collide with another's.
    """
    discussions = []
    taken = set(RESERVED_SLUGS)
    for path in find_sources(sources):
        source = read_source(path)
        discussion = parse(repair(source.text), path.name, source.meta)
        slug = _unique_slug(discussion.slug, path.stem, taken)
        if slug != discussion.slug:
            discussion = replace(discussion, slug=slug)
        taken.add(slug)
        discussions.append(discussion)
    return discussions


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


def write_files(docs: Path, files: dict[str, str]) -> list[str]:
    """Write generated files into ``docs``; return the paths whose content changed.

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
    wanted[MANIFEST] = json.dumps(sorted(files), indent=1) + "\n"
    changed = [rel for rel, content in sorted(wanted.items())
               if not (docs / rel).is_file() or (docs / rel).read_text(encoding="utf-8") != content]
    stale = [rel for rel in sorted(set(previous) - set(files)) if _inside(rel) and (docs / rel).is_file()]
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


def site_files(sources: Path, glossary: Path | None, site_url: str | None = None) -> dict[str, str]:
    """Every generated file's content, by path under docs/: all stages, in memory.

    ``site_url`` (default: mkdocs.yml's) is the absolute base of every citation URL.
    """
    site_url = site_url or read_site_url()
    discussions = build_discussions(sources)
    terms = load_glossary(glossary) if glossary else ()
    annotations = annotate(discussions, terms, glossary or "")
    return (render_site(discussions, annotations, site_url) | render_glossary(discussions, annotations)
            | render_editions(discussions, annotations))


def generate(sources: Path, docs: Path, glossary: Path | None, site_url: str | None = None) -> list[str]:
    """Build every page from ``sources`` (and the glossary) and write it into ``docs``.

    Rendered citations are cached beside ``docs`` in ``.cache/`` (scripts/cite_cache.py): after
    one source is edited, only its citations are rendered again.
    """
    with cite_cache.kept_in(docs.resolve().parent / ".cache"):
        files = site_files(sources, glossary, site_url)
    return write_files(docs, files)


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
