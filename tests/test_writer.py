"""scripts/writer.py, the one writer of docs/: every path checked before anything is written; one plan
for ``generate`` and ``check``; all or nothing under a crash at every writing call (simulated here,
in-process; tests/test_crash.py kills real processes); recovery; the lock."""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from scripts import writer
from scripts.cli import main
from scripts.errors import PipelineError

from folders import tree
from pages import forum_page

BEFORE = {"index.md": "home\n", "old/index.md": "old\n", "old/deep/page.md": "deep\n", "keep/a.md": "a\n",
          "keep/b.md": "b\n", "passages.json": "[1]\n"}
AFTER = {"index.md": "home, new\n", "keep/a.md": "a\n", "keep/b.md": "b, new\n", "new/index.md": "new\n",
         "new/sub/page.md": "page\n", "passages.json": '["\u00e9", 2]\n'.encode()}  # text, or bytes as they are
HAND = {"hand.md": "mine\n", "keep/mine.md": "mine too\n"}  # files generate did not write: never touched
PRIMITIVES = ("open", "write", "fsync", "sync", "link", "replace", "rename", "unlink", "mkdir", "rmdir")


class Crash(BaseException):
    """A simulated ``kill -9``: raised from inside a writing call, caught by nothing in the writer."""


class CountingOs:
    """``os`` as scripts.writer sees it: counts the writing calls; at call ``crash_at`` raises Crash,
    at call ``fail_at`` an OSError (disk full). ``fsync`` and ``sync`` are counted but skipped: a simulated crash
    loses no buffered data, and thousands of them would otherwise wait for the disk."""

    def __init__(self, crash_at: int = 0, fail_at: int = 0):
        self.calls, self.crash_at, self.fail_at = 0, crash_at, fail_at
        self.trace: list[tuple[str, str]] = []  # (call, its first argument)
        for name in PRIMITIVES:
            skipped = name in ("fsync", "sync")
            setattr(self, name, self._counted(name, (lambda *args: None) if skipped else getattr(os, name)))

    def _counted(self, name: str, real):
        def call(*args, **kwargs):
            self.calls += 1
            self.trace.append((name, str(args[0]) if args else ""))
            if self.calls == self.fail_at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]) if args else None)
            if self.calls == self.crash_at:
                raise Crash
            return real(*args, **kwargs)

        return call

    def __getattr__(self, name: str):
        return getattr(os, name)

    def journal_removed(self) -> int:
        """The call that removed the journal (the end of a recovery's or an undo's real work), or the last call."""
        return next((n for n, (name, arg) in enumerate(self.trace, 1)
                     if name == "unlink" and arg.endswith(writer.JOURNAL)), self.calls)


@pytest.fixture(autouse=True)
def no_fsync(monkeypatch):
    """Thousands of simulated crashes need no durable disk writes: every test here skips fsync."""
    monkeypatch.setattr(writer, "os", CountingOs())


@pytest.fixture
def scratch(tmp_path) -> Path:
    """A folder for thousands of small trees: in memory (/dev/shm) where there is one, else tmp_path.
    What is tested is the writer's order of calls, not the disk."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(dir=shm, prefix="test-writer-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def make_before(docs: Path) -> None:
    writer.apply(docs, writer.plan(docs, BEFORE))
    for rel, text in HAND.items():
        (docs / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def states(tmp_path) -> tuple[dict, dict]:
    """The trees before and after applying AFTER over BEFORE (with hand-written files)."""
    docs = tmp_path / "reference" / "docs"
    make_before(docs)
    before = tree(docs)
    writer.apply(docs, writer.plan(docs, AFTER))
    return before, tree(docs)


def test_files_given_as_bytes_are_written_as_they_are_and_compared_as_bytes(tmp_path):
    docs = tmp_path / "docs"
    make_before(docs)
    writer.apply(docs, writer.plan(docs, AFTER))
    assert (docs / "passages.json").read_bytes() == b'["\xc3\xa9", 2]\n'
    assert (docs / "index.md").read_bytes() == b"home, new\n"
    assert writer.plan(docs, AFTER).changed == []


def run(docs: Path, monkeypatch, os_: CountingOs, action) -> bool:
    """``action()`` with scripts.writer using ``os_``; whether it crashed."""
    usual, writer.os = writer.os, os_
    try:
        action()
    except Crash:
        return True
    finally:
        writer.os = usual
    return False


# Paths: checked before anything is written.

def outside_paths(tmp_path: Path) -> list[str]:
    return ["../x", str(tmp_path / "outside" / "abs.md"), "a/../../x", "link/x.md", "", ".generate/journal.json"]


@pytest.mark.parametrize("which", range(6), ids=["parent", "absolute", "dotdot-inside", "symlink-out", "empty",
                                                  "staging"])
def test_a_path_outside_docs_is_refused_with_one_line_and_nothing_is_written(tmp_path, which):
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    make_before(docs)
    outside.mkdir()
    (docs / "link").symlink_to(outside, target_is_directory=True)
    rel = outside_paths(tmp_path)[which]
    everything = tree(tmp_path)
    with pytest.raises(PipelineError) as caught:
        writer.plan(docs, {**BEFORE, rel: "text\n"})
    message = caught.value.format()
    assert message.startswith("error: ") and "\n" not in message and "refused" in message
    assert str(docs / rel) in message if rel and not Path(rel).is_absolute() else rel in message
    bad = writer.Plan({rel: "text\n"})
    with pytest.raises(PipelineError):
        writer.apply(docs, bad)  # a plan made by hand is checked too
    assert tree(tmp_path) == everything


def test_inside_refuses_every_escape(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "link").symlink_to(tmp_path, target_is_directory=True)
    for rel in ("../x", "/etc/passwd", "a/../../x", "link/x", "link", "", "."):
        with pytest.raises(PipelineError):
            writer.inside(tmp_path / "docs", rel)
    assert writer.inside(tmp_path / "docs", "a/b/c.md") == tmp_path / "docs" / "a" / "b" / "c.md"


def test_manifest_entries_outside_docs_are_never_removed(tmp_path):
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    make_before(docs)
    outside.mkdir()
    (outside / "x.md").write_text("keep\n", encoding="utf-8")
    (docs / "link").symlink_to(outside, target_is_directory=True)
    manifest = json.loads((docs / writer.MANIFEST).read_text(encoding="utf-8"))
    hostile = ["../outside/x.md", str(outside / "x.md"), "link/x.md", ".generate/x"]
    (docs / writer.MANIFEST).write_text(json.dumps(manifest + hostile), encoding="utf-8")
    plan = writer.plan(docs, AFTER)
    assert not set(plan.stale) & set(hostile)
    writer.apply(docs, plan)
    assert (outside / "x.md").read_text(encoding="utf-8") == "keep\n"


def test_cache_writes_stay_inside_their_folder(tmp_path, capsys):
    """A build-cache folder that is a symlink to elsewhere: refused in one line, nothing written there."""
    sources, docs, outside = tmp_path / "sources", tmp_path / "docs", tmp_path / "outside"
    sources.mkdir()
    outside.mkdir()
    (sources / "a.txt").write_text(forum_page(title="First"), encoding="utf-8")
    args = ["generate", "--sources", str(sources), "--docs", str(docs), "--glossary", "none"]
    assert main(args) == 0
    (cache,) = (tmp_path / ".cache").glob("builds-*")
    for entry in cache.iterdir():
        entry.unlink()
    cache.rmdir()
    cache.symlink_to(outside, target_is_directory=True)
    (sources / "a.txt").write_text(forum_page(title="Second"), encoding="utf-8")
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {cache}/") and "refused" in err
    assert not list(outside.iterdir())


# The plan: shared by generate and check.

def test_an_unchanged_tree_plans_nothing_and_apply_touches_nothing(tmp_path):
    docs = tmp_path / "docs"
    make_before(docs)
    stamps = {p: p.stat().st_mtime_ns for p in docs.rglob("*")}
    plan = writer.plan(docs, BEFORE)
    assert (plan.writes, plan.stale, plan.out_of_date) == ({}, (), [])
    writer.apply(docs, plan)
    assert {p: p.stat().st_mtime_ns for p in docs.rglob("*")} == stamps


def test_the_plan_names_changed_new_and_stale_files(tmp_path):
    docs = tmp_path / "docs"
    make_before(docs)
    plan = writer.plan(docs, AFTER)
    assert plan.changed == ["index.md", "keep/b.md", "new/index.md", "new/sub/page.md", "passages.json"]
    assert plan.stale == ("old/deep/page.md", "old/index.md")
    assert plan.out_of_date == [*plan.changed, *plan.stale, writer.MANIFEST]
    assert json.loads(plan.manifest) == sorted(AFTER)


def test_apply_writes_only_what_changed_readable_by_all_and_removes_empty_folders(tmp_path, states):
    docs = tmp_path / "docs"
    make_before(docs)
    kept = (docs / "keep" / "a.md").stat().st_mtime_ns
    umask = os.umask(0o077)
    try:
        writer.apply(docs, writer.plan(docs, AFTER))
    finally:
        os.umask(umask)
    assert tree(docs) == states[1]
    assert not (docs / "old").exists()  # the removed discussion's folder, nested folder and all
    assert (docs / "keep" / "a.md").stat().st_mtime_ns == kept
    assert {(docs / rel).stat().st_mode & 0o777 for rel in AFTER} == {0o644}
    assert all(tree(docs)[rel] == text.encode() for rel, text in HAND.items())


def test_kept_files_stay_in_the_manifest_and_are_not_removed(tmp_path):
    docs = tmp_path / "docs"
    make_before(docs)
    files = {rel: text for rel, text in AFTER.items() if rel != "keep/b.md"}
    plan = writer.plan(docs, files, kept=("keep/b.md", "old/index.md"))
    assert plan.stale == ("old/deep/page.md",)
    assert "keep/b.md" in json.loads(plan.manifest) and "old/index.md" in json.loads(plan.manifest)


# All or nothing: a crash (simulated) at every writing call, during recovery, and during an undo.

# Files and folders made durable by an fsync each, or (from SYNC_ONCE_FROM on, here from 2) by one sync(2).
SYNCING = pytest.mark.parametrize("sync_once_from", [writer.SYNC_ONCE_FROM, 2], ids=["fsync-each", "sync-once"])


@SYNCING
def test_a_crash_at_any_call_leaves_before_or_a_run_that_recovery_finishes(scratch, monkeypatch, states,
                                                                           sync_once_from):
    """Crash at every writing call of ``apply``; then at every call of the recovery that follows; then recover."""
    monkeypatch.setattr(writer, "SYNC_ONCE_FROM", sync_once_from)
    before, after = states
    counter = CountingOs()
    docs = scratch / "count" / "docs"
    make_before(docs)
    assert not run(docs, monkeypatch, counter, lambda: writer.apply(docs, writer.plan(docs, AFTER)))
    assert tree(docs) == after
    committed = 0
    for n in range(1, counter.calls + 1):
        crashed = scratch / f"crash-{n}"
        make_before(crashed / "docs")
        plan = writer.plan(crashed / "docs", AFTER)
        assert run(crashed, monkeypatch, CountingOs(crash_at=n), lambda c=crashed, p=plan: writer.apply(c / "docs", p))
        staging = crashed / "docs" / writer.STAGING
        committed_now = (staging / writer.JOURNAL).exists()
        if committed_now:
            committed += 1
        else:  # not committed: docs/ as before (or, once the journal is gone, complete)
            assert tree(crashed / "docs", skip=writer.STAGING) in (before, after), n
            if staging.exists() and list(staging.iterdir()):
                assert tree(crashed / "docs", skip=writer.STAGING) == before, n
        recovering = CountingOs()
        probe = shutil.copytree(crashed, scratch / f"probe-{n}", symlinks=True)
        assert not run(probe, monkeypatch, recovering, lambda p=probe: writer.recover(p / "docs"))
        # Each call of a roll-forward, up to the journal's removal; a dropped staging folder is all alike.
        points = range(1, recovering.journal_removed() + 1) if committed_now else {1, recovering.calls // 2}
        for m in sorted(set(points) & set(range(1, recovering.calls + 1))):
            again = shutil.copytree(crashed, scratch / f"crash-{n}-{m}", symlinks=True)
            assert run(again, monkeypatch, CountingOs(crash_at=m), lambda a=again: writer.recover(a / "docs"))
            writer.recover(again / "docs")
            assert tree(again / "docs") == tree(probe / "docs"), (n, m)
            shutil.rmtree(again)
        assert tree(probe / "docs") == (after if (staging / writer.JOURNAL).exists() else tree(probe / "docs"))
        assert tree(probe / "docs") in (before, after) and not (probe / "docs" / writer.STAGING).exists(), n
        writer.apply(probe / "docs", writer.plan(probe / "docs", AFTER))
        assert tree(probe / "docs") == after, n
    assert 0 < committed < counter.calls


@SYNCING
def test_a_failure_then_a_crash_while_undoing_still_gives_before_or_after(scratch, monkeypatch, states,
                                                                          sync_once_from):
    """A write fails at each call; the undo that follows crashes at each of its calls; recovery then
    gives the whole run or none of it."""
    monkeypatch.setattr(writer, "SYNC_ONCE_FROM", sync_once_from)
    before, after = states
    counter = CountingOs()
    docs = scratch / "count" / "docs"
    make_before(docs)
    run(docs, monkeypatch, counter, lambda: writer.apply(docs, writer.plan(docs, AFTER)))
    commit = counter.trace.index(("replace", str(docs / writer.STAGING / f"{writer.JOURNAL}.tmp"))) + 1
    for fail in range(1, counter.calls + 1):
        failing = CountingOs(fail_at=fail)
        docs = scratch / f"fail-{fail}" / "docs"
        make_before(docs)
        try:
            run(docs, monkeypatch, failing, lambda d=docs: writer.apply(d, writer.plan(d, AFTER)))
        except PipelineError as err:
            assert "No space left on device" in err.message and "was left as it was" in err.message
            assert tree(docs) == before, fail
        else:  # the failure was in the final clean-up: docs/ is complete, the next recovery clears the rest
            assert tree(docs, skip=writer.STAGING) == after, fail
        # Past the commit point, a crash at each call of the undo; before it, the undo only drops the staging folder.
        crashes = range(fail + 1, failing.journal_removed() + 1) if fail > commit else {fail + 1, failing.calls}
        for crash in sorted(set(crashes) & set(range(fail + 1, failing.calls + 1))):
            docs = scratch / f"undo-{fail}-{crash}" / "docs"
            make_before(docs)
            plan = writer.plan(docs, AFTER)
            assert run(docs, monkeypatch, CountingOs(crash_at=crash, fail_at=fail),
                       lambda d=docs, p=plan: writer.apply(d, p)), (fail, crash)
            writer.recover(docs)
            assert tree(docs) in (before, after), (fail, crash)
            shutil.rmtree(docs.parent)


class DurableOs:
    """``os`` as scripts.writer sees it, noting which files written are not yet durable: a file is durable once it
    has been fsynced after its last write, or once sync(2) has run after it. ``at_commit``: the files not durable
    when the journal was renamed into place (the commit point)."""

    def __init__(self, inner):
        self.inner, self.names, self.at_commit, self.synced = inner, {}, None, 0
        self.written, self.pending = set(), set()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def open(self, path, flags, *args):
        handle = self.inner.open(path, flags, *args)
        self.names[handle] = str(path) if flags & os.O_CREAT else None  # a folder opened to be synced: no file
        return handle

    def write(self, handle, data):
        self.pending.add(self.names[handle])
        self.written.add(self.names[handle])
        return self.inner.write(handle, data)

    def fsync(self, handle):
        self.pending.discard(self.names[handle])
        return self.inner.fsync(handle)

    def sync(self):
        self.pending.clear()
        self.synced += 1
        return self.inner.sync()

    def replace(self, source, target):
        if str(target).endswith(f"{writer.STAGING}/{writer.JOURNAL}"):
            self.at_commit = set(self.pending)
        return self.inner.replace(source, target)


@SYNCING
def test_every_staged_file_is_durable_before_the_commit_point(tmp_path, monkeypatch, sync_once_from):
    """After the commit point a power cut must find every new file on disk, since recovery then moves the staged
    files into docs/ whatever they hold: each file is made durable, by an fsync or by sync(2), before the journal
    is renamed into place."""
    monkeypatch.setattr(writer, "SYNC_ONCE_FROM", sync_once_from)
    docs = tmp_path / "docs"
    make_before(docs)
    durable = DurableOs(writer.os)
    monkeypatch.setattr(writer, "os", durable)
    plan = writer.plan(docs, AFTER)
    writer.apply(docs, plan)
    assert durable.at_commit == set() and not durable.pending
    assert len(durable.written) == len(plan.writes) + 1  # the files, the manifest, the journal
    # one sync(2) for the staged files and one for the folders renamed into, or none (an fsync each)
    assert durable.synced == (2 if sync_once_from == 2 else 0)


def test_an_uncommitted_staging_folder_is_dropped_and_docs_untouched(tmp_path, states):
    docs = tmp_path / "docs"
    make_before(docs)
    staging = docs / writer.STAGING
    staging.mkdir()
    (staging / "new-0").write_text("half", encoding="utf-8")
    (staging / "journal.json.tmp").write_text('{"remove": ["index.md"]', encoding="utf-8")
    assert writer.interrupted(docs)
    assert writer.recover(docs) and not writer.interrupted(docs)
    assert tree(docs) == states[0]
    assert not writer.recover(docs)


def test_a_damaged_journal_is_one_line(tmp_path):
    docs = tmp_path / "docs"
    make_before(docs)
    (docs / writer.STAGING).mkdir()
    (docs / writer.STAGING / writer.JOURNAL).write_text("{", encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        writer.recover(docs)
    assert "\n" not in caught.value.format() and f"delete {docs / writer.STAGING}" in caught.value.format()


def test_check_reports_an_unfinished_run_in_one_line_and_changes_nothing(tmp_path, monkeypatch, capsys):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text(forum_page(title="First"), encoding="utf-8")
    args = ["--sources", str(sources), "--docs", str(docs), "--glossary", "none"]
    assert main(["generate", *args]) == 0
    (sources / "a.txt").write_text(forum_page(title="Second"), encoding="utf-8")
    # The first crash point that leaves a committed journal: just after the commit, nothing in docs/ moved yet.
    assert any(_crash_commits(docs, args, monkeypatch, n) for n in range(1, 1000))
    untouched = tree(docs)
    capsys.readouterr()
    assert main(["check", *args]) == 1
    assert capsys.readouterr().err == f"error: {docs}: {writer.UNFINISHED.format(docs=docs)}\n"
    assert tree(docs) == untouched
    assert main(["generate", *args]) == 0
    assert main(["check", *args]) == 0 and not (docs / writer.STAGING).exists()


def _crash_commits(docs: Path, args: list[str], monkeypatch, n: int) -> bool:
    """Crash ``generate`` at writing call ``n``; whether that left a committed journal (else recover)."""
    run(docs, monkeypatch, CountingOs(crash_at=n), lambda: main(["generate", *args]))
    if (docs / writer.STAGING / writer.JOURNAL).exists():
        return True
    writer.recover(docs)
    return False


# The lock.

def test_a_second_writer_is_refused_at_once_naming_the_holder(tmp_path):
    docs = tmp_path / "docs"
    with writer.locked(docs):
        assert docs.is_dir()
        with pytest.raises(writer.Busy) as caught, writer.locked(docs):
            pass
        with pytest.raises(writer.Busy), writer.locked(docs, shared=True):
            pass
    assert caught.value.format() == (f"error: {docs}: another generate is writing this folder "
                                     f"(process {os.getpid()}); try again when it has finished")
    with writer.locked(docs):  # released
        pass


def test_readers_share_the_lock_and_a_writer_waits_for_them(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    monkeypatch.setattr(writer, "READERS_WAIT", 0.2)
    with writer.locked(docs, shared=True), writer.locked(docs, shared=True):
        with pytest.raises(writer.Busy) as caught, writer.locked(docs):
            pass
        assert caught.value.message == writer.READING


def test_generate_and_check_under_a_held_lock_write_nothing(tmp_path, capsys):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text(forum_page(), encoding="utf-8")
    args = ["--sources", str(sources), "--docs", str(docs), "--glossary", "none"]
    assert main(["generate", *args]) == 0
    (sources / "a.txt").write_text(forum_page(title="Changed"), encoding="utf-8")
    everything = tree(tmp_path)
    with writer.locked(docs):
        for command in ("generate", "check"):
            capsys.readouterr()
            assert main([command, *args]) == 1
            assert capsys.readouterr().err.startswith(f"error: {docs}: another generate is writing this folder")
    assert tree(tmp_path) == everything


def test_a_first_run_that_fails_leaves_no_docs_folder_and_check_creates_none(tmp_path, capsys):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_bytes(b"\xff broken")
    args = ["--sources", str(sources), "--docs", str(docs), "--glossary", "none"]
    assert main(["generate", *args]) == 1
    assert main(["check", *args]) == 1
    assert not docs.exists()
