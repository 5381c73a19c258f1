"""The search index: Pagefind run over the built site, plus the site's words for typo correction.

It reads the HTML that MkDocs (or Zensical, or anything else) built, so the search is the same
whatever built the pages: what is indexed is said in the page templates (``data-pagefind-body``
on the letters and the glossary entries, ``data-pagefind-ignore`` on repeated blocks; README,
"Search"). Pagefind writes its index in small pieces that the browser loads on demand
(``pagefind/``); docs/javascripts/search.js shows the results in Material's header search.

Pagefind has no typo tolerance, so this step also writes the words the index holds, with how often
each occurs, one file per word length (``pagefind/words/<length>.json``): for a query word that
finds nothing, search.js loads the files one shorter, as long and one longer, and tries the most
frequent word one edit away. The words are read from Pagefind's own fragments (the text exactly as
it was indexed), not from the HTML a second time.

    python -m scripts index [SITE] [--output DIR]
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import shutil
import subprocess
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pagefind_bin

from scripts.errors import PipelineError

# Every page is English: one index, whatever a page's lang attribute says (Zensical and MkDocs agree
# today, but a page without one would otherwise get an index of its own, "unknown", without stemming).
# "&" and "$" stay part of words: "S&T" is one word (else it is "s" and "t", which match every word
# starting with s or t) and "$15" is found as itself as well as "15" (Pagefind indexes both forms).
# Pagefind reads only the pages that can hold what is indexed: the letters and the glossary's entries (the pages
# scripts/render.py and scripts/render_glossary.py write from templates/letter.md and templates/term.md). It
# would otherwise read every page to find that it has no ``data-pagefind-body``: at 1,000 sources, 17 s and 1.6 GB
# instead of 8 s and 0.9 GB, for the same index (BENCHMARKS.md). tests/test_search_index.py checks that no page
# with ``data-pagefind-body`` is left out.
INDEXED_PAGES = ("*/letter-*/index.html", "glossary/*/index.html")
PAGEFIND_OPTIONS = ("--force-language", "en", "--include-characters", "&$",
                    "--glob", "{" + ",".join(INDEXED_PAGES) + "}")
BUNDLE = "pagefind"
WORDS = "words"
# Pagefind's own search interfaces (and its highlighter): search.js uses its API alone, so these are not published.
UNUSED = ("pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")
_FRAGMENT_SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before a fragment's JSON (pagefind.js, decompress)
# Query words are split on dashes and slashes by search.js too: "over-securitisation" is corrected part by part.
_SPLIT = re.compile(r"[\s\-\u2010-\u2015/]+")
_EDGE = re.compile(r"^[^\w&$]+|[^\w&$]+$")


@dataclass(frozen=True)
class IndexRun:
    pages: int
    words: int
    seconds: float


def normal_word(token: str) -> str:
    """A word as search.js compares it: lower case, no accents, no punctuation around it.

    >>> normal_word("“Front”,"), normal_word("S&T."), normal_word("Café")
    ('front', 's&t', 'cafe')
    """
    decomposed = unicodedata.normalize("NFD", token.lower())
    return _EDGE.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))


def vocabulary(contents) -> Counter:
    """How often each word occurs in the indexed texts.

    >>> sorted(vocabulary(["The united front, the S&T-related issues of 1979."]).items())
    [('front', 1), ('issues', 1), ('of', 1), ('related', 1), ('s&t', 1), ('the', 2), ('united', 1)]
    """
    raw: Counter = Counter()
    for text in contents:
        raw.update(_SPLIT.split(text))
    counts: Counter = Counter()
    for token, n in raw.items():  # each distinct token normalised once: most repeat
        word = normal_word(token)
        if word and not word.isdigit():
            counts[word] += n
    return counts


def _fragments(bundle: Path):
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        yield json.loads(data.removeprefix(_FRAGMENT_SIGNATURE))["content"]


def write_words(bundle: Path) -> int:
    """Write ``words/<length>.json`` into a Pagefind bundle: {word: count}, most frequent first. Returns the count."""
    counts = vocabulary(_fragments(bundle))
    by_length: dict[int, dict[str, int]] = {}
    for word, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        by_length.setdefault(len(word), {})[word] = n
    (bundle / WORDS).mkdir()
    for length, words in by_length.items():
        (bundle / WORDS / f"{length}.json").write_text(json.dumps(words, ensure_ascii=False, separators=(",", ":")),
                                                       encoding="utf-8")
    return len(counts)


def _is_bundle(folder: Path) -> bool:
    return (folder / "pagefind-entry.json").is_file()


def index(site: Path, output: Path | None = None) -> IndexRun:
    """Index a built site with Pagefind into ``output`` (default SITE/pagefind), replacing what was there.

    The new bundle is written beside the old one and put in its place at the end (``put_in_place``), so a
    server that publishes the folder never sees half an index, nor none. A folder that is not a Pagefind
    bundle is never removed: a mistyped --output stops the run instead.
    """
    start = time.perf_counter()
    if not (site / "index.html").is_file():
        raise PipelineError(site, "not a built site (no index.html): build it first (make site)")
    output = output or site / BUNDLE
    if output.exists() and not _is_bundle(output):
        raise PipelineError(output, "exists and is not a Pagefind bundle; not replacing it")
    staged = output.with_name(output.name + ".new")
    shutil.rmtree(staged, ignore_errors=True)
    # the binary itself (pagefind_bin's public get_executable), not ``python -m pagefind``, a Python start that execs it
    done = subprocess.run([str(pagefind_bin.get_executable()), "--site", str(site), "--output-path", str(staged),
                           "--silent", *PAGEFIND_OPTIONS], capture_output=True, text=True)
    if done.returncode or not _is_bundle(staged):
        message = " ".join((done.stderr or done.stdout or "no output").split())[-500:]
        raise PipelineError(site, f"Pagefind failed (exit {done.returncode}): {message}")
    entry = json.loads((staged / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(language["page_count"] for language in entry["languages"].values())
    words = write_words(staged)
    for pattern in UNUSED:
        for path in staged.glob(pattern):
            path.unlink()
    put_in_place(staged, output)
    return IndexRun(pages=pages, words=words, seconds=time.perf_counter() - start)


def put_in_place(staged: Path, output: Path) -> None:
    """The bundle ``staged`` moved to ``output``, replacing the one there in two renames (the old one removed after):
    whoever reads ``output`` meanwhile (a page of ``make serve`` searching) finds the old bundle or the new one."""
    old = output.with_name(output.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        output.rename(old)
    staged.rename(output)
    shutil.rmtree(old, ignore_errors=True)
