"""The command line: ``python -m scripts repair FILE``, ``generate``, ``watch``, ``serve``, ``check`` and ``index``.

Every error a user can cause is printed as one line (``error: FILE[:LINE]: …``) with
exit status 1; nothing else is printed on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

from scripts.errors import PipelineError
from scripts.sources import read_text
from scripts.writer import Busy

# Each command imports the stages it runs when it runs: `index`, a step of every `make site`, then starts in a
# tenth of a second instead of half a second spent importing the whole pipeline (BENCHMARKS.md).

ROOT = Path(__file__).resolve().parent.parent
MKDOCS_CONFIG = ROOT / "mkdocs.yml"


def _repair(args: argparse.Namespace) -> int:
    from scripts.repair import repair

    repaired = repair(read_text(args.file))
    sys.stdout.reconfigure(encoding="utf-8", newline="")
    if args.explain:
        for change in repaired.changes:
            sys.stdout.write(json.dumps(change.as_dict(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(repaired.text)
    unresolved = sum(not c.resolved for c in repaired.changes)
    if unresolved:
        print(f"warning: {args.file}: {unresolved} damaged sequence(s) could not be repaired with confidence "
              "and are marked with U+FFFD (see --explain)", file=sys.stderr)
    return 0


def _generate(args: argparse.Namespace) -> int:
    from scripts.generate import generate

    run = generate(Path(args.sources), Path(args.docs), _glossary(args), _see_also(args), args.jobs)
    for line in run.warnings:
        print(line, file=sys.stderr)
    if getattr(args, "json", False):  # watch runs this too, without the option
        summary = {"changed": sorted(run.changed), "rendered": run.rendered, "sources": run.sources,
                   "warnings": list(run.warnings)}
        print(json.dumps(summary))
        return 0
    print(f"generated {args.docs}: {len(run.changed)} file(s) changed; {run.rendered} of {run.sources} source(s) "
          "read and rendered, the others unchanged since the last run", file=sys.stderr)
    return 0


def _index(args: argparse.Namespace) -> int:
    from scripts.search_index import index

    run = index(Path(args.site), Path(args.output) if args.output else None)
    print(f"indexed {args.site}: {run.pages} page(s), {run.words} distinct word(s) in {run.seconds:.1f} s",
          file=sys.stderr)
    return 0


def _watched(args: argparse.Namespace) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file that generate reads: the sources folder, the glossary and see_also.yml.

    A folder or file that is missing (or vanishes while it is looked at) is left out: that is a change too.
    """
    folder = Path(args.sources)
    try:
        listed = list(folder.iterdir())
    except OSError:
        listed = []
    found = {}
    for path in [*listed, _glossary(args), _see_also(args)]:
        try:
            stat = path.stat() if path else None
        except OSError:
            continue
        if stat and path.is_file():
            found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def _watch(args: argparse.Namespace) -> int:
    """Regenerate docs/ whenever a source, its metadata, the glossary or see_also.yml changes, until interrupted.

    Run beside a server that rebuilds when docs/ changes (``zensical serve``; ``make serve`` has its own,
    scripts/serve.py). It polls
    (once a second by default) rather than use a MkDocs hook or a file-notification library: one
    folder and two files, and it works the same on every system. Changes to the pipeline's own
    code need a restart. Any failure (a bad source, a missing folder, a broken data file, even a
    bug) prints one line and leaves docs/ as it was; the next change is tried afresh. A run that
    found another generate writing docs/ is tried again at the next check, change or not.
    """
    seen = _watched(args)
    print(f"watching {args.sources} and {args.glossary} (Ctrl-C to stop)", file=sys.stderr)
    retry = False
    try:
        while True:
            time.sleep(args.interval)
            now = _watched(args)
            if now == seen and not retry:
                continue
            seen, retry = now, _watched_run(args, quiet=retry)
    except KeyboardInterrupt:
        return 0


def _watched_run(args: argparse.Namespace, quiet: bool) -> bool:
    """One ``generate`` for ``watch``; any error is printed as one line (not again when ``quiet``).
    Returns whether to try again at the next check: another generate held the lock."""
    try:
        _generate(args)
    except Busy as err:
        if not quiet:
            print(err.format(), file=sys.stderr)
        return True
    except Exception as err:  # watch outlives every failure, and reports each in one line
        print(_one_line(err, args), file=sys.stderr)
    return False


def _serve(args: argparse.Namespace) -> int:
    from scripts.serve import serve  # imports MkDocs, which the other commands do without

    host, _, port = args.dev_addr.rpartition(":")
    docs = Path(args.docs).resolve()
    theme = [MKDOCS_CONFIG, ROOT / "overrides", docs / "stylesheets", docs / "javascripts"]
    data = [path.resolve().parent for path in (_glossary(args), _see_also(args)) if path]
    watched = list(dict.fromkeys([Path(args.sources).resolve(), *data, ROOT, *theme[1:]]))
    return serve((Path(args.sources), Path(args.docs), _glossary(args), _see_also(args), args.jobs), MKDOCS_CONFIG,
                 theme, watched, host.strip("[]") or "127.0.0.1", int(port), lambda err: _one_line(err, args))


def _one_line(err: Exception, args: argparse.Namespace) -> str:
    """An error as the one line ``error: FILE[:LINE]: …``, whatever its type.

    >>> import argparse
    >>> _one_line(RuntimeError("two\\nlines"), argparse.Namespace(sources="src"))
    'error: src: unexpected error (RuntimeError: two lines)'
    """
    if isinstance(err, PipelineError):
        return err.format()
    if isinstance(err, OSError):
        where, message = err.filename or args.sources, f"cannot read or write ({err.strerror or err})"
    elif isinstance(err, yaml.YAMLError):
        mark = getattr(err, "problem_mark", None)
        name = str(getattr(mark, "name", None) or "<")
        where = f"{name}:{mark.line + 1}" if not name.startswith("<") else args.sources
        message = f"not valid YAML ({getattr(err, 'problem', None) or err})"
    else:
        where, message = args.sources, f"unexpected error ({type(err).__name__}: {err})"
    return f"error: {where}: {' '.join(message.split())}"


def _glossary(args: argparse.Namespace) -> Path | None:
    return None if args.glossary in ("", "none") else Path(args.glossary)


def _see_also(args: argparse.Namespace) -> Path | None:
    return None if args.see_also in ("", "none") else Path(args.see_also)


def _add_common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--sources", default=str(ROOT / "source_texts"),
                         help="folder of sources (default: source_texts/)")
    command.add_argument("--docs", default=str(ROOT / "docs"), help="folder of generated pages (default: docs/)")
    command.add_argument("--glossary", default=str(ROOT / "glossary.yml"),
                         help="glossary data file (default: glossary.yml; 'none' for no glossary)")
    command.add_argument("--see-also", default=str(ROOT / "see_also.yml"),
                         help="links between paragraphs made by hand (default: see_also.yml; missing or 'none': "
                         "none)")
    command.add_argument("--jobs", type=_positive, default=None, metavar="N",
                         help="build discussions in N processes at once (default: one per core; same output)")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}")
    return int(text)


def _address(text: str) -> str:
    _, colon, port = text.rpartition(":")
    if not colon or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {text!r}")
    return text


def _check(args: argparse.Namespace) -> int:
    from scripts.generate import check

    stale = check(Path(args.sources), Path(args.docs), _glossary(args), _see_also(args), args.jobs)
    if stale:
        print(f"error: {args.docs}: generated files are out of date, run `make generate`: {', '.join(stale)}",
              file=sys.stderr)
        return 1
    print(f"{args.docs}: generated files are up to date", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rep = commands.add_parser("repair", help="print a source's repaired text, or its change log")
    rep.add_argument("file", help="a source text file")
    rep.add_argument("--explain", action="store_true", help="print the change log, one JSON object a line")
    rep.set_defaults(run=_repair)
    gen = commands.add_parser("generate", help="write the site's Markdown and passages.json into docs/")
    _add_common(gen)
    gen.add_argument("--json", action="store_true",
                     help="print what was done as one JSON object on stdout: the files under docs/ written or removed "
                     "(changed, sorted), how many sources were read and rendered (rendered) of how many (sources), "
                     "and the warnings; instead of the line on stderr")
    gen.set_defaults(run=_generate)
    wat = commands.add_parser("watch", help="regenerate docs/ whenever a source or the glossary changes")
    _add_common(wat)
    wat.add_argument("--interval", type=float, default=1.0, help="seconds between checks (default: 1)")
    wat.set_defaults(run=_watch)
    srv = commands.add_parser("serve", help="build the site and serve it, rebuilding what changed after each edit "
                              "(make serve)")
    _add_common(srv)
    srv.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", type=_address, metavar="HOST:PORT",
                     help="where to serve (default: 127.0.0.1:8000)")
    srv.set_defaults(run=_serve)
    chk = commands.add_parser("check", help="fail if the committed docs/ differ from what the sources generate")
    _add_common(chk)
    chk.set_defaults(run=_check)
    idx = commands.add_parser("index", help="index a built site for search (Pagefind), as make site does")
    idx.add_argument("site", nargs="?", default="site", help="the built site (default: site/)")
    idx.add_argument("--output", default=None, help="where the index goes (default: SITE/pagefind)")
    idx.set_defaults(run=_index)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except PipelineError as err:
        print(err.format(), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
