"""The two-source corpus several test modules build from: the seed and a second, synthetic forum page
(tests/fixtures/sources/001_liberty.txt, built from public-domain essays and damaged the seed's way by
``damage``; tests/fixtures/README.md), with the slugs each gets."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT, SEED

FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE = FIXTURES / "sources" / "001_liberty.txt"
CLEAN = FIXTURES / "liberty.clean.txt"  # the fixture as written, before ``damage``
SEED_SLUG = "balancing-research-security-and-openness"
FIXTURE_SLUG = "liberty-conscience-and-dissent"


def damage(text: str) -> str:
    """The seed's damage: UTF-8 bytes decoded as Windows-874, else Windows-1252, else dropped."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        for byte in ch.encode("utf-8"):
            for codec in ("cp874", "cp1252"):
                try:
                    out.append(bytes([byte]).decode(codec))
                    break
                except UnicodeDecodeError:
                    continue
    return "".join(out)


def both_sources(into: Path) -> Path:
    """Copy the seed and the fixture, each with its metadata, into the folder ``into`` (made if need be)."""
    into.mkdir(parents=True, exist_ok=True)
    for path in [*SEED.parent.iterdir(), *FIXTURE.parent.iterdir()]:
        shutil.copy2(path, into / path.name)
    return into
