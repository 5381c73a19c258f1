"""``python -m scripts watch`` (run beside another engine's server; ``make serve`` has its own) outlives
every failure: a bad source, a broken glossary (invalid YAML, an anchor), the sources folder or the glossary gone
for a moment, another generate holding docs/, even an unexpected exception. Each prints exactly one ``error:``
line; the next change (or, after a busy lock, the next check) regenerates docs/."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.writer import STAGING

from conftest import ROOT, SEED
from folders import put, tree
from pages import forum_page

WAIT = 120  # seconds allowed for a regeneration on a loaded machine (a limit, never an assertion of speed)
DEFINITION = "Research security is the umbrella term"

# ``watch`` itself, with one stage made to fail unexpectedly (a bug, not bad input) while a flag file
# is in the sources folder: the only way to provoke a non-pipeline error without breaking the code.
WRAPPER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
import scripts.cli
import scripts.generate

real = scripts.generate.generate  # what the command imports when it runs


def generate(sources, *args, **kwargs):
    if (Path(sources) / "boom.flag").exists():
        raise RuntimeError("boom: a stage failed")
    return real(sources, *args, **kwargs)


scripts.generate.generate = generate
sys.exit(scripts.cli.main(sys.argv[1:]))
"""


class Watch:
    """A running ``watch`` on a copy of the seed and the glossary; its stderr read line by line."""

    def __init__(self, tmp_path: Path):
        self.tmp, self.sources, self.docs = tmp_path, tmp_path / "sources", tmp_path / "docs"
        self.glossary, self.log = tmp_path / "glossary.yml", tmp_path / "watch.log"
        shutil.copytree(SEED.parent, self.sources)
        shutil.copyfile(ROOT / "glossary.yml", self.glossary)
        wrapper = tmp_path / "watch.py"
        wrapper.write_text(WRAPPER.format(root=str(ROOT)), encoding="utf-8")
        args = ["--sources", str(self.sources), "--docs", str(self.docs), "--glossary", str(self.glossary)]
        done = subprocess.run([sys.executable, "-m", "scripts", "generate", *args], cwd=ROOT, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
        with self.log.open("w") as out:
            self.process = subprocess.Popen([sys.executable, str(wrapper), "watch", "--interval", "0.1", *args],
                                            cwd=ROOT, stderr=out)
        self.wait_for(lambda: "watching" in self.text())

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def errors(self) -> list[str]:
        return [line for line in self.text().splitlines() if line.startswith("error:")]

    def wait_for(self, condition) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            assert self.process.poll() is None, f"watch stopped:\n{self.text()}"
            assert time.monotonic() < deadline, f"gave up waiting:\n{self.text()}"
            time.sleep(0.05)

    def put(self, path: Path, data: bytes) -> None:
        put(path, data, self.tmp)

    def step(self, k: int, folder: Path | None = None) -> None:
        """An edit of the seed (in ``folder``, by default the sources folder) that docs/ shows once
        regenerated: its sentence ends with ``step k``."""
        seed = (folder or self.sources) / SEED.name
        text = re.sub(r"European perspective(, step \d+)?\.", f"European perspective, step {k}.",
                      seed.read_bytes().decode("utf-8"))
        self.put(seed, text.encode("utf-8"))

    def shows(self, k: int) -> bool:
        """The published pages show ``step k``. A run's staging folder (hidden) is not looked in, and a file or
        folder renamed away while it is read means "not yet": the next check looks again."""
        try:
            return any(f"European perspective, step {k}." in page.read_text(encoding="utf-8")
                       for folder in self.docs.iterdir() if not folder.name.startswith(".") and folder.is_dir()
                       for page in folder.glob("letter-*.md"))
        except FileNotFoundError:
            return False

    def broken(self, expected: str, breaking) -> None:
        """``breaking()`` makes the next run fail: exactly one new error line, ``expected`` (a regular
        expression); docs/ unchanged; watch lives on."""
        errors, before = len(self.errors()), tree(self.docs)
        breaking()
        self.wait_for(lambda: len(self.errors()) > errors)
        time.sleep(0.5)  # a few more checks: a second line would be a fault
        new = self.errors()[errors:]
        assert len(new) == 1 and re.fullmatch(expected, new[0]), self.text()
        assert self.text().splitlines()[-1] == new[0] and self.process.poll() is None  # no run since
        assert tree(self.docs) == before

    def fixed(self, k: int, fixing, folder: Path | None = None) -> None:
        """``fixing()`` with the seed edited to ``step k`` (in ``folder``): the next run succeeds and docs/ shows it."""
        errors = len(self.errors())
        if folder:
            self.step(k, folder)  # made where watch does not look; ``fixing`` brings it in
            fixing()
        else:
            fixing()
            self.step(k)
        # Shown, and that run's writing finished (its staging folder gone): docs/ is still until the next change.
        self.wait_for(lambda: self.shows(k) and not (self.docs / STAGING).exists())
        assert len(self.errors()) == errors, self.text()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        # Nothing but one-line reports: no traceback, no stray output.
        assert all(line.startswith(("watching ", "generated ", "error: ", "warning: "))
                   for line in self.text().splitlines()), self.text()


@pytest.fixture
def watch(tmp_path):
    running = Watch(tmp_path)
    yield running
    running.stop()


def test_watch_outlives_every_failure_and_recovers_when_fixed(watch, tmp_path):
    sources, glossary = watch.sources, watch.glossary
    good_glossary = glossary.read_bytes()
    watch.fixed(1, lambda: None)

    # A source that is not UTF-8; fixed, it is a discussion of its own.
    watch.broken(re.escape(f"error: {sources / 'zz.txt'}:1: not UTF-8 text (byte 0xE9 cannot be decoded)"),
                 lambda: watch.put(sources / "zz.txt", b"caf\xe9 au lait\n"))
    watch.fixed(2, lambda: watch.put(sources / "zz.txt", forum_page(title="Fixed Source").encode()))
    assert (watch.docs / "fixed-source" / "index.md").is_file()

    # A glossary that is not YAML; fixed, with a definition that docs/ then shows.
    watch.broken(re.escape(f"error: {glossary}:") + r"\d+: not valid YAML.*",
                 lambda: watch.put(glossary, good_glossary.replace(b"- id: research-security", b"- id: [x", 1)))
    better = good_glossary.replace(DEFINITION.encode(), b"Research security, as defined here, is the umbrella term")
    watch.fixed(3, lambda: watch.put(glossary, better))
    assert "as defined here" in (watch.docs / "glossary" / "research-security.md").read_text(encoding="utf-8")

    # A glossary with a YAML anchor and alias.
    anchored = good_glossary.replace(b"- id: research-security\n", b"- &entry\n  id: research-security\n", 1)
    watch.broken(re.escape(f"error: {glossary}:") + r"\d+: .*", lambda: watch.put(glossary, anchored + b"\n- *entry\n"))
    watch.fixed(4, lambda: watch.put(glossary, good_glossary))

    # The sources folder gone, then back (with an edit made while it was away).
    away = tmp_path / "away"
    watch.broken(re.escape(f"error: {sources}: no such folder of sources"), lambda: os.rename(sources, away))
    watch.fixed(5, lambda: os.rename(away, sources), folder=away)

    # The glossary missing for a moment.
    hidden = tmp_path / "glossary.hidden"
    watch.broken(re.escape(f"error: {glossary}: cannot read") + ".*", lambda: os.rename(glossary, hidden))
    watch.fixed(6, lambda: os.rename(hidden, glossary))

    # An unexpected exception inside a run: one line, no traceback.
    watch.broken(re.escape(f"error: {sources}: unexpected error (RuntimeError: boom: a stage failed)"),
                 lambda: (sources / "boom.flag").write_bytes(b""))
    watch.fixed(7, lambda: (sources / "boom.flag").unlink())


def test_watch_retries_when_another_generate_held_the_lock(watch):
    watch.fixed(1, lambda: None)
    handle = os.open(watch.docs, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        watch.broken(re.escape(f"error: {watch.docs}: another generate is writing this folder "
                               f"(process {os.getpid()}); try again when it has finished"), lambda: watch.step(2))
        assert not watch.shows(2)
    finally:
        os.close(handle)  # released: no file changes, yet the next check runs again
    watch.wait_for(lambda: watch.shows(2))
    assert len(watch.errors()) == 1
