"""Editing a source: generate's build cache (scripts/cache.py) gives the same site as a cold run while building
only what changed; a parallel build gives the same files as a serial one; and ``python -m scripts watch`` (beside
another engine's server) regenerates docs/ without a restart."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts import generate, writer
from scripts.generate import site_files

from corpus import FIXTURE, FIXTURE_SLUG, SEED_SLUG, both_sources
from folders import mtimes, put, snapshot, written

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "source_texts").glob("*.txt"))
GLOSSARY = ROOT / "glossary.yml"
SEE_ALSO = ROOT / "see_also.yml"
OLD, NEW = "Here I would like to add a European perspective.", "Here I would like to add a European view."
WAIT = 120  # seconds allowed for a regeneration on a loaded machine (never a timing assertion, only a limit)


def _generate(sources: Path, docs: Path, glossary: Path = GLOSSARY,
              see_also: Path = SEE_ALSO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scripts", "generate", "--sources", str(sources), "--docs", str(docs),
                           "--glossary", str(glossary), "--see-also", str(see_also), "--json"], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")


def _summary(run: subprocess.CompletedProcess) -> dict:
    """What a run reports with --json: the files it changed, how many sources it read and rendered, of how many."""
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _rendered(run: subprocess.CompletedProcess) -> tuple[int, int]:
    """How many sources a run read and rendered, and of how many: (1, 2) for 1 of 2."""
    summary = _summary(run)
    return summary["rendered"], summary["sources"]


def _sources(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    shutil.copytree(SEED.parent, sources)
    return sources


def test_an_edit_after_a_cached_run_gives_the_same_site_as_a_cold_run(tmp_path):
    sources = _sources(tmp_path)
    warm, cold = tmp_path / "warm" / "docs", tmp_path / "cold" / "docs"
    assert _generate(sources, warm).returncode == 0
    assert any((warm.parent / ".cache").glob("builds-*/*.pickle"))
    seed = sources / SEED.name
    seed.write_text(seed.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8", newline="")
    edited = _generate(sources, warm)
    assert edited.returncode == 0, edited.stderr
    # The edit touched one letter: its page, the single-file edition and passages.json change; nothing else.
    assert len(_summary(edited)["changed"]) == 3
    assert _generate(sources, cold).returncode == 0
    assert snapshot(warm) == snapshot(cold)


def test_a_damaged_cache_is_ignored(tmp_path):
    sources = _sources(tmp_path)
    docs = tmp_path / "site" / "docs"
    assert _generate(sources, docs).returncode == 0
    first = snapshot(docs)
    entries = list((tmp_path / "site" / ".cache").glob("builds-*/*.pickle"))
    assert entries
    for cache in entries:
        cache.write_bytes(cache.read_bytes()[:50])
    shutil.rmtree(docs)
    assert _generate(sources, docs).returncode == 0
    assert snapshot(docs) == first


@pytest.fixture
def two(tmp_path) -> tuple[Path, Path]:
    """The seed and the fixture source, generated once (cold): (sources, docs)."""
    sources, docs = both_sources(tmp_path / "sources"), tmp_path / "site" / "docs"
    assert _rendered(_generate(sources, docs)) == (2, 2)
    return sources, docs


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")


def _same_as_cold(sources: Path, docs: Path, tmp_path: Path, glossary: Path = GLOSSARY,
                  see_also: Path = SEE_ALSO) -> None:
    cold = tmp_path / "cold" / "docs"
    assert _generate(sources, cold, glossary, see_also).returncode == 0
    assert snapshot(docs) == snapshot(cold)


def test_an_edit_renders_only_its_source_and_rewrites_only_its_pages(two, tmp_path):
    sources, docs = two
    assert _rendered(_generate(sources, docs)) == (0, 2)  # nothing changed: nothing read
    before = mtimes(docs)
    _edit(sources / FIXTURE.name, "the true place for a just man", "the true place for a just person")
    edited = _generate(sources, docs)
    assert _rendered(edited) == (1, 2)
    touched = {rel for rel, stamp in mtimes(docs).items() if before.get(rel) != stamp}
    # The edited letter, its discussion's single-file edition, and the site-wide passages.json: never the seed's pages.
    assert touched == {f"{FIXTURE_SLUG}/letter-2.md", f"{FIXTURE_SLUG}/{FIXTURE_SLUG}.html", "passages.json"}
    assert not any(rel.startswith(SEED_SLUG) for rel in touched)
    _same_as_cold(sources, docs, tmp_path)


def test_entries_kept_in_memory_are_used_without_the_cache_folder_and_give_the_cold_site(two, tmp_path):
    """``make serve`` keeps the build cache's entries in memory between runs: an edit then builds its source alone
    with the other entries never read from disk (here removed from it), and gives a cold run's files."""
    sources, docs = two
    memory = generate.Memory()
    run = generate.generate(sources, docs, GLOSSARY, SEE_ALSO, jobs=1, memory=memory)
    assert (run.rendered, run.sources) == (0, 2) and len(memory.entries) == 2
    shutil.rmtree(docs.parent / ".cache")
    _edit(sources / FIXTURE.name, "the true place for a just man", "the true place for a just person")
    run = generate.generate(sources, docs, GLOSSARY, SEE_ALSO, jobs=1, memory=memory)
    assert (run.rendered, run.sources) == (1, 2) and len(memory.entries) == 2  # the edited source's old entry is gone
    _same_as_cold(sources, docs, tmp_path)


def _retitle(path: Path) -> None:
    _edit(path, "Balancing Research Security and Openness", "Balancing Research Security and Openness Again")


def _add_third(path: Path) -> None:
    shutil.copyfile(FIXTURE, path.parent / "002_third.txt")
    _edit(path.parent / "002_third.txt", "Liberty, Conscience, and Dissent", "A Third Discussion")


def _drop_a_term(glossary: Path) -> None:
    text = glossary.read_text(encoding="utf-8")
    start = text.index("- id: securitization")
    glossary.write_text(text[:start] + text[text.index("\n- id:", start) + 1:], encoding="utf-8")


# Each a change after which the site-wide pages kept in memory must not be reused as they were: a concordance line
# (the context of "securitization"), a discussion's title (every page that names it, and the navigation), a source
# added and removed, the glossary losing an entry.
MEMO_CHANGES = [
    ("concordance", lambda seed, glossary: _edit(seed, "a long-overdue warning", "a long-awaited warning")),
    ("title", lambda seed, glossary: _retitle(seed)),
    ("added", lambda seed, glossary: _add_third(seed)),
    ("removed", lambda seed, glossary: (seed.parent / "002_third.txt").unlink()),
    ("glossary", lambda seed, glossary: _drop_a_term(glossary)),
]


def test_site_wide_pages_kept_in_memory_equal_those_made_afresh_after_each_change(two, tmp_path):
    """``make serve`` keeps the site-wide pages with what each was made from and makes again only those whose
    inputs changed (generate.site_wide): after each change in turn, every file equals a cold build's."""
    sources, docs = two
    glossary = tmp_path / "glossary.yml"
    shutil.copyfile(GLOSSARY, glossary)
    memory = generate.Memory()
    generate.generate(sources, docs, glossary, SEE_ALSO, jobs=1, memory=memory)
    for name, change in MEMO_CHANGES:
        change(sources / SEED.name, glossary)
        generate.generate(sources, docs, glossary, SEE_ALSO, jobs=1, memory=memory)
        cold = site_files(sources, glossary, SEE_ALSO, jobs=1)
        assert snapshot(docs) == written(cold) | {
            ".generated.json": (docs / ".generated.json").read_bytes()}, name


def test_a_site_wide_page_kept_in_memory_but_edited_or_deleted_in_docs_is_written_again(two):
    """A site-wide page whose inputs did not change is not compared with docs/ again (``Memory.written``) unless
    its file changed since: edited by hand, or deleted, it is written again."""
    sources, docs = two
    memory = generate.Memory()
    generate.generate(sources, docs, GLOSSARY, SEE_ALSO, jobs=1, memory=memory)
    made = snapshot(docs)
    term, home = docs / "glossary" / "securitization.md", docs / "index.md"
    term.write_bytes(term.read_bytes().replace(b"securitization", b"securitisation"))
    home.unlink()
    run = generate.generate(sources, docs, GLOSSARY, SEE_ALSO, jobs=1, memory=memory)
    assert sorted(run.changed) == ["glossary/securitization.md", "index.md"] and snapshot(docs) == made


def test_warm_up_writes_nothing_and_leaves_no_citation_to_render_at_the_first_edit(two):
    """``make serve`` builds one source in its own process before the first edit (generate.warm_up) and drops what
    it made: nothing in docs/ or the cache changes, and the first edit of that source renders no citation with
    citeproc-py (its styles and shapes of work are ready, as for every later edit), where without it it would."""
    sources, docs = two
    memory = generate.Memory()
    generate.generate(sources, docs, GLOSSARY, SEE_ALSO, jobs=1, memory=memory)  # every source cached: none built
    assert memory.citer.rendered == 0
    before = snapshot(docs.parent)
    generate.warm_up(sources, GLOSSARY, SEE_ALSO, memory)
    assert snapshot(docs.parent) == before and memory.citer.rendered > 0
    ready = memory.citer.rendered
    _edit(sources / SEED.name, OLD, NEW)
    run = generate.generate(sources, docs, GLOSSARY, SEE_ALSO, jobs=1, memory=memory)
    assert (run.rendered, memory.citer.rendered) == (1, ready)


def test_a_hand_edited_or_deleted_page_is_written_again(two, tmp_path):
    sources, docs = two
    letter = docs / SEED_SLUG / "letter-1.md"
    letter.write_text(letter.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    (docs / FIXTURE_SLUG / "notes.md").unlink()
    again = _generate(sources, docs)
    assert _rendered(again) == (2, 2) and len(_summary(again)["changed"]) == 2
    _same_as_cold(sources, docs, tmp_path)


def test_a_glossary_change_renders_every_source_again(two, tmp_path):
    sources, docs = two
    glossary = tmp_path / "glossary.yml"
    glossary.write_text(GLOSSARY.read_text(encoding="utf-8").replace("Chinese Communist Party", "Communist Party "
                        "of China", 1), encoding="utf-8")
    assert _rendered(_generate(sources, docs, glossary)) == (2, 2)
    _same_as_cold(sources, docs, tmp_path, glossary)


def test_a_see_also_change_renders_again_and_changes_the_pages_it_links(two, tmp_path):
    sources, docs = two
    see_also = tmp_path / "see_also.yml"
    see_also.write_text(SEE_ALSO.read_text(encoding="utf-8") + f"\n- discussion: {SEED_SLUG}\n  between:\n"
                        "    - {letter: 1, paragraph: 5}\n    - {letter: 3, paragraph: 4}\n"
                        "  note: both ask for people to do the work\n", encoding="utf-8")
    before = mtimes(docs)
    run = _generate(sources, docs, see_also=see_also)
    assert _rendered(run) == (2, 2)
    touched = {rel for rel, stamp in mtimes(docs).items() if before.get(rel) != stamp}
    assert {f"{SEED_SLUG}/letter-1.md", f"{SEED_SLUG}/letter-3.md"} <= touched
    assert "both ask for people to do the work" in (docs / SEED_SLUG / "letter-3.md").read_text(encoding="utf-8")
    _same_as_cold(sources, docs, tmp_path, see_also=see_also)
    see_also.unlink()  # no file: no hand-made links, and the pages say so again
    assert _rendered(_generate(sources, docs, see_also=see_also)) == (2, 2)
    assert "both warn against suspecting" not in (docs / SEED_SLUG / "letter-1.md").read_text(encoding="utf-8")
    _same_as_cold(sources, docs, tmp_path / "again", see_also=see_also)


def test_added_removed_and_renamed_sources_give_the_same_site_as_a_cold_run(two, tmp_path):
    sources, docs = two
    # A copy of the seed that sorts first takes the seed's slug: the seed must move to its longer one.
    shutil.copy2(SEED, sources / f"0{SEED.name}")
    assert _rendered(_generate(sources, docs)) == (2, 3)
    _same_as_cold(sources, docs, tmp_path / "added")
    (sources / FIXTURE.name).unlink()
    (sources / FIXTURE.name.replace(".txt", ".meta.yml")).unlink()
    assert _rendered(_generate(sources, docs)) == (0, 2)
    assert not (docs / FIXTURE_SLUG).exists()
    _same_as_cold(sources, docs, tmp_path / "removed")
    entries = list((docs.parent / ".cache").glob("builds-*/*.pickle"))
    assert len(entries) == 2  # the removed source's entry is gone


def test_a_damaged_page_cache_entry_is_read_and_rendered_again(two, tmp_path):
    sources, docs = two
    for entry in (docs.parent / ".cache").glob("builds-*/*.pickle"):
        entry.write_bytes(b"\x80\x05not a pickle")
    assert _rendered(_generate(sources, docs)) == (2, 2)
    _same_as_cold(sources, docs, tmp_path)


def test_a_parallel_build_gives_the_same_files_as_a_serial_one(tmp_path, monkeypatch):
    """Discussions built in worker processes (scripts/generate.py) give every file byte for byte as in one process,
    for sources of one title, of a reserved name, and several: the slugs and the site-wide files included. The
    sources whose slug another source or the site holds are built again, in a second pool."""
    sources = both_sources(tmp_path / "sources")
    for n, title in enumerate(("Glossary", "Forum again", "Forum again")):
        (sources / f"{n}extra.txt").write_text(
            SEED.read_text(encoding="utf-8").replace("Balancing Research Security and Openness", title, 1),
            encoding="utf-8", newline="")
    pools = []

    class Pool(generate.ProcessPoolExecutor):
        def __init__(self, workers, **kwargs):
            pools.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(generate, "ProcessPoolExecutor", Pool)
    serial = site_files(sources, GLOSSARY, SEE_ALSO, jobs=1)
    assert pools == []
    assert {"glossary-0extra", "forum-again", "forum-again-2extra"} <= {p.split("/")[0] for p in serial}
    assert site_files(sources, GLOSSARY, SEE_ALSO, jobs=2) == serial
    assert pools == [2, 2]  # five sources, then the two whose slugs were taken
    assert site_files(sources, GLOSSARY, SEE_ALSO, jobs=3) == serial
    assert pools == [2, 2, 3, 2]


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
        put(seed, seed.read_bytes().replace(OLD.encode(), NEW.encode()), tmp_path)
        # the run over: its pages renamed in, and its staging folder (scripts/writer.py) removed after them
        assert _wait_for(lambda: NEW in letter.read_text(encoding="utf-8") and not (docs / writer.STAGING).exists(),
                         watch), log.read_text()
        before = snapshot(docs)
        put(sources / "zz.txt", b"\x00binary", tmp_path)
        assert _wait_for(lambda: "error:" in log.read_text(), watch)
        assert f"error: {sources / 'zz.txt'}:1: binary file" in log.read_text()
        assert snapshot(docs) == before
    finally:
        watch.terminate()
        watch.wait(timeout=30)
