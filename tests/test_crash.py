"""``generate`` killed (SIGKILL) at any moment loses nothing, and two runs never interleave (scripts/writer.py).

A corpus made as the benchmark makes it (bench/corpus.py: the seed with numbered titles) is generated
once: BEFORE. Then some sources are edited, some added and some removed, so that a run replaces files,
writes new files into new folders and removes files and folders; a clean run in another folder gives
AFTER. ``generate`` then runs over a fresh copy of BEFORE through a small wrapper that kills its own
process at the Nth call of a writing primitive of scripts/writer.py, for N spread over the whole run
(a first run counts the calls), and a few more times at moments chosen by the clock. After each kill:

- with no committed journal, docs/ (the staging folder aside) is BEFORE byte for byte, or AFTER when
  the kill came after the run had finished writing (clearing its staging folder, saving its cache);
- ``check`` passes or reports the unfinished run in one line, and changes nothing;
- the next ``generate`` gives exactly AFTER: the whole tree, manifest included, no staging folder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from scripts import writer
from scripts.cli import main

from conftest import ROOT
from folders import fingerprint, tree

SIZE = 20                   # sources in BEFORE
EDITED, REMOVED, ADDED = (2, 9), (3, 11), (21, 22)
KILL_POINTS = 14            # kills at evenly spread calls, besides those around the commit point and the renames
CLOCK_KILLS = (0.5, 0.3, 0.8)  # the first: halfway to the first write; then fractions of the writing
WAIT = 120                  # seconds allowed for one run on a loaded machine (a limit, never an assertion of speed)
PRIMITIVES = ("open", "write", "fsync", "sync", "link", "replace", "rename", "unlink", "mkdir", "rmdir")

WRAPPER = """
import json, os, signal, sys, time
sys.path.insert(0, {root!r})
import scripts.writer
from scripts.cli import main

kill_at = int(os.environ.get("KILL_AT", "0"))
trace, pause, release = (os.environ.get(name) for name in ("TRACE", "PAUSE", "RELEASE"))
calls = []


class Os:
    def __getattr__(self, name):
        return getattr(os, name)


def counted(name, real):
    def call(*args, **kwargs):
        calls.append([name, str(args[0]) if args else "", time.time()])
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if pause and name == "write" and not os.path.exists(pause):
            open(pause, "w").close()
            while not os.path.exists(release):
                time.sleep(0.02)
        return real(*args, **kwargs)
    return call


proxy = Os()
for name in {primitives!r}:
    setattr(proxy, name, counted(name, getattr(os, name)))
scripts.writer.os = proxy
status = main(sys.argv[1:])
if trace:
    with open(trace, "w") as out:
        json.dump(calls, out)
sys.exit(status)
"""


class Slot:
    """A folder where runs start from BEFORE: docs/ and its caches, restored from a pristine copy at the
    same path (the build cache is kept per docs folder), so a run builds only the changed sources."""

    def __init__(self, scenario: Scenario, name: str):
        self.scenario, self.folder = scenario, scenario.base / name
        self.docs, self.pristine = self.folder / "docs", scenario.base / f"{name}-pristine"

    def args(self, command: str) -> list[str]:
        return self.scenario.args(command, self.docs)

    def keep(self) -> None:
        shutil.copytree(self.folder, self.pristine, symlinks=True)

    def reset(self) -> None:
        shutil.rmtree(self.folder)
        shutil.copytree(self.pristine, self.folder, symlinks=True)

    def wrapped(self, **env: str) -> subprocess.Popen:
        """``generate`` through the wrapper, with its settings in ``env``."""
        return subprocess.Popen([sys.executable, str(self.scenario.wrapper), *self.args("generate")], cwd=ROOT,
                                env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def kill_at(self, n: int) -> subprocess.Popen:
        """Reset, then start ``generate``, to be killed at its writing call ``n``."""
        self.reset()
        return self.wrapped(KILL_AT=str(n))


class Scenario:
    """The sources (changed from BEFORE's), BEFORE and AFTER, and two slots to run in."""

    def __init__(self, base: Path):
        self.base, self.sources, self.wrapper = base, base / "sources", base / "wrapper.py"
        self.wrapper.write_text(WRAPPER.format(root=str(ROOT), primitives=PRIMITIVES), encoding="utf-8")
        self.slots = [Slot(self, "one"), Slot(self, "two")]
        write_corpus(SIZE, self.sources)
        for slot in self.slots:
            assert main(slot.args("generate")) == 0
            slot.keep()
        self.before = tree(self.slots[0].docs)
        assert tree(self.slots[1].docs) == self.before
        for n in EDITED:
            path = self.sources / f"{n:05d}.txt"
            path.write_bytes(path.read_bytes().replace(b" adds these words", b" adds these edited words"))
        for n in REMOVED:
            for path in self.sources.glob(f"{n:05d}.*"):
                path.unlink()
        write_corpus(max(ADDED), base / "more")
        for n in ADDED:
            for path in (base / "more").glob(f"{n:05d}.*"):
                shutil.copyfile(path, self.sources / path.name)
        clean = base / "clean" / "docs"
        assert main(self.args("generate", clean)) == 0
        self.after = tree(clean)
        assert self.after != self.before

    def args(self, command: str, docs: Path) -> list[str]:
        return [command, "--sources", str(self.sources), "--docs", str(docs)]

    def count(self) -> list[tuple[str, str, float]]:
        """The writing calls of a whole run from BEFORE to AFTER in the first slot: (call, its first
        argument, seconds since the process started)."""
        if not hasattr(self, "calls"):
            slot, trace = self.slots[0], self.base / "trace.json"
            slot.reset()
            started = time.time()
            counting = slot.wrapped(TRACE=str(trace))
            assert counting.wait(timeout=WAIT) == 0, counting.stderr.read()
            assert tree(slot.docs) == self.after
            self.calls = [(name, arg, at - started) for name, arg, at in json.loads(trace.read_text("utf-8"))]
        return self.calls


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    return Scenario(tmp_path_factory.mktemp("crash"))


def assert_recovers(slot: Slot, capsys, what: str) -> None:
    """The checks after a kill (see the module's docstring)."""
    scenario, docs, staging = slot.scenario, slot.docs, slot.docs / writer.STAGING
    if not (staging / writer.JOURNAL).exists():
        assert tree(docs, skip=writer.STAGING) in (scenario.before, scenario.after), what
        if staging.exists() and list(staging.iterdir()):
            assert tree(docs, skip=writer.STAGING) == scenario.before, what
    untouched = fingerprint(docs)
    capsys.readouterr()
    status = main(slot.args("check"))
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, (what, err)
    if staging.exists():
        assert (status, err) == (1, f"error: {docs}: {writer.UNFINISHED.format(docs=docs)}\n"), what
    elif tree(docs) == scenario.after:
        assert status == 0, (what, err)
    else:
        assert status == 1 and err.startswith(f"error: {docs}: generated files are out of date"), (what, err)
    assert fingerprint(docs) == untouched, what
    assert main(slot.args("generate")) == 0, what
    assert tree(docs) == scenario.after, what
    assert not [p for p in docs.rglob("*") if p.name.endswith(".tmp")], what


def test_a_kill_at_any_writing_call_loses_nothing(scenario, capsys):
    calls = [call[:2] for call in scenario.count()]
    staging = str(scenario.slots[0].docs / writer.STAGING)
    commit = calls.index(("replace", f"{staging}/{writer.JOURNAL}.tmp")) + 1
    renames = [n for n, (name, arg) in enumerate(calls, 1) if name == "replace" and n > commit]
    assert len(renames) > 30 and any(name == "unlink" and not arg.startswith(staging) for name, arg in calls)
    spread = {1 + round(i * (len(calls) - 1) / (KILL_POINTS - 1)) for i in range(KILL_POINTS)}
    points = sorted(spread | {commit, commit + 1, renames[len(renames) // 2], renames[-1], renames[-1] + 1})
    committed = 0
    # The next run to kill starts in the other slot while this one is checked: two cores, less waiting.
    running = scenario.slots[0].kill_at(points[0])
    for i, n in enumerate(points):
        _, err = running.communicate(timeout=WAIT)
        assert running.returncode == -signal.SIGKILL, (n, err)
        if i + 1 < len(points):
            running = scenario.slots[(i + 1) % 2].kill_at(points[i + 1])
        slot = scenario.slots[i % 2]
        committed += (slot.docs / writer.STAGING / writer.JOURNAL).exists()
        assert_recovers(slot, capsys, f"killed at call {n} of {len(calls)} ({calls[n - 1][0]})")
    assert 0 < committed < len(points)
    print(f"\n{len(points)} kill points over {len(calls)} writing calls, {committed} after the commit point")


def test_a_kill_at_any_moment_loses_nothing(scenario, capsys):
    times = [at for _, _, at in scenario.count()]
    first, last = times[1], times[-1]  # the first call is the lock's; writing starts after the build
    slot = scenario.slots[0]
    for i, fraction in enumerate(CLOCK_KILLS):
        slot.reset()
        delay = first * fraction if i == 0 else first + fraction * (last - first)
        process = slot.wrapped()
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        status = process.wait(timeout=WAIT)
        assert status in (0, -signal.SIGKILL)
        assert_recovers(slot, capsys, f"killed after {delay:.2f} s (status {status})")


def test_a_second_generate_waits_for_nothing_and_writes_nothing(scenario, capsys):
    """One run held inside the lock (paused at its first write); a second ``generate`` and a ``check``
    stop at once with one line; released, the first finishes and docs/ is AFTER."""
    slot = scenario.slots[0]
    slot.reset()
    paused, release = scenario.base / "paused", scenario.base / "release"
    paused.unlink(missing_ok=True)
    release.unlink(missing_ok=True)
    first = slot.wrapped(PAUSE=str(paused), RELEASE=str(release))
    deadline = time.monotonic() + WAIT
    while not paused.exists():
        assert first.poll() is None and time.monotonic() < deadline, first.stderr.read() if first.poll() else ""
        time.sleep(0.05)
    everything = fingerprint(slot.folder)
    second = subprocess.run([sys.executable, "-m", "scripts", *slot.args("generate")], cwd=ROOT,
                            capture_output=True, text=True)
    message = (f"error: {slot.docs}: another generate is writing this folder (process {first.pid}); "
               "try again when it has finished\n")
    assert (second.returncode, second.stdout, second.stderr) == (1, "", message)
    capsys.readouterr()
    assert main(slot.args("check")) == 1 and capsys.readouterr().err == message
    assert fingerprint(slot.folder) == everything
    release.touch()
    assert first.wait(timeout=WAIT) == 0, first.stderr.read()
    assert tree(slot.docs) == scenario.after
