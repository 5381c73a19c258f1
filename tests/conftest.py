"""Shared fixtures: the seed, and a site built from it once per test session."""

from __future__ import annotations

import sys
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
