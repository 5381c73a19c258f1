"""The search index step (scripts/search_index.py, ``python -m scripts index``): Pagefind over the built site,
the word lists for typo correction, and the folders it may and may not replace."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scripts.errors import PipelineError
from scripts.search_index import index, vocabulary

from conftest import ROOT


def test_the_command_indexes_a_built_site_into_a_folder_of_its_own(built, tmp_path):
    out = tmp_path / "bundle"
    done = subprocess.run([sys.executable, "-m", "scripts", "index", str(built), "--output", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"indexed {built}: 27 page(s), ")  # 3 letters and 24 glossary entries
    # Pagefind reads only the pages INDEXED_PAGES names: none that holds something to index is left out
    bodies = [path for path in built.rglob("*.html") if "data-pagefind-body" in path.read_text(encoding="utf-8")]
    assert len(bodies) == 27
    entry = json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["en"]  # --force-language: one index, with English stemming
    assert "&" in entry["include_characters"] and "$" in entry["include_characters"]
    assert not list(out.glob("pagefind-*ui*")) and not (out / "pagefind-highlight.js").exists()
    words = {}
    for path in (out / "words").glob("*.json"):
        length = int(path.stem)
        listed = json.loads(path.read_text(encoding="utf-8"))
        assert all(len(w) == length for w in listed), path
        assert list(listed.values()) == sorted(listed.values(), reverse=True), path  # most frequent first
        words |= listed
    assert words["s&t"] >= 14 and words["front"] >= 2 and "1979" not in words and "S&T" not in words


def test_a_second_run_replaces_the_bundle_whole(built, tmp_path):
    out = tmp_path / "bundle"
    index(built, out)
    stale = out / "fragment" / "en_stale.pf_fragment"
    stale.write_bytes(b"old")
    index(built, out)
    assert not stale.exists() and (out / "pagefind-entry.json").exists()
    assert not (tmp_path / "bundle.new").exists()


def test_it_never_replaces_a_folder_that_is_not_a_bundle(built, tmp_path):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(PipelineError, match="exists and is not a Pagefind bundle; not replacing it"):
        index(built, precious)
    assert (precious / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_a_folder_that_is_not_a_built_site_is_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "scripts", "index", str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 1
    assert done.stderr == f"error: {tmp_path}: not a built site (no index.html): build it first (make site)\n"


@pytest.mark.parametrize(("text", "expected"), [
    ("“United front”, said the “united  front”.", {"united": 2, "front": 2, "said": 1, "the": 1}),
    ("S&T-related $15 billion—in 1979", {"s&t": 1, "related": 1, "$15": 1, "billion": 1, "in": 1}),
    ("Café cafe", {"cafe": 2}),
])
def test_vocabulary_counts_words_as_search_js_compares_them(text, expected):
    assert dict(vocabulary([text])) == expected
