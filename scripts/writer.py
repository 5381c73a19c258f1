"""The one writer of docs/: what a run changes (``plan``), and writing it all or nothing (``apply``).

``generate`` and ``check`` share ``plan``: the generated files whose content differs from what is
in docs/ (or that are missing), the generated files of an earlier run that are no longer produced
(listed in the manifest, ``.generated.json``), and the new manifest. ``check`` reports the plan;
``generate`` applies it. Every path is checked before anything is written (``inside``): nothing
absolute, nothing with ``..``, nothing that resolves outside docs/ (a symlink inside docs/
pointing elsewhere included). A manifest entry that fails the check is never removed.

``apply`` is all or nothing even when the process is killed (``kill -9``, a power cut) at any
moment. It keeps a journal, as databases and git do:

a. every new file is written into one staging folder inside docs/ (``.generate/``) and synced (an fsync
   each, or one sync(2) for a run of ``SYNC_ONCE_FROM`` files or more);
   every file that will be replaced or removed gets a backup there (a hard link, else a copy);
b. the journal (the renames staged file → target, the removals, the folders to create, the
   folders to remove once empty) is written to a temporary file there, synced, and renamed to
   ``journal.json``, and the folder synced: **that rename is the commit point**;
c. the removals, new folders and renames are done (the manifest last) and the folders synced;
d. the staging folder is removed, its journal last.

``recover`` runs at the start of every ``generate``: a committed journal is rolled forward (each
rename done if its staged file is still there, each removal if its file still exists: doing it
twice changes nothing); a staging folder without a journal is deleted, since docs/ itself was not
touched before the commit point. So after a kill, docs/ is as the last finished run left it
until the commit point, and as this run leaves it after. An error inside ``apply`` (a full disk,
a folder that cannot be written) is undone in-process from the backups, so docs/ is as it was
(unchanged files keep their modification time too), and reported as one line.

The staging folder's name starts with a dot, so MkDocs never publishes it: MkDocs 1.6 excludes
``.*`` at any depth unless ``exclude_docs`` says otherwise (``_default_exclude`` and
``set_exclusions`` in mkdocs/structure/files.py). It is in .gitignore.

Two runs never interleave: ``generate`` holds an exclusive ``flock`` on the docs folder itself
for the whole run (``locked``), taken without waiting, so a second run stops with one line; the
kernel drops the lock when a process dies, so a killed run leaves no stale lock. ``check`` takes
a shared lock while it reads docs/: several checks may read at once, none reads a half-written
docs/, and a ``generate`` that finds only readers waits a moment for them rather than fail.

Every mutating call goes through this module's ``os`` (``os.open``, ``os.write``, ``os.fsync``,
``os.sync``, ``os.link``, ``os.replace``, ``os.unlink``, ``os.mkdir``, ``os.rmdir``): tests/test_crash.py
replaces it to kill the process at each of those calls in turn.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from scripts.errors import PipelineError

MANIFEST = ".generated.json"
STAGING = ".generate"   # the staging folder inside docs/ (MkDocs does not publish dot-folders, see above)
JOURNAL = "journal.json"

LOCKED = "another generate is writing this folder ({holder}); try again when it has finished"
READING = "a check is still reading this folder; try again when it has finished"
UNFINISHED = "an interrupted generate left {docs} unfinished; run `make generate`"
WRITE_FAILED = "cannot write ({reason}); {docs} was left as it was"
UNDO_FAILED = "cannot write ({reason}) nor undo what was written; the next generate completes the run"
RECOVER_FAILED = "cannot finish the interrupted generate ({reason})"
BAD_JOURNAL = "cannot read the journal of an interrupted generate; delete {staging} and run `make generate`"
READERS_WAIT = 30.0  # seconds a generate waits for checks that are reading docs/
# From this many files (or folders) on, they are made durable by one sync(2) rather than an fsync each: here an fsync
# costs about 0.45 ms, and a cold build of 100 sources (1,121 files) spent 0.49 s of its 0.92 s of writing in them,
# where one sync took 0.07 s (BENCHMARKS.md, 2026-12-01). Below it, an fsync each: a sync would also wait for every
# other file this machine has yet to write (``make serve``'s search index, being made beside a small edit).
SYNC_ONCE_FROM = 128


class Busy(PipelineError):
    """Another process holds the docs folder's lock: nothing was read or written (``watch`` retries)."""


def inside(folder: Path, rel: str | PurePath) -> Path:
    """``folder / rel``, after checking that it names something inside ``folder``.

    Refused (one-line PipelineError naming the path): an absolute path, a path with ``..``, an empty
    one, and any that resolves outside ``folder.resolve()``, through a symlink in ``folder`` included.

    >>> inside(Path("docs"), "a/b.md").as_posix()
    'docs/a/b.md'
    >>> inside(Path("docs"), "a/../../x")
    Traceback (most recent call last):
    scripts.errors.PipelineError: error: docs/a/../../x: not inside docs: refused
    """
    path = PurePath(rel)
    target = folder / path
    if (path.is_absolute() or ".." in path.parts or not path.parts
            or folder.resolve() not in target.resolve().parents):
        raise PipelineError(target, f"not inside {folder}: refused")
    return target


def _target(docs: Path, rel: str) -> Path:
    """A generated file's place in docs/: ``inside`` it, and never in the staging folder."""
    target = inside(docs, rel)
    if PurePath(rel).parts[0] == STAGING:
        raise PipelineError(target, f"inside {STAGING}/, which only generate itself writes: refused")
    return target


def _check_all(docs: Path, rels: list[str]) -> None:
    """``_target`` for many paths at once, resolving each folder once rather than each file.

    Exact: ``docs/a/b.md`` resolves inside docs/ if ``docs/a`` does and ``b.md`` is no symlink
    (``..`` and absolute paths are refused by name first); only a symlink is resolved on its own.
    """
    base, folders = docs.resolve(), {}
    for rel in rels:
        path = PurePath(rel)
        if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] == STAGING:
            _target(docs, rel)  # raises
        if path.parent not in folders:
            found = (docs / path.parent).resolve()
            folders[path.parent] = found == base or base in found.parents
        if not folders[path.parent] or os.path.islink(docs / rel):
            _target(docs, rel)  # raises if it resolves outside


def read_manifest(docs: Path) -> list[str]:
    """The generated files listed by the last finished run (none if there is no manifest)."""
    path = docs / MANIFEST
    try:
        previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        if not isinstance(previous, list) or not all(isinstance(rel, str) for rel in previous):
            raise ValueError(previous)
    except (OSError, ValueError):
        raise PipelineError(path, "cannot read the list of generated files; delete it, regenerate") from None
    return previous


@dataclass(frozen=True)
class Plan:
    """What writing one run's files into docs/ changes; ``apply`` carries it out, ``check`` reports it."""

    writes: dict[str, str | bytes] = field(default_factory=dict)  # path → content: each file missing or different
    stale: tuple[str, ...] = ()                            # generated files no longer produced: removed
    manifest: str = ""                                     # the new manifest (in ``writes`` if it changed)

    @property
    def changed(self) -> list[str]:
        """The generated files to write, the manifest aside."""
        return sorted(rel for rel in self.writes if rel != MANIFEST)

    @property
    def out_of_date(self) -> list[str]:
        """Every file ``apply`` would write or remove: what ``check`` names."""
        return [*self.changed, *self.stale, *([MANIFEST] if MANIFEST in self.writes else [])]


def plan(docs: Path, files: dict[str, str | bytes], kept: tuple[str, ...] | list[str] = ()) -> Plan:
    """What must change in ``docs`` so that it holds ``files`` (path under docs/ → content: text, written in UTF-8,
    or bytes).

    ``kept``: generated files left as they are (those of unchanged sources, scripts/cache.py):
    they stay in the manifest and are never stale. Every path is checked first (``inside``); a
    previous manifest's entry that fails the check is left out (a hand-edited manifest must never
    make generate remove a file elsewhere). Content is compared byte for byte.
    """
    manifest = json.dumps(sorted({*files, *kept}), indent=1) + "\n"
    wanted = {**files, MANIFEST: manifest}
    _check_all(docs, list(wanted))
    writes = {}
    for rel, content in sorted(wanted.items()):
        target = docs / rel
        try:
            same = target.is_file() and target.read_bytes() == _utf8(content)
        except OSError as err:
            raise PipelineError(target, f"cannot read ({err.strerror})") from None
        if not same:
            writes[rel] = content
    stale = []
    for rel in sorted(set(read_manifest(docs)) - set(files) - set(kept)):
        try:
            target = _target(docs, rel)
        except PipelineError:
            continue
        if target.is_file():
            stale.append(rel)
    return Plan(writes, tuple(stale), manifest)


def _utf8(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


@dataclass(frozen=True)
class Journal:
    """What ``apply`` does to docs/ after the commit point; every step can be done again safely."""

    remove: tuple[str, ...] = ()                  # files to remove
    folders: tuple[str, ...] = ()                 # folders to create, parents first
    rename: tuple[tuple[str, str], ...] = ()      # (staged file's name, target), the manifest last
    prune: tuple[str, ...] = ()                   # folders to remove if empty, deepest first
    backup: dict[str, str] = field(default_factory=dict)  # target → its backup's name (for an in-process undo)

    def to_json(self) -> str:
        return json.dumps({"remove": self.remove, "folders": self.folders, "rename": self.rename,
                           "prune": self.prune, "backup": self.backup}, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Journal:
        data = json.loads(text)
        return cls(tuple(data["remove"]), tuple(data["folders"]), tuple((n, r) for n, r in data["rename"]),
                   tuple(data["prune"]), dict(data["backup"]))


def interrupted(docs: Path) -> bool:
    """Whether a ``generate`` was interrupted here (its staging folder is left); only meaningful under the lock."""
    return os.path.lexists(docs / STAGING)


def recover(docs: Path) -> bool:
    """Finish what an interrupted ``generate`` left: roll a committed journal forward, or drop an
    uncommitted staging folder. Returns whether there was anything to do. Call it under the lock."""
    if not interrupted(docs):
        return False
    staging = inside(docs, STAGING)
    try:
        if os.path.lexists(staging / JOURNAL):
            try:
                journal = Journal.from_json((staging / JOURNAL).read_text(encoding="utf-8"))
            except (ValueError, KeyError, TypeError):
                raise PipelineError(staging / JOURNAL, BAD_JOURNAL.format(staging=staging)) from None
            _perform(docs, staging, journal)
        _clear(staging)
    except OSError as err:
        raise PipelineError(err.filename or staging, RECOVER_FAILED.format(reason=err.strerror)) from None
    return True


def apply(docs: Path, plan: Plan) -> None:
    """Write ``plan`` into ``docs``: all of it or, whatever happens, none of it (see the module's docstring).

    Call it under the lock, after ``recover``. Raises a one-line PipelineError if a write fails.
    """
    if not plan.writes and not plan.stale:
        return
    _check_all(docs, [*plan.writes, *plan.stale])  # every path checked before anything is written
    staging = docs / STAGING
    try:
        docs.mkdir(parents=True, exist_ok=True)  # (``locked`` has made it already, in generate)
        os.mkdir(staging)
    except OSError as err:
        raise PipelineError(staging, WRITE_FAILED.format(reason=err.strerror, docs=docs)) from None
    journal, committed = None, False
    try:
        journal = _stage(docs, staging, plan)
        _prepare(docs, staging, journal)
        os.replace(staging / f"{JOURNAL}.tmp", staging / JOURNAL)  # the commit point
        committed = True
        _fsync_dir(staging)
        _perform(docs, staging, journal)
    except OSError as err:
        where = err.filename or docs
        try:
            if committed:
                _undo(docs, staging, journal)
            _clear(staging)
        except OSError:
            raise PipelineError(where, UNDO_FAILED.format(reason=err.strerror)) from None
        raise PipelineError(where, WRITE_FAILED.format(reason=err.strerror, docs=docs)) from None
    with contextlib.suppress(OSError):
        _clear(staging)  # docs/ is complete; a staging folder left here is removed by the next run's recover


def _stage(docs: Path, staging: Path, plan: Plan) -> Journal:
    """Step (a): the new files and the backups, in the staging folder; returns the journal to commit."""
    order = [*plan.changed, *([MANIFEST] if MANIFEST in plan.writes else [])]
    renames, backup, folders, there = [], {}, {}, {}
    each = not _sync_once(len(order))
    for i, rel in enumerate(order):
        target = docs / rel
        try:
            _write(staging / f"new-{i}", _utf8(plan.writes[rel]), sync=each)
        except OSError as err:
            raise OSError(err.errno, err.strerror, str(target)) from None
        renames.append((f"new-{i}", rel))
        if os.path.lexists(target):
            backup[rel] = _back_up(target, staging / f"old-{i}")
        for folder in _folders(rel):
            if folder not in there:
                there[folder] = (docs / folder).is_dir()
            if not there[folder]:
                folders[folder] = None
    for j, rel in enumerate(plan.stale):
        backup[rel] = _back_up(docs / rel, staging / f"gone-{j}")
    prune = sorted({folder for rel in plan.stale for folder in _folders(rel)}, key=lambda f: (-f.count("/"), f))
    if not each:
        os.sync()
    _fsync_dir(staging)
    return Journal(plan.stale, tuple(folders), tuple(renames), tuple(prune), backup)


def _folders(rel: str) -> list[str]:
    """The folders a path under docs/ is in, outermost first.

    >>> _folders("a/b/c.md"), _folders("index.md")
    (['a', 'a/b'], [])
    """
    return [folder.as_posix() for folder in reversed(PurePath(rel).parents[:-1])]


def _prepare(docs: Path, staging: Path, journal: Journal) -> None:
    """Step (b), up to the commit point: the journal written and synced under a temporary name.

    ``apply`` then renames it to ``journal.json`` (the commit point) and syncs the staging folder.
    """
    _fsync_dir(docs)  # the staging folder's own entry
    _write(staging / f"{JOURNAL}.tmp", journal.to_json().encode("utf-8"))


def _perform(docs: Path, staging: Path, journal: Journal) -> None:
    """Step (c), and recovery: removals, new folders, renames (the manifest last), empty folders removed.

    Each step is done only if still needed, so doing it all again after a kill changes nothing.
    """
    _check_all(docs, [*journal.remove, *journal.folders, *(rel for _, rel in journal.rename), *journal.prune])
    for name, _ in journal.rename:  # a journal read back from disk is checked like a plan
        if "/" in name or name in ("", ".", ".."):
            raise PipelineError(staging / name, f"not a file of {staging}: refused")
    touched = {docs}
    for rel in journal.remove:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(docs / rel)
        touched.add((docs / rel).parent)
    for rel in journal.folders:
        with contextlib.suppress(FileExistsError):
            os.mkdir(docs / rel)
        touched.add((docs / rel).parent)
    for name, rel in journal.rename:
        if os.path.lexists(staging / name):  # else renamed already, by the run a recovery finishes
            os.replace(staging / name, docs / rel)
            touched.add((docs / rel).parent)
    for rel in journal.prune:  # a removed discussion's folder goes too, once empty
        _remove_if_empty(docs / rel)
    _sync_folders(touched)


def _undo(docs: Path, staging: Path, journal: Journal) -> None:
    """After a failure past the commit point: put docs/ back as it was, from the backups.

    Each new file goes back into the staging folder before its old one returns, and the journal is
    removed last: until then a recovery after a kill rolls the whole run forward, never half of it.
    """
    touched = {docs}
    for name, rel in reversed(journal.rename):
        if os.path.lexists(staging / name):
            continue  # not renamed into place
        os.replace(docs / rel, staging / name)
        if rel in journal.backup:
            os.replace(staging / journal.backup[rel], docs / rel)
        touched.add((docs / rel).parent)
    for rel in journal.remove:
        backup = staging / journal.backup[rel]
        if os.path.lexists(docs / rel) or not os.path.lexists(backup):
            continue  # not removed
        for folder in _folders(rel):
            if not (docs / folder).is_dir():
                os.mkdir(docs / folder)  # a pruned folder back
        os.replace(backup, docs / rel)
        touched.add((docs / rel).parent)
    for rel in reversed(journal.folders):
        _remove_if_empty(docs / rel)
    _sync_folders(touched)
    os.unlink(staging / JOURNAL)  # uncommitted: a recovery now only deletes the staging folder
    _fsync_dir(staging)


def _remove_if_empty(folder: Path) -> None:
    """Remove a folder if it is empty; one that holds files (or is gone already) is no error, any other failure is."""
    try:
        os.rmdir(folder)
    except OSError as err:
        if err.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
            raise


def _clear(staging: Path) -> None:
    """Step (d): remove the staging folder, its journal last."""
    with os.scandir(staging) as entries:
        names = sorted(entry.name for entry in entries)
    for name in names:
        if name == JOURNAL:
            continue
        path = staging / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)  # never made by generate
        else:
            os.unlink(path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(staging / JOURNAL)
    os.rmdir(staging)


def _write(path: Path, data: bytes, sync: bool = True) -> None:
    """A new file, readable by all (0644: published files), synced to disk (unless the caller syncs it: ``sync``)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.fchmod(handle, 0o644)  # whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        if sync:
            os.fsync(handle)
    finally:
        os.close(handle)


def _sync_once(count: int) -> bool:
    """Whether to make ``count`` files or folders durable by one sync(2) (SYNC_ONCE_FROM). Only on Linux, whose sync
    returns once the writes are done, as fsync does (man 2 sync); POSIX lets sync return before."""
    return count >= SYNC_ONCE_FROM and sys.platform == "linux"


def _sync_folders(folders: set[Path]) -> None:
    """Make the entries of these folders (files renamed, created, removed in them) durable."""
    present = [folder for folder in sorted(folders) if folder.is_dir()]
    if _sync_once(len(present)):
        os.sync()
        return
    for folder in present:
        _fsync_dir(folder)


def _back_up(target: Path, backup: Path) -> str:
    """Keep ``target`` as ``backup`` (a hard link: no copy, same modification time); returns its name."""
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, backup, follow_symlinks=False)  # a file system without hard links
    return backup.name


def _fsync_dir(folder: Path) -> None:
    """Make a folder's entries (files created, renamed, removed in it) durable."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@contextlib.contextmanager
def locked(docs: Path, shared: bool = False) -> Iterator[None]:
    """Hold the docs folder's lock for the block: exclusive (``generate``, which first creates the
    folder if missing), or shared (``check``, which reads; a missing folder then has nothing to lock).

    Never waits for a writer: if another ``generate`` holds the lock, raises ``Busy``, one line.
    """
    created = not shared and not docs.is_dir()
    if created:
        try:
            docs.mkdir(parents=True)
        except OSError as err:
            raise PipelineError(docs, f"cannot create the folder ({err.strerror})") from None
    try:
        handle = os.open(docs, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        handle = None
    except OSError as err:
        raise PipelineError(docs, f"cannot open the folder ({err.strerror})") from None
    if handle is None:
        if not shared:
            raise PipelineError(docs, "no such folder")
        yield  # nothing to read: nothing to lock
        return
    try:
        _acquire(handle, docs, shared)
        _held.add(handle)
        yield
    finally:
        _held.discard(handle)
        os.close(handle)  # the lock goes with the last descriptor
        if created:
            with contextlib.suppress(OSError):
                docs.rmdir()  # a failed first run leaves no empty folder behind (only an empty one goes)


# The descriptors of the locks this process holds. A child forked while one is held (generate's worker processes,
# scripts/generate.py) shares the lock through its copy of the descriptor, and would keep the folder locked if
# the run were killed: it closes its copies at once, before it runs anything (os.register_at_fork).
_held: set[int] = set()


def _forget_locks() -> None:
    for handle in _held:
        with contextlib.suppress(OSError):
            os.close(handle)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks)


def _acquire(handle: int, docs: Path, shared: bool) -> None:
    """Take the lock without waiting for a writer; a writer waits up to READERS_WAIT for readers."""
    deadline = time.monotonic() + READERS_WAIT
    while True:
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as err:
            raise PipelineError(docs, f"cannot lock the folder ({err.strerror})") from None
        if shared:
            raise Busy(docs, LOCKED.format(holder=_holder(handle)))
        try:  # a shared lock is free if only checks hold the folder: wait for them
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(docs, LOCKED.format(holder=_holder(handle))) from None
        fcntl.flock(handle, fcntl.LOCK_UN)
        if time.monotonic() > deadline:
            raise Busy(docs, READING)
        time.sleep(0.05)


def _holder(handle: int) -> str:
    """Which process holds the folder's exclusive lock, from /proc/locks (Linux), if it says."""
    found = os.fstat(handle)
    where = f"{os.major(found.st_dev):02x}:{os.minor(found.st_dev):02x}:{found.st_ino}"  # as fs/locks.c prints it
    with contextlib.suppress(OSError):
        for line in Path("/proc/locks").read_text().splitlines():
            parts = line.split()
            if len(parts) > 5 and parts[1] == "FLOCK" and parts[3] == "WRITE" and parts[5] == where:
                return f"process {parts[4]}"
    return "held by another process"
