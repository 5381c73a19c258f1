"""Hostile input stays inert: every field of a source, of the glossary and of a metadata file carries markup,
script, template, Markdown and YAML syntax, and the built site (``mkdocs build --strict``) has no script,
event-handler attribute, ``javascript:`` URL, meta refresh or element that the project's own templates and
Material did not put there; the hostile text is published as the text it is. What the data files must refuse
(a ``javascript:`` URL, an id that is a path) stops the build with one line and leaves docs/ as it was."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from scripts.repair import repair

from conftest import ROOT
from folders import snapshot
from hostile import (
    HOSTILE,
    PAYLOADS,
    SHORT,
    TERM_WORDS,
    TITLE,
    URL,
    benign,
    hostile_glossary,
    hostile_meta,
    hostile_page,
    write_inputs,
)
from sitebuild import html_pages, soup

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset", "data", "background",
                  "ping", "cite", "manifest", "codebase"}
_RELATIVE_DOTS = re.compile(r"(?:\.\./)+|\.\.(?=\W)|\.\./?")


def _normal(script: str) -> str:
    """A script with its page-relative paths taken out, so the same script on two pages compares equal."""
    return _RELATIVE_DOTS.sub("", script)


def pages(site: Path) -> Iterator[tuple[Path, BeautifulSoup]]:
    for path in html_pages(site):
        yield path, soup(path)


def live(site: Path) -> dict[str, set]:
    """Everything in a site that could run or load something: scripts, handlers, URLs with a scheme that runs
    code, meta refreshes, and the element names used."""
    found: dict[str, set] = {"scripts": set(), "handlers": set(), "code-urls": set(), "refresh": set(), "tags": set()}
    for path, doc in pages(site):
        where = path.relative_to(site).as_posix()
        for script in doc.find_all("script"):
            src = script.get("src")
            found["scripts"].add(("src", Path(src).name) if src else ("inline", _normal(script.get_text())))
        for tag in doc.find_all(True):
            found["tags"].add(tag.name)
            for name, value in tag.attrs.items():
                values = value if isinstance(value, list) else [value]
                if name.lower().startswith("on"):
                    found["handlers"].add((where, tag.name, name))
                if name.lower() in URL_ATTRIBUTES and any(
                        re.match(r"\s*(javascript|vbscript|data):", str(v), re.IGNORECASE) for v in values):
                    found["code-urls"].add((where, tag.name, name, str(value)))
            if tag.name == "meta" and str(tag.get("http-equiv", "")).lower() == "refresh":
                found["refresh"].add(where)
    return found


def test_the_hostile_site_runs_and_loads_nothing_the_benign_one_does_not(hostile_sites):
    hostile, benign_site = (live(site) for site in hostile_sites)
    assert hostile["scripts"] == benign_site["scripts"]
    assert hostile["handlers"] == benign_site["handlers"] == set()
    assert hostile["code-urls"] == benign_site["code-urls"] == set()
    assert hostile["refresh"] == benign_site["refresh"] == set()
    assert hostile["tags"] == benign_site["tags"]  # no <img>, <svg>, <meta> or <script> of the payloads' own


def test_the_sites_are_built_from_the_same_pages(hostile_sites):
    hostile, benign_site = hostile_sites
    # home, discussion, two letters, notes, glossary index, the term, the edition, 404
    assert len(list(hostile.rglob("*.html"))) == len(list(benign_site.rglob("*.html"))) == 9


def _text(node) -> str:
    return " ".join(node.get_text().split())


def test_hostile_text_is_published_as_the_text_it_is(hostile_sites):
    site = hostile_sites[0]
    rows = json.loads((site / "passages.json").read_text(encoding="utf-8"))
    published = {row["text"] for row in rows}
    for payload in PAYLOADS.values():
        # The exact text, repaired: a lone U+0085 is a mis-decoded Windows-1252 "…", which ftfy restores (logged).
        expected = repair(f"A paragraph about the {TERM_WORDS}, carrying {payload} and ending here.").text
        assert expected in published  # passages.json
    letter_url = rows[0]["url"].split("#")[0]
    letter = BeautifulSoup((site / letter_url / "index.html").read_text(encoding="utf-8"), "html.parser")
    for para, row in zip(letter.select(".letter-body .para"), rows, strict=False):
        para.select_one(".para-num").decompose()
        assert _text(para) == " ".join(row["text"].split())  # the page: the same text, nothing added
    signature = _text(letter.select_one(".letter-signature"))
    assert " ".join(SHORT["tag"].split()) in signature and " ".join(SHORT["handler"].split()) in signature
    title = letter.select_one(".letter-context a")
    assert _text(title) == TITLE
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert _text(home.select_one(".forum-intro")) == " ".join(f"Forum {HOSTILE}".split())  # the edition's texts too
    assert _text(home.select_one(".argument")) == " ".join(f"The edition’s summary: Argument {HOSTILE}".split())
    summaries = [_text(p) for p in home.select(".letter-summary")]
    assert summaries[:2] == [" ".join(f"Edition’s summary: Summary {text}".split())
                             for text in (HOSTILE, PAYLOADS["handler"])]
    term = BeautifulSoup((site / "glossary" / "hostile-term" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert _text(term.select_one("h1")) == " ".join(f"Term {HOSTILE}".split())
    assert term.select_one(".term-sources a")["href"] == URL
    assert _text(term.select_one(".definition")) == " ".join(f"Definition {HOSTILE}".split())


def test_material_prints_the_titles_and_descriptions_as_text(hostile_sites):
    """Material prints front matter's title and description unescaped: what reaches the page is the text."""
    site, title = hostile_sites[0], TITLE
    seen = 0
    for path, doc in pages(site):
        if not doc.select_one(".md-content"):
            continue
        description = doc.find("meta", attrs={"name": "description"})
        assert description is not None, path
        if title in " ".join(description["content"].split()):
            seen += 1
        header = doc.select_one(".md-header__topic:last-child .md-ellipsis")
        assert "<" not in header.decode_contents().replace("<!-- -->", ""), path  # text only, no tag
        assert doc.title and "<" not in doc.title.decode_contents(), path
    assert seen >= 3  # the letters' descriptions name the discussion's title


def test_the_single_file_edition_is_inert_and_faithful_too(hostile_sites):
    site = hostile_sites[0]
    (edition,) = [p for p in site.rglob("*.html") if p.parent.name == p.stem]
    doc = BeautifulSoup(edition.read_text(encoding="utf-8"), "html.parser")
    assert doc.find_all(["script", "img", "svg", "iframe", "object", "embed", "meta"]) == doc.find_all("meta")
    assert all(not a.startswith("on") for tag in doc.find_all(True) for a in tag.attrs)
    assert {m.get("http-equiv") for m in doc.find_all("meta")} == {None}
    assert _text(doc.select_one("h1")) == TITLE


def generate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scripts", "generate", *args], cwd=ROOT, capture_output=True,
                          text=True)


REFUSED = [
    ("meta", "url", "javascript:alert(1)"),
    ("meta", "responds_to_url", "JavaScript:alert(1)"),
    ("meta", "url", "data:text/html,<script>alert(1)</script>"),
    ("glossary", "url", "javascript:alert(1)"),
    ("glossary", "id", "../../escaped"),
    ("glossary", "id", 'a" onmouseover="alert(1)'),
    ("glossary", "id", "index"),
    ("glossary", "variants", ""),
]


@pytest.mark.parametrize(("file", "field", "value"), REFUSED, ids=[f"{f}-{k}-{v[:12]}" for f, k, v in REFUSED])
def test_what_the_data_files_must_refuse_stops_the_build_with_one_line(tmp_path, file, field, value):
    meta, glossary = benign(hostile_meta()), benign(hostile_glossary())
    sources, glossary_path = write_inputs(tmp_path / "in", benign(hostile_page()), glossary, meta)
    docs = tmp_path / "out" / "docs"
    done = generate("--sources", str(sources), "--docs", str(docs), "--glossary", str(glossary_path))
    assert done.returncode == 0, done.stderr
    before = snapshot(tmp_path)
    if file == "meta":
        meta[field]["value"] = value
    elif field == "url":
        glossary[0]["sources"][0]["url"] = value
    elif field == "variants":
        glossary[0]["variants"] = [TERM_WORDS, value]
    else:
        glossary[0][field] = value
    target = sources / "h.meta.yml" if file == "meta" else glossary_path
    target.write_text(yaml.safe_dump(meta if file == "meta" else glossary, allow_unicode=True), encoding="utf-8")
    before[target.relative_to(tmp_path).as_posix()] = target.read_bytes()
    done = generate("--sources", str(sources), "--docs", str(docs), "--glossary", str(glossary_path))
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {target}:") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(tmp_path) == before  # docs/ as it was, and nothing written anywhere else
