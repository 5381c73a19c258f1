"""Edit → served: how long an edit of one source takes to reach the page ``make serve`` serves.

Starts ``python -m scripts serve`` on a benchmark corpus (the folder bench/run.py builds in: its sources/ and
docs/), waits for the first build and its search index, then edits one word of the middle source's benchmark
paragraph ``--edits`` times. Each time it measures from the source's write to the moment the letter page served
holds the new word (polled every 20 ms), then waits for the new search index to be in place before the next
edit, so that no edit is timed against Pagefind's work. A report: it does not pass or fail.

    python -m bench.serve WORK [--edits 3]
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHRASE = re.compile(r"adds these( \w+)? words")
WAIT = 900  # seconds for the first build at 1,000 sources on a loaded machine


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _wait(condition, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"bench.serve: gave up waiting for {what}")
        time.sleep(0.02)


def _bundle(work: Path) -> int | None:
    """The search index in place in the served site (its folder's inode: a new index is a new folder), if any."""
    try:
        return (work / ".cache" / "serve" / "site" / "pagefind").stat().st_ino
    except OSError:
        return None


def edit_to_served(work: Path, edits: int = 3) -> list[float]:
    """Seconds from each edit of the middle source to the letter page served showing it."""
    sources, docs = work / "sources", work / "docs"
    paths = sorted(sources.glob("*.txt"))
    source = paths[(len(paths) - 1) // 2]
    page = next(p for p in sorted(docs.glob("*/letter-*.md"))
                if f"/{source.name}" in p.read_text(encoding="utf-8").split("\n", 2)[1]
                and PHRASE.search(p.read_text(encoding="utf-8")))
    port = _port()
    url = f"http://127.0.0.1:{port}/{page.parent.name}/{page.stem}/"
    process = subprocess.Popen([sys.executable, "-m", "scripts", "serve", "--sources", str(sources), "--docs",
                                str(docs), "-a", f"127.0.0.1:{port}"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    times = []
    try:
        _wait(lambda: _page(url) and _bundle(work), "the first build and its search index", process)
        for k in range(edits):
            word = f"edit{k}x{port}"
            text = source.read_text(encoding="utf-8")
            bundle = _bundle(work)
            start = time.perf_counter()
            source.write_text(PHRASE.sub(f"adds these {word} words", text, count=1), encoding="utf-8", newline="")
            _wait(lambda word=word: word in _page(url), "the edit to be served", process)
            times.append(round(time.perf_counter() - start, 2))
            _wait(lambda bundle=bundle: _bundle(work) not in (None, bundle), "the new search index", process)
            time.sleep(1)
    finally:
        process.terminate()
        process.wait(timeout=60)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__.splitlines()[0])
    parser.add_argument("work", help="a benchmark folder holding sources/ and docs/ (bench/run.py --keep)")
    parser.add_argument("--edits", type=int, default=3, help="how many edits to time (default: 3)")
    args = parser.parse_args(argv)
    times = edit_to_served(Path(args.work), args.edits)
    print(f"edit → served: {', '.join(f'{t:.2f}' for t in times)} s (median {statistics.median(times):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
