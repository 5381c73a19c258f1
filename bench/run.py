"""The build benchmark: `make bench` (a report, not a test: it never passes or fails).

For each corpus size (bench/corpus.py: copies of the seed, each with its own title and
text) it builds, in a temporary folder and never in the repository's docs/:

- the pipeline alone, cold (``python -m scripts generate`` into an empty docs folder with
  empty caches; discussions built in one process per core), then again with nothing changed, then after
  editing one source (the build cache, scripts/cache.py, then builds that source alone);
- the site with the project's mkdocs.yml (its theme overrides, CSS and JS), then its search
  index (``python -m scripts index``: Pagefind over the built site), as ``make site`` does;
- ``make serve`` (``python -m scripts serve``) on that corpus, and three edits of one source, each timed
  until the letter page it serves shows it (bench/serve.py);
- the same generated Markdown with plain Material for MkDocs (no overrides, extra CSS/JS,
  features; the same Markdown extensions, so the pages render, and the same generated
  navigation, docs/.nav.yml), for the project's added cost;
- with ``--search-sizes`` (default 1,200,1000, among --sizes): search side by side. The same
  pages built as the project stood before Pagefind (Material's lunr search, the hook that added
  a search entry per paragraph and the script that re-ranked phrases, taken from git at
  LUNR_COMMIT), both sites served as GitHub Pages serves (gzip), and in Chromium: open a letter
  page, type a phrase in the search box, and record every byte fetched and how long after the
  last keystroke the first results showed.

It records seconds, peak memory (the child process's maximum resident set size), the size of
the built site, its search index and the largest letter page, and, with ``--lighthouse``,
Lighthouse's scores for the home page and a letter page of the one-source site. Results go
into BENCHMARKS.md between the markers below; the rest of that file is written by hand.

    python -m bench.run [--sizes 1,10,100,200,1000] [--search-sizes 1,200,1000] [--lighthouse] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import http.server
import io
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from importlib.metadata import version
from pathlib import Path

import yaml

from bench.corpus import write_corpus
from bench.serve import edit_to_served

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"
START, END = "<!-- bench:start (written by bench/run.py) -->", "<!-- bench:end -->"
LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-background-networking --disable-component-update"
# The last commit whose search was Material's lunr (with hooks/search.py and the phrase re-ranking search.js).
LUNR_COMMIT = "0e3dd6ae4f1c3d75e34e76556ccd472bf4f50a0a"
LUNR_FILES = ("mkdocs.yml", "hooks/search.py", "docs/javascripts/search.js", "overrides/main.html",
              "overrides/partials/search.html", "overrides/partials/copyright.html")
PHRASE = "united front"  # the phrase searched in the search part
KEY_DELAY_MS = 120  # a typist's pace
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}


def measure(*args: str) -> tuple[float, int, str]:
    """Run a command; return (wall seconds, peak resident memory in bytes, its stdout). Stops the run if it fails."""
    start = time.perf_counter()
    done = subprocess.run((sys.executable, "-c", WRAP, *args), cwd=ROOT, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"error: {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    match = re.search(r"PEAK_RSS_KB=(\d+)", done.stderr)
    return seconds, int(match.group(1)) * 1024 if match else 0, done.stdout


# Each measured command runs under this wrapper, which prints its child's peak memory (ru_maxrss).
WRAP = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
        "sys.stderr.write('PEAK_RSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "sys.exit(code)")


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def hand_written_docs(into: Path) -> None:
    """docs/ without the generated files (the pipeline writes those)."""
    generated = set(json.loads((ROOT / "docs" / ".generated.json").read_text(encoding="utf-8")))
    for path in (ROOT / "docs").rglob("*"):
        rel = path.relative_to(ROOT / "docs").as_posix()
        if path.is_file() and rel not in generated and rel != ".generated.json":
            (into / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, into / rel)


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as YAML, its ``!ENV`` tags (MkDocs' environment variables: ``site_url``) read as null."""


_ConfigLoader.add_constructor("!ENV", lambda loader, node: None)


def configs(work: Path) -> tuple[Path, Path]:
    """The project's mkdocs.yml with only the folders moved, and a plain Material one; both with the
    navigation the pipeline generated into work/docs (the project's mkdocs.yml inherits it from the
    repository's docs/, scripts/render_nav.py): plain Material gets it too, as the same Markdown's layout."""
    nav = yaml.safe_load((work / "docs" / ".nav.yml").read_text(encoding="utf-8"))
    project = work / "mkdocs.yml"
    project.write_text(yaml.safe_dump({
        "INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": str(work / "docs"), "site_dir": str(work / "site"),
        "theme": {"name": "material", "custom_dir": str(ROOT / "overrides")}, **nav}), encoding="utf-8")
    settings = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
    plain = work / "plain.yml"
    plain.write_text(yaml.safe_dump({
        "site_name": "plain", "docs_dir": str(work / "docs"), "site_dir": str(work / "plain-site"),
        "theme": {"name": "material"}, "markdown_extensions": settings["markdown_extensions"], **nav}),
        encoding="utf-8")
    return project, plain


def edit_one_source(sources: Path, size: int) -> None:
    """Change one word of one source's benchmark paragraph, as an editor would fix a typo."""
    path = sources / f"{(size + 1) // 2:05d}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("adds these words", "adds these other words", 1),
                    encoding="utf-8", newline="")


def changed_count(summary: dict) -> int:
    """How many files under docs/ a ``generate --json`` run wrote or removed."""
    return len(summary["changed"])


def rendered_count(summary: dict) -> int:
    """How many sources the run built (the rest came from the build cache)."""
    return summary["rendered"]


def bench_size(size: int, work: Path, plain: bool = True) -> dict:
    print(f"size {size}: corpus", file=sys.stderr, flush=True)
    sources, docs = work / "sources", work / "docs"
    write_corpus(size, sources)
    docs.mkdir(parents=True)
    hand_written_docs(docs)
    generate = ("-m", "scripts", "generate", "--sources", str(sources), "--docs", str(docs), "--json")
    row: dict = {"size": size, "load": round(os.getloadavg()[0], 1)}
    print(f"size {size}: generate (cold)", file=sys.stderr, flush=True)
    row["gen_s"], row["gen_rss"], _ = measure(sys.executable, *generate)
    row["gen_again_s"], _, out = measure(sys.executable, *generate)
    summary = json.loads(out)
    row["gen_again_changed"], row["gen_again_rendered"] = changed_count(summary), rendered_count(summary)
    edit_one_source(sources, size)
    row["gen_edit_s"], row["gen_edit_rss"], out = measure(sys.executable, *generate)
    summary = json.loads(out)
    row["gen_edit_changed"], row["gen_edit_rendered"] = changed_count(summary), rendered_count(summary)
    row["date"] = datetime.datetime.now().isoformat(timespec="minutes")
    row["pages"] = sum(1 for _ in docs.rglob("*.md"))
    project, plain_config = configs(work)
    print(f"size {size}: mkdocs build ({row['pages']} pages)", file=sys.stderr, flush=True)
    row["build_s"], row["build_rss"], _ = measure(sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project))
    if plain:
        print(f"size {size}: plain Material build", file=sys.stderr, flush=True)
        row["plain_s"], row["plain_rss"], _ = measure(sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                                                      str(plain_config))
    site = work / "site"
    print(f"size {size}: search index", file=sys.stderr, flush=True)
    row["index_s"], row["index_rss"], _ = measure(sys.executable, "-m", "scripts", "index", str(site))
    print(f"size {size}: edit → served (make serve)", file=sys.stderr, flush=True)
    row["serve_edit_s"] = edit_to_served(work)
    row["site_bytes"] = folder_bytes(site)
    if plain:
        row["plain_bytes"] = folder_bytes(work / "plain-site")
    row["index_bytes"] = folder_bytes(site / "pagefind")
    row["text_bytes"] = sum(p.stat().st_size for p in sources.glob("*.txt"))
    letters = sorted(site.glob("*/letter-*/index.html"))
    row["letter_max_bytes"] = max(p.stat().st_size for p in letters)
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', letters[0].read_text(encoding="utf-8"),
                    re.S)
    row["letter_nav_bytes"] = len(nav.group(0).encode()) if nav else 0
    return row


def lunr_site(work: Path) -> tuple[Path, float]:
    """The same generated pages built as the project stood before Pagefind (LUNR_COMMIT): Material's lunr search,
    hooks/search.py and the phrase re-ranking search.js; returns the site and its build's seconds. The pages' one
    difference from then, data-pagefind-ignore where Material's data-search-exclude was, is undone."""
    lunr = work / "lunr"
    shutil.rmtree(lunr, ignore_errors=True)
    shutil.copytree(work / "docs", lunr / "docs")
    for name in LUNR_FILES:
        text = subprocess.run(["git", "show", f"{LUNR_COMMIT}:{name}"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout
        (lunr / name).parent.mkdir(parents=True, exist_ok=True)
        (lunr / name).write_text(text, encoding="utf-8")
    for page in (lunr / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if "data-pagefind-ignore" in text:
            page.write_text(text.replace("data-pagefind-ignore", "data-search-exclude"), encoding="utf-8")
    nav = yaml.safe_load((lunr / "docs" / ".nav.yml").read_text(encoding="utf-8"))
    config = lunr / "run.yml"
    config.write_text(yaml.safe_dump({
        "INHERIT": str(lunr / "mkdocs.yml"), "docs_dir": str(lunr / "docs"), "site_dir": str(lunr / "site"),
        "theme": {"name": "material", "custom_dir": str(lunr / "overrides")}, **nav}), encoding="utf-8")
    seconds, _, _ = measure(sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config))
    return lunr / "site", seconds


# In the page: the time of the last keystroke, and of the first change to the results after it.
TIMER = """() => {
  window.__bench = {key: 0, shown: 0};
  document.addEventListener("keydown", () => { __bench.key = performance.now(); __bench.shown = 0; }, true);
  new MutationObserver(() => {
    if (__bench.key && !__bench.shown && document.querySelector(".md-search-result__list > li"))
      __bench.shown = performance.now();
  }).observe(document.body, {subtree: true, childList: true});
}"""


def search_figures(site: Path, letter: str, engine: str) -> dict:
    """Open a letter page of a served site in Chromium, type PHRASE into the search box, wait for the results;
    bytes fetched (as sent: compressed where the server compresses) and milliseconds from the last keystroke
    to the first results."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Served, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fetched: list[tuple[str, int]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROME, args=CHROME_FLAGS.split()[1:])
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.on("requestfinished", lambda r: fetched.append(
                (r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])))
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/{letter}", wait_until="networkidle")
            page_bytes = sum(n for _, n in fetched)
            page.evaluate(TIMER)
            page.locator(".md-search__input").click()
            page.keyboard.type(PHRASE, delay=KEY_DELAY_MS)
            page.wait_for_selector(".md-search-result__list a[href*='#p-individual-analyses-that-claim-to']",
                                   timeout=600_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
            shown_ms = page.evaluate("__bench.shown - __bench.key")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    data = [n for url, n in fetched if re.search(r"/search/search_index\.json|/pagefind/(index|fragment|filter|words)/"
                                                  r"|\.pf_meta", url)]
    return {"engine": engine, "page_bytes": page_bytes, "total_bytes": sum(n for _, n in fetched),
            "search_data_bytes": sum(data), "search_files": len(data), "first_results_ms": round(shown_ms)}


def bench_search(row: dict, work: Path) -> None:
    """The search part for one corpus: lunr (as before) against Pagefind, on the same pages."""
    size = row["size"]
    letter = f"{sorted((work / 'site').glob('*/letter-1/index.html'))[size // 2].parent.relative_to(work / 'site')}/"
    print(f"size {size}: lunr site (as at {LUNR_COMMIT[:7]})", file=sys.stderr, flush=True)
    lunr, lunr_build_s = lunr_site(work)
    print(f"size {size}: search in Chromium", file=sys.stderr, flush=True)
    row["search"] = [
        {**search_figures(lunr, letter, "lunr"), "build_s": lunr_build_s, "index_s": 0.0,
         "index_bytes": (lunr / "search" / "search_index.json").stat().st_size},
        {**search_figures(work / "site", letter, "pagefind"), "build_s": row["build_s"], "index_s": row["index_s"],
         "gen_s": row["gen_s"], "index_bytes": row["index_bytes"]},
    ]
    row["search_letter"] = letter
    shutil.rmtree(lunr.parent, ignore_errors=True)


class _Served(http.server.SimpleHTTPRequestHandler):
    """Python's file server, quiet, and compressing text as GitHub Pages does (gzip), so that Lighthouse
    measures the pages as a reader would get them rather than the test server's missing compression."""

    COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", "/")

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if ("gzip" not in self.headers.get("Accept-Encoding", "") or not self.path.split("?")[0].endswith(
                self.COMPRESSED) or not os.path.isfile(path)):
            return super().send_head()
        body = gzip.compress(Path(path).read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # GitHub Pages' own header
        self.end_headers()
        return io.BytesIO(body)


def lighthouse(site: Path, out: Path) -> list[dict]:
    """Lighthouse (mobile) for the home page and the first letter page of a built site, served on 127.0.0.1."""
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "install", "--prefix", str(ROOT / "bench"), "--no-save", "--no-package-lock",
                        "--no-audit", "--no-fund", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Served, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    letter = sorted(site.glob("*/letter-*/index.html"))[0].parent.relative_to(site).as_posix()
    results = []
    try:
        for name, path in (("home page", ""), ("letter page", f"{letter}/")):
            url = f"http://127.0.0.1:{server.server_port}/{path}"
            report = out / f"lighthouse-{name.split()[0]}.json"
            subprocess.run([str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
                            f"--chrome-flags={CHROME_FLAGS}"], env={**ENV, "CHROME_PATH": CHROME}, check=True)
            data = json.loads(report.read_text(encoding="utf-8"))
            scores = {key: round(cat["score"] * 100) for key, cat in data["categories"].items()}
            failing = sorted(audit["id"] for audit in data["audits"].values()
                             if audit.get("score") is not None and audit["score"] < 1
                             and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
            results.append({"page": name, "url": path or "/", **scores, "failing": failing})
    finally:
        server.shutdown()
        server.server_close()
    return results


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    chromium = subprocess.run([CHROME, "--version"], capture_output=True, text=True).stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return [
        f"- Machine: {os.cpu_count()} cores (`nproc`), {memory} memory (`free -h`), CPU: {cpu}; "
        "shared with other people's test runs (noisy: the load average at each run's start is under the tables)",
        f"- Python {platform.python_version()}, MkDocs {version('mkdocs')}, Material {version('mkdocs-material')}, "
        f"Markdown {version('Markdown')}, citeproc-py {version('citeproc-py')}; {chromium}; Node {node}",
        f"- Date: {datetime.date.today().isoformat()}",
    ]


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.2f} MB" if n >= 100_000 else f"{n / 1000:.1f} KB"


def _label(row: dict) -> str:
    return str(row["size"])


def report(rows: list[dict], scores: list[dict], command: str) -> str:
    base = next((r for r in rows if r["size"] == 10), rows[0])
    lines = [START, "", "## Results (written by `bench/run.py`)", "", *machine(),
             "- Commands: " + "; ".join(sorted({f"`{r['command']}`" for r in rows if r.get("command")})), "",
             "| sources | pages | pipeline s (cold) | build s (mkdocs) | full build s"
             " | pipeline share: cold, after an edit | project's own cost ÷ mkdocs build (cold pipeline + index)"
             " | pipeline s/source | full s/source"
             " | s/source vs 10 (pipeline, full) | peak memory (pipeline, mkdocs) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        full = r["gen_s"] + r["build_s"]
        per_gen, per_full = r["gen_s"] / r["size"], full / r["size"]
        base_gen, base_full = base["gen_s"] / base["size"], (base["gen_s"] + base["build_s"]) / base["size"]
        lines.append(f"| {_label(r)} | {r['pages']} | {r['gen_s']:.1f} | {r['build_s']:.1f} | {full:.1f} "
                     f"| {r['gen_s'] / full:.0%}, {r['gen_edit_s'] / (r['gen_edit_s'] + r['build_s']):.0%} "
                     f"| {(r['gen_s'] + r['index_s']) / r['build_s']:.2f}× "
                     f"| {per_gen:.2f} | {per_full:.2f} "
                     f"| {per_gen / base_gen:.2f}×, {per_full / base_full:.2f}× "
                     f"| {r['gen_rss'] / 2**20:.0f} MiB, {r['build_rss'] / 2**20:.0f} MiB |")
    lines += ["", "| sources | re-run, nothing changed: s (files written) | after editing one source: s (files written;"
              " sources rendered)"
              " | edit → served by `make serve`: s (median of 3)"
              " | project build ÷ plain Material build (time) | site size (plain Material) | search index (pagefind/)"
              " | index bytes ÷ source text bytes | largest letter page (its navigation) |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        served = f"{statistics.median(r['serve_edit_s']):.2f}" if r.get("serve_edit_s") else "—"
        lines.append(f"| {_label(r)} | {r['gen_again_s']:.2f} ({r['gen_again_changed']}) "
                     f"| {r['gen_edit_s']:.2f} ({r['gen_edit_changed']}; {r.get('gen_edit_rendered', '?')}) "
                     f"| {served} "
                     + (f"| {r['build_s'] / r['plain_s']:.2f}× ({r['build_s']:.1f} s ÷ {r['plain_s']:.1f} s"
                        + (f"; plain Material from the run of {r['plain_from']}" if r.get("plain_from") else "")
                        + f") | {_mb(r['site_bytes'])} ({_mb(r['plain_bytes'])}) " if "plain_s" in r
                        else f"| — (not run) | {_mb(r['site_bytes'])} (—) ")
                     + f"| {_mb(r['index_bytes'])} | {r['index_bytes'] / r['text_bytes']:.2f} "
                     f"| {_mb(r['letter_max_bytes'])} ({_mb(r['letter_nav_bytes'])}) |")
    searched = [r for r in rows if r.get("search")]
    if searched:
        lines += ["", f"Search, lunr (as at {LUNR_COMMIT[:7]}) against Pagefind, on the same pages: open a letter page"
                  f" of the middle source, served with gzip, in Chromium; type “{PHRASE}” ({KEY_DELAY_MS} ms a key)"
                  " into the search box and wait for the results (Material's search, lunr, starts fetching its index"
                  " when the page loads):", "",
                  "| sources | engine | build s | index s | index share of `make site` (cold) | index on disk"
                  " | page + search: bytes fetched | of which search data (files) | first results after the last key |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in searched:
            for e in r["search"]:
                # of the run that measured the search (a kept entry without its own pipeline time has no share)
                share = (e["index_s"] / (e["gen_s"] + e["build_s"] + e["index_s"])
                         if e["engine"] == "pagefind" and "gen_s" in e else None)
                lines.append(f"| {_label(r)}{' (run of ' + r['search_from'] + ')' if r.get('search_from') else ''} "
                             f"| {e['engine']} | {e['build_s']:.1f} | "
                             + (f"{e['index_s']:.2f} | " + (f"{share:.1%}" if share is not None else "—")
                                if e["engine"] == "pagefind" else "(in the build) | —")
                             + f" | {_mb(e['index_bytes'])} | {_mb(e['total_bytes'])} "
                             f"| {_mb(e['search_data_bytes'])} ({e['search_files']}) | {e['first_results_ms']} ms |")
    if scores:
        lines += ["", "Lighthouse " + LIGHTHOUSE_VERSION + " (mobile profile, Chromium headless, served on 127.0.0.1;"
                  " the one-source site):", "",
                  "| page | performance | accessibility | best practices | SEO | audits not passed |",
                  "|---|---:|---:|---:|---:|---|"]
        for s in scores:
            lines.append(f"| {s['page']} (`{s['url']}`) | {s['performance']} | {s['accessibility']} "
                         f"| {s['best-practices']} | {s['seo']} | {', '.join(s['failing']) or '—'} |")
    lines += ["", "Runs: " + ", ".join(f"{_label(r)} at {r.get('date', '?')} (load {r.get('load', '?')})" for r in rows)
              + ".",
              "Raw figures: `bench/results.json`.", "", END]
    return "\n".join(lines)


def write_report(text: str) -> None:
    old = REPORT.read_text(encoding="utf-8") if REPORT.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in old and END in old:
        new = old[: old.index(START)] + text + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    REPORT.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,200,1000", help="corpus sizes, comma-separated")
    parser.add_argument("--search-sizes", default="1,200,1000",
                        help="sizes (among --sizes) at which to compare search engines in Chromium")
    parser.add_argument("--lighthouse", action="store_true", help="also run Lighthouse on the one-source site")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.json"),
                        help="where the raw figures go; rows of other sizes already there are kept")
    parser.add_argument("--no-report", dest="report", action="store_false", help="do not rewrite BENCHMARKS.md")
    parser.add_argument("--no-plain", dest="plain", action="store_false",
                        help="skip the plain Material build (18 minutes at 1,000 sources); its figures are kept from"
                             " the results file's row of the same size")
    parser.add_argument("--keep", help="build in this folder and keep it (default: a temporary folder, removed)")
    args = parser.parse_args(argv)
    command = "python -m bench.run " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    search_sizes = {int(s) for s in args.search_sizes.split(",") if s}
    results = Path(args.results)
    # Rows of sizes not run now are kept from the results file (same machine; the report gives each run's date).
    old = json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}
    rows = [r for r in old.get("rows", []) if r["size"] not in sizes]
    scores: list[dict] = [] if args.lighthouse else old.get("lighthouse", [])
    scratch = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="reader-bench-"))
    try:
        for size in sizes:
            work = scratch / f"size-{size}"
            shutil.rmtree(work, ignore_errors=True)
            row = bench_size(size, work, args.plain) | {"command": command}
            if not args.plain:
                kept = next((r for r in old.get("rows", []) if r["size"] == size and "plain_s" in r), None)
                if kept:
                    row |= {k: kept[k] for k in ("plain_s", "plain_rss", "plain_bytes")} | {
                        "plain_from": kept.get("plain_from", kept["date"])}  # the run that measured it
            if size in search_sizes:
                bench_search(row, work)
            else:  # the search comparison of the last run that made it, said to be from that run
                kept = next((r for r in old.get("rows", []) if r["size"] == size and r.get("search")), None)
                if kept:
                    row |= {"search": kept["search"], "search_from": kept.get("search_from", kept["date"])}
            rows.append(row)
            rows.sort(key=lambda r: r["size"])
            if args.lighthouse and size == 1:
                scores = lighthouse(work / "site", work)
            results.write_text(json.dumps({"rows": rows, "lighthouse": scores}, indent=1) + "\n", encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.report:
        write_report(report(rows, scores, command))
        print(f"wrote {REPORT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
