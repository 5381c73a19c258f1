"""Determinism: the same sources give the same bytes; sources are only read; docs/ keeps what
the pipeline did not write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from corpus import FIXTURE_SLUG, SEED_SLUG, both_sources
from folders import fingerprint, snapshot
from pages import forum_page


def generate(sources: Path, docs: Path, hash_seed: str = "0", *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run([sys.executable, "-m", "scripts", "generate", "--sources", str(sources), "--docs", str(docs),
                           *extra], cwd=ROOT, capture_output=True, text=True, env=env)


def test_two_runs_give_byte_identical_docs_and_passages(tmp_path):
    sources = both_sources(tmp_path / "sources")
    first, second = tmp_path / "one", tmp_path / "two"
    assert generate(sources, first, "1").returncode == 0
    assert generate(sources, second, "2").returncode == 0  # another hash seed: no set or dict order leaks out
    one, two = snapshot(first), snapshot(second)
    assert one == two
    assert one["passages.json"] and f"{FIXTURE_SLUG}/letter-1.md" in one and f"{SEED_SLUG}/letter-1.md" in one


def test_a_second_run_over_its_own_output_changes_nothing(tmp_path):
    sources = both_sources(tmp_path / "sources")
    docs = tmp_path / "docs"
    assert generate(sources, docs).returncode == 0
    before = fingerprint(docs)
    done = generate(sources, docs, "0", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["changed"] == []
    assert fingerprint(docs) == before  # not even an mtime moves


def test_the_pipeline_never_writes_to_the_sources_folder(tmp_path):
    sources = both_sources(tmp_path / "sources")
    before = fingerprint(sources)
    docs = tmp_path / "docs"
    for args in (["generate", "--sources", str(sources), "--docs", str(docs)],
                 ["check", "--sources", str(sources), "--docs", str(docs)],
                 ["repair", "--explain", str(sources / "001_liberty.txt")]):
        done = subprocess.run([sys.executable, "-m", "scripts", *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    (sources / "zz.txt").write_bytes(b"\xff broken")  # a failing run does not write there either
    before["zz.txt"] = fingerprint(sources)["zz.txt"]
    assert generate(sources, docs).returncode == 1
    assert fingerprint(sources) == before


def test_files_the_pipeline_did_not_write_are_never_removed(tmp_path):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text(forum_page(title="First"), encoding="utf-8")
    (sources / "b.txt").write_text(forum_page(title="Second"), encoding="utf-8")
    assert generate(sources, docs, "0", "--glossary", "none").returncode == 0
    mine = {"hand-written.md": "# Mine\n", "first/my-notes.md": "notes\n", "second/extra.css": "a{}\n",
            "stylesheets/reader.css": "b{}\n", ".hidden": "x\n"}
    for rel, text in mine.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    (sources / "a.txt").write_text(forum_page(title="Renamed"), encoding="utf-8")
    (sources / "b.txt").unlink()
    assert generate(sources, docs, "0", "--glossary", "none").returncode == 0
    for rel, text in mine.items():
        assert (docs / rel).read_text(encoding="utf-8") == text, rel
    assert (docs / "renamed" / "letter-1.md").is_file()
    assert not (docs / "first" / "letter-1.md").exists() and not (docs / "second" / "index.md").exists()
