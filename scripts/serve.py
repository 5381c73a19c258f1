"""Serve: the site on a local address while it is edited; each change is rebuilt, and the browser reloaded.

``make serve`` runs ``python -m scripts serve``. It is one long-lived process, so that what a rebuild needs is kept
between changes, and an edit of one source reaches the browser in about a second even on a large site:

- ``generate`` keeps the build cache's entries in memory (scripts/cache.py): after an edit only that source is
  built, and no other source's summary is read back from disk; so are the site-wide pages, each with what it was
  made from, and only those whose inputs changed are made again (generate.site_wide);
- MkDocs builds into .cache/serve/site/, the first time in full and then "dirty": only the pages whose Markdown
  ``generate`` rewrote are built again (MkDocs compares modification times, and ``generate`` writes only files whose
  content changed). Every page carries the navigation and the theme, so a change to either (docs/.nav.yml, which
  changes when a source is added, removed or retitled; mkdocs.yml, overrides/, docs/stylesheets/,
  docs/javascripts/) builds the whole site again;
- the first ``generate`` (a cold one, at worst) and every full build run in processes of their own, so that what
  they hold at once (every page of the site) goes with them and the server keeps only the summaries and pages;
- MkDocs' own development server (``mkdocs.livereload``) serves that folder, watches the sources, the data files
  and the theme, calls ``rebuild`` and then reloads the browser;
- the search index (Pagefind, scripts/search_index.py) is made again in the background after each rebuild and put
  in place whole: until then, search finds the text as it was before the change.

A failure (a bad source, a broken data file, a page MkDocs warns about in strict mode) is printed as one line and
the site served stays as it was; the next change is tried afresh. Changes to the pipeline's code need a restart.

This is the one module that uses MkDocs' Python API rather than its command line (MkDocs 1.6, pinned). With another
engine, run its own server (``zensical serve`` rebuilds incrementally by itself) beside ``python -m scripts watch``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer

from scripts.generate import Memory, Run, generate
from scripts.search_index import BUNDLE, index, put_in_place
from scripts.sources import YAML_LOADER
from scripts.writer import Busy

NAV = ".nav.yml"


class _DirtyBuildNotes(logging.Filter):
    """MkDocs warns about every dirty build (its navigation may be out of date), and strict mode would count that as
    a failure; here a change to the navigation always builds the whole site, so the warning is dropped. So is its
    note that the site's folder holds files it did not build: the search index."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("A 'dirty' build", "The directory contains stale files"))


class DevServer:
    """The state kept between rebuilds: the build cache's entries, the theme's files as last built, and the lock
    over the built site (a MkDocs build, or the search index being put in place)."""

    def __init__(self, generate_args: tuple, config: Path, theme: list[Path], folder: Path,
                 report: Callable[[Exception], str]):
        self.generate_args, self.config, self.theme_paths, self.report = generate_args, config, theme, report
        self.folder, self.site = folder, folder / "site"
        self.memory = Memory()
        self.loaded = None  # mkdocs.yml as loaded for the last full build
        self.theme: tuple | None = None  # the theme's files when the site was last built in full; None: never built
        self.lock = threading.Lock()
        self.index_wanted = threading.Event()

    def rebuild(self) -> bool:
        """``generate``, then MkDocs: in full the first time or when the navigation or the theme changed, else only
        the pages that changed. Any failure is one line on stderr, and the site served stays as it was. Returns
        whether generate succeeded."""
        if self.theme is None:  # the first time: a cold run at worst, every page of the site made at once
            generated, changed = _apart(lambda: self._generate() is not None), []
        else:
            run = self._generate()
            generated, changed = run is not None, run.changed if run else []
        theme = self._theme()
        full = self.theme != theme or NAV in changed
        if not full and not changed:
            return generated
        try:
            if full or self.loaded is None:  # a dirty build reuses the settings: their navigation has not changed
                self.loaded = None
                self.loaded = self._load_config()
            with self.lock, _aside(self.site / BUNDLE, self.folder / "published") if full else contextlib.nullcontext():
                built = _apart(lambda: _build(self.loaded)) if full else _build(self.loaded, dirty=True)
        except Exception as err:  # mkdocs.yml itself: one line, as MkDocs' own errors
            built = _not_built(self.config, err)
        if built and full:
            self.theme = theme
        if built:
            self.index_wanted.set()
        return generated

    def _load_config(self) -> MkDocsConfig:
        """mkdocs.yml, building the docs folder served into the site folder, with the navigation generated into that
        docs folder (mkdocs.yml inherits the repository's docs/.nav.yml)."""
        docs = Path(self.generate_args[1]).resolve()
        nav = yaml.load((docs / NAV).read_bytes(), Loader=YAML_LOADER)["nav"] if (docs / NAV).is_file() else None
        return load_config(str(self.config), docs_dir=str(docs), site_dir=str(self.site), nav=nav)

    def _generate(self) -> Run | None:
        """``generate``, keeping what it made in ``self.memory``; one line on stderr for what it did, or its error."""
        start = time.perf_counter()
        try:
            run = generate(*self.generate_args, memory=self.memory)
        except Exception as err:  # a bad source, a data file, another generate holding docs/: one line
            print(err.format() if isinstance(err, Busy) else self.report(err), file=sys.stderr)
            return None
        for line in run.warnings:
            print(line, file=sys.stderr)
        print(f"generated {self.generate_args[1]} in {time.perf_counter() - start:.2f} s: {len(run.changed)} file(s) "
              f"changed; {run.rendered} of {run.sources} source(s) read and rendered", file=sys.stderr)
        return run

    def _theme(self) -> tuple:
        """Each file of the theme (and mkdocs.yml) with its modification time and size."""
        found = []
        for top in self.theme_paths:
            for path in sorted([top, *top.rglob("*")] if top.is_dir() else [top]):
                if path.is_file():
                    stat = path.stat()
                    found.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(found)

    def index_forever(self) -> None:
        """Make the search index again after each rebuild (in a thread of its own, at the lowest priority): built from
        the site's pages into .cache/serve/pagefind/, then moved into the site under the lock. A rebuild while it ran
        asks for another."""
        staged = self.folder / BUNDLE
        with contextlib.suppress(AttributeError, OSError):  # Linux: this thread (and Pagefind) yields to rebuilds
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        while True:
            self.index_wanted.wait()
            self.index_wanted.clear()
            try:
                index(self.site, staged)
            except Exception as err:  # pages that changed under Pagefind: the rebuild that changed them asked again
                if not self.index_wanted.is_set():
                    print(self.report(err), file=sys.stderr)
                continue
            with self.lock:
                put_in_place(staged, self.site / BUNDLE)


def _build(config: MkDocsConfig, dirty: bool = False) -> bool:
    """A MkDocs build; whether it succeeded (if not, MkDocs' messages and one line of ours are on stderr)."""
    try:
        build(config, dirty=dirty)
    except (Exception, SystemExit) as err:  # MkDocs stops a strict build with SystemExit, after its warnings
        return _not_built(config.config_file_path, err)
    return True


def _apart(work: Callable[[], bool]) -> bool:
    """``work()`` in a child process (forked, where the system can), so that what it holds at once goes with it: a
    full build or a cold generate hold every page of the site (at 1,000 sources more than half a gigabyte)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return work()
    child = multiprocessing.get_context("fork").Process(target=lambda: sys.exit(0 if work() else 1))
    child.start()
    child.join()
    return child.exitcode == 0


def _not_built(config: object, err: BaseException) -> bool:
    print(f"error: {config}: the site was not built ({' '.join(str(err).split()) or type(err).__name__})",
          file=sys.stderr)
    return False


@contextlib.contextmanager
def _aside(folder: Path, aside: Path) -> Iterator[None]:
    """``folder`` (the site's search index) moved aside while a full build empties the site's folder, then back."""
    if folder.is_dir():
        shutil.rmtree(aside, ignore_errors=True)
        folder.rename(aside)
    try:
        yield
    finally:
        if aside.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            aside.rename(folder)


def serve(generate_args: tuple, config: Path, theme: list[Path], watched: list[Path], host: str, port: int,
          report: Callable[[Exception], str]) -> int:
    """Build the site, then serve it on http://HOST:PORT/ until interrupted, rebuilding after each change to a
    ``watched`` folder (the sources, the data files' folders, the theme)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    logging.getLogger("mkdocs.commands.build").addFilter(_DirtyBuildNotes())
    try:  # before anything is built: a second server must not build into the first one's folder
        with socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET):
            pass
    except OSError as err:  # the address is taken, or not this machine's
        print(f"error: {host}:{port}: cannot serve there ({os.strerror(err.errno) if err.errno else err})",
              file=sys.stderr)
        return 1
    folder = Path(generate_args[1]).resolve().parent / ".cache" / "serve"
    folder.mkdir(parents=True, exist_ok=True)
    held = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)  # kept open (and locked) while this server runs
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print(f"error: {folder}: another server is building this site there; stop it first", file=sys.stderr)
        return 1
    dev = DevServer(generate_args, config, theme, folder, report)
    if dev.rebuild():  # generate in a process of its own, and a full build in another
        dev.rebuild()  # generate again in this one, to keep its entries and pages; it builds what changed meanwhile
    threading.Thread(target=dev.index_forever, daemon=True).start()
    # Watched folders are polled 5 times a second (MkDocs' own default is twice): a change is seen sooner.
    server = LiveReloadServer(builder=dev.rebuild, host=host, port=port, root=str(dev.site), polling_interval=0.2)
    server.error_handler = lambda code: _error_page(dev.site, code)
    for path in watched:
        if path.is_dir():
            server.watch(str(path), recursive=path in theme)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


def _error_page(site: Path, code: int) -> bytes | None:
    page = site / f"{code}.html"
    return page.read_bytes() if code == 404 and page.is_file() else None
