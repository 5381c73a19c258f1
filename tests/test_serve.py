"""``python -m scripts serve`` (``make serve``): the site served while it is edited.

One server runs over a copy of the two-source corpus. An edit of a source reaches the served page and
the search index; only the pages that changed are built again, unless the navigation changed (a new
source), which builds every page again; a bad source prints one line and the site served stays as it
was until the source is fixed. Times are limits for a loaded machine, never assertions of speed (the
benchmark measures edit → served, BENCHMARKS.md)."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scripts.generate import site_files
from scripts.search_index import BUNDLE, vocabulary
from scripts.search_index import _fragments as fragments

from conftest import ROOT, SEED
from corpus import FIXTURE, FIXTURE_SLUG, SEED_SLUG
from folders import mtimes, put, written
from sitebuild import hand_written_docs, run, site_config

WAIT = 180  # seconds allowed for a rebuild on a loaded machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A running ``serve`` on a copy of the seed and the fixture, with its stderr."""

    def __init__(self, tmp: Path):
        self.tmp, self.sources, self.docs = tmp, tmp / "sources", tmp / "docs"
        self.site, self.log = tmp / ".cache" / "serve" / "site", tmp / "serve.log"
        self.sources.mkdir()
        for source in (SEED, FIXTURE):
            shutil.copyfile(source, self.sources / source.name)
        self.docs.mkdir()
        hand_written_docs(self.docs)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "scripts", "serve", "--sources", str(self.sources), "--docs", str(self.docs),
                 "-a", f"127.0.0.1:{self.port}"], cwd=ROOT, stderr=out, stdout=out)
        self.wait_for(lambda: self.get("") is not None and (self.site / BUNDLE).is_dir())

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def errors(self) -> list[str]:
        return [line for line in self.text().splitlines() if line.startswith(("error:", "Traceback"))]

    def get(self, path: str) -> str | None:
        """A page as served, but for the versions in its live-reload script, which change with every rebuild."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return re.sub(r"livereload\(\d+, \d+\)", "livereload()", response.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError):
            return None

    def wait_for(self, condition) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            assert self.process.poll() is None, f"serve stopped:\n{self.text()}"
            assert time.monotonic() < deadline, f"gave up waiting:\n{self.text()}"
            time.sleep(0.1)

    def put(self, path: Path, data: bytes) -> None:
        put(path, data, self.tmp)

    def indexed(self, word: str) -> bool:
        """Whether the search index in place holds ``word``; read again when Pagefind's next index was moved in
        while it was read (a new index is a new folder), never when the same one could not be read."""
        bundle = self.site / BUNDLE
        for _ in range(3):
            before = _stat(bundle, "st_ino")
            try:
                return word in vocabulary(fragments(bundle))
            except (OSError, ValueError):
                if _stat(bundle, "st_ino") == before:
                    return False
        return False

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        # Nothing but one-line reports (the server's, generate's and MkDocs' own): no traceback, no stray output.
        assert all(line.startswith(("INFO ", "WARNING ", "generated ", "built ", "warning: ", "error: "))
                   for line in self.text().splitlines()), self.text()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("serve"))
    yield running
    running.stop()


LETTER = f"{SEED_SLUG}/letter-1/"
FULL_BUILD = "Cleaning site directory"  # what MkDocs logs as a full build begins


def _stat(path: Path, field: str) -> int | None:
    """A file's ``st_ino`` or ``st_mtime_ns``, or None while it is not there (a full build has removed it, or a new
    search index is being moved in)."""
    try:
        return getattr(path.stat(), field)
    except OSError:
        return None


def _edit_seed(server: Server, word: str) -> None:
    text = (server.sources / SEED.name).read_text(encoding="utf-8")
    text = re.sub(r"a European perspective(, \w+)?\.", f"a European perspective, {word}.", text)
    server.put(server.sources / SEED.name, text.encode("utf-8"))


def test_an_edit_reaches_the_served_page_and_search_and_rebuilds_only_what_changed(server, tmp_path):
    assert "a European perspective." in server.get(LETTER)
    assert "livereload" in server.get(LETTER)  # the browser reloads itself after a rebuild
    before = mtimes(server.site, skip=BUNDLE)
    _edit_seed(server, "quarterdeck")
    server.wait_for(lambda: "a European perspective, quarterdeck." in (server.get(LETTER) or ""))
    after = mtimes(server.site, skip=BUNDLE)
    rebuilt = {rel for rel in before if rel in after and after[rel] != before[rel]}
    # The letter, its discussion's single-file edition and passages.json changed; the other discussion's pages,
    # the glossary and the theme's files were not built again.
    assert f"{SEED_SLUG}/letter-1/index.html" in rebuilt and "passages.json" in rebuilt
    assert not any(rel.startswith((f"{FIXTURE_SLUG}/", "glossary/", "assets/")) for rel in rebuilt), sorted(rebuilt)
    assert len(rebuilt) < len(before) // 4, sorted(rebuilt)
    server.wait_for(lambda: server.indexed("quarterdeck"))
    assert server.errors() == []
    # What the server generated, with the build cache's entries kept in memory, is what a cold run makes.
    for rel, made in written(site_files(server.sources, ROOT / "glossary.yml", ROOT / "see_also.yml")).items():
        assert (server.docs / rel).read_bytes() == made, rel
    # What it built again page by page is what a full MkDocs build of those files makes (navigation, neighbours).
    full = tmp_path / "full"
    shutil.copytree(server.docs, full / "docs")
    run(sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "-f", site_config(full), cwd=full)
    for rel in sorted(rebuilt):
        assert (server.site / rel).read_bytes() == (full / "site" / rel).read_bytes(), rel


def test_a_new_source_rebuilds_every_page_with_the_new_navigation(server):
    other = f"{FIXTURE_SLUG}/letter-1/"
    text = FIXTURE.read_text(encoding="utf-8")
    server.put(server.sources / "002_second.txt",
               text.replace("Liberty, Conscience, and Dissent", "Second Thoughts on Liberty", 1).encode())
    server.wait_for(lambda: "Second Thoughts on Liberty" in (server.get(other) or ""))
    # An unchanged page of another discussion carries the new navigation too.
    assert "Second Thoughts on Liberty" in server.get(LETTER)
    (server.sources / "002_second.txt").unlink()
    server.wait_for(lambda: "Second Thoughts on Liberty" not in (server.get(LETTER) or "x Second Thoughts on Liberty"))
    assert server.errors() == []


def test_a_theme_change_rebuilds_the_site_and_keeps_its_search_index(server):
    """A change to the hand-written stylesheets (the theme) builds every page again, in full (the folder emptied
    first), and the site keeps its search index through it: the index is there as soon as the build is over, before
    Pagefind has made the next one."""
    stylesheet, page = server.docs / "stylesheets" / "reader.css", f"{FIXTURE_SLUG}/letter-1/index.html"
    built, full_builds = _stat(server.site / page, "st_mtime_ns"), server.text().count(FULL_BUILD)

    def over() -> bool:  # a full build began after the change, and the browsers were reloaded after it
        log = server.text()
        return log.count(FULL_BUILD) > full_builds and "Reloading browsers" in log.rsplit(FULL_BUILD, 1)[1]

    server.put(stylesheet, stylesheet.read_bytes() + b"\n/* served-theme-change */\n")
    server.wait_for(over)
    assert (server.site / BUNDLE / "pagefind-entry.json").is_file()
    assert "served-theme-change" in server.get("stylesheets/reader.css")
    assert _stat(server.site / page, "st_mtime_ns") not in (None, built)  # a page of another discussion, built again
    assert server.indexed("perspective") and server.errors() == []


def test_a_bad_source_prints_one_line_and_the_site_stays_until_it_is_fixed(server):
    served = server.get(LETTER)
    good = (server.sources / SEED.name).read_bytes()
    server.put(server.sources / SEED.name, b"\xff\xfe not text")
    server.wait_for(lambda: server.errors())
    time.sleep(1.5)  # a few more checks: a second line would be a fault
    errors = server.errors()
    assert len(errors) == 1 and re.fullmatch(rf"error: {re.escape(str(server.sources / SEED.name))}: .+", errors[0])
    assert server.get(LETTER) == served and server.process.poll() is None
    server.put(server.sources / SEED.name, good)
    _edit_seed(server, "again")
    server.wait_for(lambda: "a European perspective, again." in (server.get(LETTER) or ""))
    assert len(server.errors()) == 1


def test_serve_on_a_taken_address_is_one_line(server, tmp_path):
    done = subprocess.run([sys.executable, "-m", "scripts", "serve", "--sources", str(server.sources),
                           "--docs", str(server.docs), "-a", f"127.0.0.1:{server.port}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith(("error:", "Traceback"))]
    assert errors == [f"error: 127.0.0.1:{server.port}: cannot serve there (Address already in use)"], done.stderr


def test_a_second_server_of_the_same_site_is_one_line(server):
    done = subprocess.run([sys.executable, "-m", "scripts", "serve", "--sources", str(server.sources),
                           "--docs", str(server.docs), "-a", f"127.0.0.1:{_free_port()}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"error: {server.tmp / '.cache' / 'serve'}: another server is building this "
                                        "site there; stop it first"], done.stderr
