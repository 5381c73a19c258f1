"""Shared fixtures: the seed, and a site built from it once per test session."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sitebuild import ENGINE, ENGINES, build_site  # noqa: E402

SEED = ROOT / "source_texts" / "000_6e33bdd6549d7394.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The seed's site, generated and built with ``mkdocs build --strict`` in a scratch folder."""
    return build_site(ROOT / "source_texts", tmp_path_factory.mktemp("seed-site"))


@pytest.fixture(scope="session")
def hostile_sites(tmp_path_factory) -> tuple[Path, Path]:
    """A site with hostile text in every field of its source, glossary and metadata, and the same site with
    plain words instead (tests/hostile.py), both built with ``mkdocs build --strict``."""
    from hostile import build_sites

    return build_sites(tmp_path_factory.mktemp("hostile"))


ONE_TERM = """\
- id: prose
  term: prose
  variants: [prose]
  short: Ordinary written language.
  definition: Ordinary written or spoken language, without metrical structure.
  sources:
    - title: A dictionary
      url: https://example.org/prose
      checked: '2026-11-30'
"""


@pytest.fixture(scope="session")
def large_site(tmp_path_factory) -> Path:
    """A site of 25 small discussions of one issue (more than the navigation's SECTION_LIMIT and the pages'
    LISTED_IN_FULL), with a one-term glossary used twice in each, built with ``mkdocs build --strict``."""
    from scripts.render_nav import SECTION_LIMIT

    from pages import forum_page

    work = tmp_path_factory.mktemp("large")
    sources = work / "sources"
    sources.mkdir()
    for n in range(1, SECTION_LIMIT * 2 + 2):
        letters = [([f"Letter one of forum {n} has a first paragraph long enough to be prose."], ["Professor"]),
                   ([f"Letter two of forum {n} has a first paragraph long enough to be prose."], ["Dean"])]
        (sources / f"{n:03d}.txt").write_text(forum_page(title=f"Forum Number {n}", letters=letters),
                                               encoding="utf-8")
    (work / "glossary.yml").write_text(ONE_TERM, encoding="utf-8")
    return build_site(sources, work / "build", glossary=work / "glossary.yml")


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A built site served on 127.0.0.1 (a thread of this process); yields its address."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built):
    """The seed's built site, served for browser tests."""
    with serve(built) as url:
        yield url


class Site(NamedTuple):
    """A built, indexed and served site: which engine built it, its folder, its address."""

    engine: str
    folder: Path
    url: str


@pytest.fixture(scope="session")
def other_engine_site(tmp_path_factory) -> Iterator[Site]:
    """The seed's site built by the other engine than ``built``'s (Zensical, unless READER_ENGINE=zensical), indexed
    and served: a second built site, made once a session, for the tests that take ``engine_site``."""
    engine = next(e for e in ENGINES if e != ENGINE)
    folder = build_site(ROOT / "source_texts", tmp_path_factory.mktemp(f"seed-site-{engine}"), engine=engine)
    with serve(folder) as url:
        yield Site(engine, folder, url)


@pytest.fixture(scope="session", params=ENGINES)
def engine_site(request) -> Site:
    """The seed's site as each engine builds it, MkDocs and Zensical (README, "Material for MkDocs and Zensical"):
    a test that takes it runs once against each, asserting the same. The default engine's is ``built`` itself."""
    if request.param == ENGINE:
        site = Site(ENGINE, request.getfixturevalue("built"), request.getfixturevalue("site_url"))
    else:
        site = request.getfixturevalue("other_engine_site")
    # Built by the engine it is said to be: Zensical writes a search.json of its own even with its search switched
    # off (empty, and no page fetches it: test_browser_search.py); MkDocs, its search off, writes no index.
    assert (site.folder / "search.json").is_file() == (site.engine == "zensical"), site
    return site


@pytest.fixture(scope="session")
def browser():
    """One Debian Chromium for the whole session (Playwright never downloads a browser here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"])
        yield chromium
        chromium.close()
