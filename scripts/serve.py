"""Serve: the site on a local address while it is edited; each change is rebuilt, and the browser reloaded.

``make serve`` runs ``python -m scripts serve``. It is one long-lived process, so that what a rebuild needs is kept
between changes, and an edit of one source reaches the browser in about a second even on a large site:

- ``generate`` keeps the build cache's entries in memory (scripts/cache.py): after an edit only that source is
  built, and no other source's summary is read back from disk; so are the site-wide pages, each with what it was
  made from, and only those whose inputs changed are made again (generate.site_wide);
- MkDocs builds into .cache/serve/site/, the first time in full; then only the files ``generate`` rewrote are
  built again, page by page, with the site's files, navigation and templates as MkDocs read them for the last full
  build (``Pages``). Every page carries the navigation and the theme, so a change to either (docs/.nav.yml, which
  changes when a source is added, removed or retitled; mkdocs.yml, overrides/, docs/stylesheets/,
  docs/javascripts/) builds the whole site again, and so does a file the last full build did not have;
- the first ``generate`` (a cold one, at worst) and every full build run in processes of their own, so that what
  they hold at once (every page of the site) goes with them and the server keeps only the summaries and pages;
  then one source is built in the server's own process and dropped (generate.warm_up), so that its templates and
  citation styles are ready before the first edit;
- MkDocs' own development server (``mkdocs.livereload``) serves that folder, watches the sources, the data files
  and the theme, calls ``rebuild`` and then reloads the browser;
- the search index (Pagefind, scripts/search_index.py) is made again in the background after each rebuild and put
  in place whole: until then, search finds the text as it was before the change.

A failure (a bad source, a broken data file, a page MkDocs warns about in strict mode) is printed as one line and
the site served stays as it was; the next change is tried afresh. Changes to the pipeline's code need a restart.

This is the one module that uses MkDocs' Python API rather than its command line, and its page-building functions
(MkDocs 1.6.1, pinned). With another engine, run its own server (``zensical serve`` rebuilds incrementally by
itself) beside ``python -m scripts watch``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml
from mkdocs.commands.build import _build_page, _build_template, _populate_page, build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from scripts.generate import Memory, Run, generate, warm_up
from scripts.search_index import BUNDLE, put_in_place
from scripts.sources import YAML_LOADER
from scripts.writer import Busy

NAV = ".nav.yml"


class Pages:
    """The site as MkDocs read it for its last full build (its files, navigation and templates), kept so that a file
    ``generate`` rewrote is built again alone: a page converted and put in its template, another file copied.

    It does what MkDocs' ``build`` does before and for each page, with its own functions, but for only those files:
    a dirty build (``mkdocs build --dirty``) would list the whole docs folder again and compare every file's time
    (at 1,000 sources about 0.7 s, where one letter's page takes 0.05 s), and has no way to be told which files
    changed; and it reads no page but those, so other pages' titles were missing from the navigation it printed."""

    def __init__(self, config: MkDocsConfig):
        config = config.plugins.on_config(config)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        self.nav = config.plugins.on_nav(get_navigation(files, config), config=config, files=files)
        for file in files.documentation_pages():
            if file.page is None:  # a page outside the navigation
                Page(None, file, config)
            # Each page's title and metadata, which the navigation and a page's neighbours show on every page (a
            # page not read has no title). Its Markdown is kept only where the title is its first heading.
            file.page.read_source(config)
            if "title" in file.page.meta:
                file.page.markdown = ""
        self.env = config.plugins.on_env(env, config=config, files=files)
        self.config, self.files, self.pages = config, files, files.documentation_pages()
        # The theme's templates compiled now (the page "not found" uses most of them; not written), not at the first
        # edit: about 0.2 s.
        _build_template("404.html", self.env.get_template("404.html"), files, config, self.nav)

    def build(self, docs: Path, changed: list[str]) -> bool | None:
        """Build the ``changed`` files (paths under ``docs``) again; whether that succeeded, as a strict build would
        (a warning fails it), or None when one of them is not a file of the site as read (new, or removed): then the
        whole site must be built. Files MkDocs leaves out (names starting with ".") are passed over."""
        found = [self.files.get_file_from_path(rel) for rel in changed if not rel.startswith(".")]
        if not all(file and (docs / file.src_uri).is_file() for file in found):
            return None
        warnings = CountHandler(level=logging.WARNING)
        logging.getLogger("mkdocs").addHandler(warnings)
        try:
            for file in found:
                if file.page is None:
                    file.copy_file()
                    continue
                _populate_page(file.page, self.config, self.files)
                _build_page(file.page, self.config, self.pages, self.nav, self.env)
                file.page.validate_anchor_links(files=self.files, log_level=self.config.validation.links.anchors)
            if counts := warnings.get_counts():
                raise Abort(f"Aborted with {', '.join(f'{v} {k.lower()}s' for k, v in counts)} in strict mode!")
        except (Exception, SystemExit) as err:
            return _not_built(self.config.config_file_path, err)
        finally:
            logging.getLogger("mkdocs").removeHandler(warnings)
        return True


class DevServer:
    """The state kept between rebuilds: the build cache's entries, the theme's files and the site's pages as last built
    in full, and the lock over the built site (a MkDocs build, or the search index being put in place)."""

    def __init__(self, generate_args: tuple, config: Path, theme: list[Path], folder: Path,
                 report: Callable[[Exception], str]):
        self.generate_args, self.config, self.theme_paths, self.report = generate_args, config, theme, report
        self.folder, self.site = folder, folder / "site"
        self.memory = Memory()
        self.theme: tuple | None = None  # the theme's files when the site was last built in full; None: never built
        self.pages: Pages | None = None  # the site as read for its last full build; None: never built, or it failed
        self.lock = threading.Lock()
        self.index_wanted = threading.Event()

    def rebuild(self) -> bool:
        """``generate``, then MkDocs: in full the first time or when the navigation or the theme changed, else only
        the files that changed. Any failure is one line on stderr, and the site served stays as it was. Returns
        whether generate succeeded."""
        if self.theme is None:  # the first time: a cold run at worst, every page of the site made at once
            generated, changed = _apart(lambda: self._generate() is not None), []
        else:
            run = self._generate()
            generated, changed = run is not None, run.changed if run else []
        theme = self._theme()
        if self.pages is not None and self.theme == theme and NAV not in changed:
            if not changed:
                return generated
            start = time.perf_counter()
            with self.lock:
                built = self.pages.build(Path(self.generate_args[1]), changed)
            if built is not None:
                if built:
                    print(f"built the {len(changed)} changed file(s) in {time.perf_counter() - start:.2f} s",
                          file=sys.stderr)
                    self.index_wanted.set()
                return generated
        self.pages = None
        try:
            config = self._load_config()
            with self.lock, _aside(self.site / BUNDLE, self.folder / "published"):
                built = _apart(lambda: _build(config))
            if built:  # read in this process, after the build in another
                self.pages, self.theme = Pages(config), theme
        except Exception as err:  # mkdocs.yml itself: one line, as MkDocs' own errors
            built = _not_built(self.config, err)
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
        """Make the search index again after each rebuild (a thread of its own waits for ``python -m scripts index``,
        run at the lowest priority): built from the site's pages into .cache/serve/pagefind/, then moved into the
        site under the lock. A rebuild while it ran asks for another. A process of its own, not this one's thread:
        counting the index's words in Python here would hold the interpreter's lock against the next rebuild (at
        1,000 sources an edit's generate took twice as long while the index was made)."""
        staged = self.folder / BUNDLE
        with contextlib.suppress(AttributeError, OSError):  # Linux: this thread's children yield to rebuilds
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        while True:
            self.index_wanted.wait()
            self.index_wanted.clear()
            done = subprocess.run([sys.executable, "-m", "scripts", "index", str(self.site), "--output", str(staged)],
                                  capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
            if done.returncode:  # pages that changed under Pagefind: the rebuild that changed them asked again
                if not self.index_wanted.is_set():
                    print(done.stderr.strip() or f"error: {self.site}: the search index was not made", file=sys.stderr)
                continue
            with self.lock:
                put_in_place(staged, self.site / BUNDLE)


def _build(config: MkDocsConfig) -> bool:
    """A MkDocs build; whether it succeeded (if not, MkDocs' messages and one line of ours are on stderr)."""
    try:
        build(config)
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
        try:
            warm_up(generate_args[0], generate_args[2], generate_args[3], dev.memory)
        except Exception as err:  # the site is served all the same; only the first edit is slower (one line, as ever)
            print(report(err), file=sys.stderr)
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
