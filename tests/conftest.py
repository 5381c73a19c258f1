"""Shared fixtures: the seed, and a site built from it once per test session."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from sitebuild import build_site  # noqa: E402

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
