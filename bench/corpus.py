"""A benchmark corpus: N sources with the seed's shape, each with its own title and text.

Each source is the seed byte for byte (mojibake included, so the repair stage does its
real work) with two changes: its title line gets a number ("…, forum 17"), so each
discussion has its own slug; and each letter gets one more prose paragraph, written from
the seed's own words in a per-source order, so every source's text (and search index) is
its own and each new paragraph's anchor is new. The seed's metadata file is copied beside
each source. Every glossary entry still occurs, so the project's glossary.yml applies.

    python -m bench.corpus 100 /tmp/corpus-100
"""

from __future__ import annotations

import random
import re
import shutil
import sys
from pathlib import Path

from scripts.parse import DISCUSSION_OF, parse
from scripts.repair import repair
from scripts.sources import META_SUFFIX, SOURCE_SUFFIX, find_sources, read_source

ROOT = Path(__file__).resolve().parent.parent
SEED_FOLDER = ROOT / "source_texts"
EXTRA_WORDS = 40
_WORD = re.compile(r"[a-z]{4,}")


def _seed() -> tuple[Path, list[str], int, list[int], list[str]]:
    """The seed's path, its lines, its title line's index, each letter's last prose line index, its words."""
    path = find_sources(SEED_FOLDER)[0]
    source = read_source(path)
    lines = path.read_bytes().decode("utf-8").split("\n")
    title = next(i for i, line in enumerate(lines) if line.strip().casefold() == DISCUSSION_OF) - 1
    while not lines[title].strip():
        title -= 1
    discussion = parse(repair(source.text), path.name, source.meta)
    # Each letter's prose ends at its last paragraph or pull quote (1-based line numbers).
    ends = [max([p.line for p in letter.paragraphs] + [q.line for q in letter.pull_quotes]) - 1
            for letter in discussion.letters]
    words = sorted(set(_WORD.findall(discussion.letters[0].paragraphs[1].text.lower())))
    return path, lines, title, ends, words


def source_text(n: int, seed: tuple[Path, list[str], int, list[int], list[str]]) -> str:
    """The text of source number ``n`` (1-based)."""
    _, lines, title, ends, words = seed
    rng = random.Random(n)
    out = list(lines)
    for letter, end in sorted(enumerate(ends, start=1), key=lambda item: -item[1]):
        picked = " ".join(rng.choice(words) for _ in range(EXTRA_WORDS))
        out[end + 1:end + 1] = ["", f"Benchmark forum {n} letter {letter} adds these words: {picked}."]
    out[title] = f"{lines[title].rstrip()}, forum {n}"
    return "\n".join(out)


def write_corpus(size: int, folder: Path) -> list[Path]:
    """Write ``size`` sources (and their metadata) into ``folder``, replacing what was there."""
    seed = _seed()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    meta = seed[0].with_name(seed[0].name.removesuffix(SOURCE_SUFFIX) + META_SUFFIX)
    written = []
    for n in range(1, size + 1):
        path = folder / f"{n:05d}{SOURCE_SUFFIX}"
        path.write_text(source_text(n, seed), encoding="utf-8", newline="")
        if meta.exists():
            shutil.copyfile(meta, folder / f"{n:05d}{META_SUFFIX}")
        written.append(path)
    return written


if __name__ == "__main__":
    write_corpus(int(sys.argv[1]), Path(sys.argv[2]))
