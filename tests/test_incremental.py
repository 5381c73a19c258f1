"""Editing a source: generate's citation cache gives the same site as a cold run, and
``python -m scripts watch`` (run by ``make serve``) regenerates docs/ without a restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from scripts import cite_cache

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "source_texts").glob("*.txt"))
OLD, NEW = "Here I would like to add a European perspective.", "Here I would like to add a European view."
WAIT = 120  # seconds allowed for a regeneration on a loaded machine (never a timing assertion, only a limit)


def _generate(sources: Path, docs: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scripts", "generate", "--sources", str(sources), "--docs", str(docs)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _sources(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    shutil.copytree(SEED.parent, sources)
    return sources


def test_an_edit_after_a_cached_run_gives_the_same_site_as_a_cold_run(tmp_path):
    sources = _sources(tmp_path)
    warm, cold = tmp_path / "warm" / "docs", tmp_path / "cold" / "docs"
    assert _generate(sources, warm).returncode == 0
    assert any(cite_cache.cache_file(warm.parent / ".cache").parent.glob("citations-*.json"))
    seed = sources / SEED.name
    seed.write_text(seed.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8", newline="")
    edited = _generate(sources, warm)
    assert edited.returncode == 0, edited.stderr
    # The edit touched one letter: its page, the single-file edition and passages.json change; nothing else.
    assert "3 file(s) changed" in edited.stderr
    assert _generate(sources, cold).returncode == 0
    assert _tree(warm) == _tree(cold)


def test_a_damaged_cache_is_ignored(tmp_path):
    sources = _sources(tmp_path)
    docs = tmp_path / "site" / "docs"
    assert _generate(sources, docs).returncode == 0
    first = _tree(docs)
    for cache in (tmp_path / "site" / ".cache").glob("citations-*.json"):
        cache.write_text('{"broken": ', encoding="utf-8")
    shutil.rmtree(docs)
    assert _generate(sources, docs).returncode == 0
    assert _tree(docs) == first


def _wait_for(condition, process: subprocess.Popen) -> bool:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return True
        assert process.poll() is None, "watch stopped"
        time.sleep(0.2)
    return False


def test_watch_regenerates_when_a_source_changes_and_survives_a_bad_one(tmp_path):
    sources = _sources(tmp_path)
    docs = tmp_path / "docs"
    assert _generate(sources, docs).returncode == 0
    letter = next(docs.glob("*/letter-1.md"))
    log = tmp_path / "watch.log"
    with log.open("w") as out:
        watch = subprocess.Popen([sys.executable, "-m", "scripts", "watch", "--interval", "0.2",
                                  "--sources", str(sources), "--docs", str(docs)], cwd=ROOT, stderr=out)
    try:
        assert _wait_for(lambda: "watching" in log.read_text(), watch)
        seed = sources / SEED.name
        seed.write_text(seed.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8", newline="")
        assert _wait_for(lambda: NEW in letter.read_text(encoding="utf-8"), watch), log.read_text()
        before = _tree(docs)
        (sources / "zz.txt").write_bytes(b"\x00binary")
        assert _wait_for(lambda: "error:" in log.read_text(), watch)
        assert f"error: {sources / 'zz.txt'}:1: binary file" in log.read_text()
        assert _tree(docs) == before
    finally:
        watch.terminate()
        watch.wait(timeout=30)
