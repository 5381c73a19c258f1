"""Build a site in a scratch folder: generate docs from a folder of sources, run
``mkdocs build --strict`` with the project's own mkdocs.yml, hand-written docs and theme
overrides, then index the built site for search (``python -m scripts index``), as ``make site``
does. Tests use it so they never write into the repository's docs/. ``soup``, ``html_pages`` and ``words``
read the built pages.

``engine="zensical"`` builds with Zensical instead (``zensical build``, pinned in requirements.txt and run
from this interpreter's environment, or the command ``$ZENSICAL`` names): the search and accessibility browser
tests run against a Zensical build of the seed as well as a MkDocs one (tests/conftest.py, ``engine_site``).
``READER_ENGINE=zensical`` makes Zensical the default for every build of the session, so that all the tests run
against it (README, "Material for MkDocs and Zensical")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("mkdocs", "zensical")
ENGINE = os.environ.get("READER_ENGINE", "mkdocs")  # the engine a build uses unless told otherwise


class BuildFailed(AssertionError):
    pass


def run(*args: str, cwd: Path = ROOT, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env)
    if check and done.returncode:
        raise BuildFailed(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def hand_written_docs(into: Path) -> None:
    """Copy docs/ without the files the pipeline generated (those are regenerated), nor a search index that an
    earlier ``make serve`` left in docs/pagefind/ (each build indexes its own pages)."""
    generated = set()
    manifest = ROOT / "docs" / ".generated.json"
    if manifest.exists():
        import json

        generated = set(json.loads(manifest.read_text(encoding="utf-8")))
    for path in (ROOT / "docs").rglob("*"):
        rel = path.relative_to(ROOT / "docs").as_posix()
        if path.is_file() and rel not in generated and rel != ".generated.json" and not rel.startswith("pagefind/"):
            target = into / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def nav_of(docs: Path) -> dict:
    """The ``nav`` setting generated into ``docs`` (the pipeline's .nav.yml)."""
    return yaml.safe_load((docs / ".nav.yml").read_text(encoding="utf-8"))


def site_config(work: Path) -> str:
    """The project's own mkdocs.yml for the generated ``work/docs``, written as ``work/mkdocs.yml``: only the folders
    moved (INHERIT merges the rest) and the navigation generated for these sources (mkdocs.yml inherits the
    repository's docs/.nav.yml, scripts/render_nav.py). Relative folders: Zensical stops on an absolute docs_dir."""
    config = {"INHERIT": str(ROOT / "mkdocs.yml"), "docs_dir": "docs", "site_dir": "site",
              "theme": {"name": "material", "custom_dir": str(ROOT / "overrides")}, **nav_of(work / "docs")}
    (work / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return str(work / "mkdocs.yml")


def build_site(sources: Path, work: Path, strict: bool = True, glossary: Path | str | None = None,
               site_url: str | None = None, engine: str | None = None) -> Path:
    """Generate, build and index for search; return the built site's folder.

    ``engine``: ``"mkdocs"`` or ``"zensical"``; by default ``READER_ENGINE``'s, else MkDocs.

    ``glossary``: the glossary file (default: the project's glossary.yml); ``"none"`` for no glossary.
    ``site_url``: the address the site is published at (``SITE_URL``, as the deploy workflow sets it);
    by default none, a local build, whatever the environment says.
    """
    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    hand_written_docs(docs)
    extra = ["--glossary", str(glossary)] if glossary else []
    run(sys.executable, "-m", "scripts", "generate", "--sources", str(sources), "--docs", str(docs), *extra)
    site, config_file = work / "site", site_config(work)
    # The address the site is published at: by default none (a local build), whatever the environment says.
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"} | (
        {"SITE_URL": site_url} if site_url else {})
    engine = engine or ENGINE
    if engine not in ENGINES:
        raise ValueError(f"no such engine: {engine!r} (one of {', '.join(ENGINES)})")
    if engine == "zensical":
        zensical = [os.environ["ZENSICAL"]] if os.environ.get("ZENSICAL") else [sys.executable, "-m", "zensical"]
        run(*zensical, "build", "-f", config_file, *(["-s"] if strict else []), cwd=work, env=env)
    else:
        run(sys.executable, "-m", "mkdocs", "build", "-q", "-f", config_file, *(["--strict"] if strict else []),
            cwd=work, env=env)
    run(sys.executable, "-m", "scripts", "index", str(site))
    return site


def soup(path: Path) -> BeautifulSoup:
    """A built page (or any HTML file), parsed."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_pages(site: Path) -> list[Path]:
    """Every HTML page of a built site, in order."""
    return sorted(site.rglob("*.html"))


def words(para) -> list[str]:
    """A numbered paragraph's words, without its number (the text may hold term links). Takes the number out."""
    para.select_one(".para-num").decompose()
    return para.get_text().split()
