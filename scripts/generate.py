"""Generate: run every stage over a folder of sources and write the results into docs/.

All pages are computed in memory first, so a bad source stops the run before any file
is touched. Files are then written one by one through a temporary file and an atomic
rename, and only when their content changed (so an unchanged page keeps its mtime and
``mkdocs serve`` rebuilds only what moved). A manifest (``.generated.json``) lists what
the pipeline wrote; a generated file that is no longer produced is removed, and no
other file in docs/ is ever touched.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import yaml

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


def build_discussions(sources: Path) -> list[Discussion]:
    """Read, repair and parse every source in a folder."""
    discussions = []
    slugs: dict[str, str] = {}
    for path in find_sources(sources):
        source = read_source(path)
        discussion = parse(repair(source.text), path.name, source.meta)
        if discussion.slug in slugs:  # two sources with one title: keep both, told apart by file name
            discussion = _with_slug(discussion, f"{discussion.slug}-{path.stem}")
        slugs[discussion.slug] = path.name
        discussions.append(discussion)
    return discussions


def _with_slug(discussion: Discussion, slug: str) -> Discussion:
    from dataclasses import replace

    return replace(discussion, slug=slug)


def _write_atomically(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(content)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; published files are world-readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files(docs: Path, files: dict[str, str]) -> list[str]:
    """Write generated files into ``docs``; return the paths whose content changed."""
    manifest_path = docs / MANIFEST
    try:
        previous = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else []
    except (OSError, ValueError):
        raise PipelineError(manifest_path, "cannot read the list of generated files; delete it, regenerate") from None
    changed = []
    try:
        for rel, content in sorted(files.items()):
            target = docs / rel
            if target.exists() and target.read_text(encoding="utf-8") == content:
                continue
            _write_atomically(target, content)
            changed.append(rel)
        for rel in sorted(set(previous) - set(files)):
            stale = docs / rel
            if stale.is_file():
                stale.unlink()
                changed.append(rel)
        manifest = json.dumps(sorted(files), indent=1) + "\n"
        if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != manifest:
            _write_atomically(manifest_path, manifest)
    except OSError as err:
        raise PipelineError(err.filename or docs, f"cannot write ({err.strerror})") from None
    return changed


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
