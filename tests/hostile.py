"""Hostile input for the tests: every kind of attack, in every field of a source, the glossary and a metadata
file (tests/test_hostile.py, tests/browser/test_browser_hostile.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.repair import repair

from pages import forum_page
from sitebuild import build_site

# Each kind of attack, written so that it would run (an alert, a request to evil.example) if it became live.
PAYLOADS = {
    "tag": '"><script>alert("tag")</script>',
    "handler": "<img src=x onerror=alert('handler')>",
    "attribute": "' onmouseover='alert(1)' data-x='",
    "javascript-url": "javascript:alert('url')",
    "refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "breakout": "</title></textarea></style></script><svg onload=alert('svg')>",
    "entities": "&lt;script&gt;alert('entity')&lt;/script&gt; &amp;amp; &#60;b&#62;",
    "markdown": "[x](javascript:alert('md')) ![i](x\" onerror=\"alert('md2')) <!-- --8<-- \"mkdocs.yml\"",
    "template": "{{ config.site_name }} {% include 'base.html' %} ${alert('tpl')} {#",
    "yaml": "--- ... : # | > & * ! % @ ` \x7f \u2028 \x85 \u2029",
}
HOSTILE = " ".join(PAYLOADS.values())
# Kept short enough to be a signature line (16 words at most, not ending like a sentence).
SHORT = {name: " ".join(payload.split()[:10]) + " Dept" for name, payload in PAYLOADS.items()}
URL = "https://example.org/a?q=%22%3E&x=\"><script>alert('href')</script>'onmouseover='alert(2)"

TERM_WORDS = "hostile term"
TITLE = " ".join(repair(f"Title {PAYLOADS['tag']} {PAYLOADS['yaml']}").text.split())  # as published, repaired


def hostile_page() -> str:
    """A forum page with a payload in every field the parser reads."""
    paragraphs = [f"A paragraph about the {TERM_WORDS}, carrying {payload} and ending here." for payload in
                  PAYLOADS.values()]
    quote = f"carrying {PAYLOADS['tag']} and ending here."  # a pull quote repeats a sentence of its letter
    letters = [([*paragraphs[:5], quote], [SHORT["tag"], SHORT["handler"], SHORT["yaml"]]),
               (paragraphs[5:], [SHORT["breakout"], SHORT["markdown"], SHORT["template"]])]
    page = forum_page(title=f"Title {PAYLOADS['tag']} {PAYLOADS['yaml']}", article=f"Article {HOSTILE}",
                      letters=letters, credit=f"Credit {HOSTILE}, © X.")
    return page.replace(
        "Issues in Science and Technology 41", f"Journal {PAYLOADS['tag']} {PAYLOADS['handler']} 41").replace(
        "Vol. XLI, No. 2, Winter 2025", f"Vol. XLI, No. 2, Winter 2025 {PAYLOADS['breakout']}")


def hostile_glossary() -> list[dict]:
    return [{
        "id": "hostile-term",
        "term": f"Term {HOSTILE}",
        "variants": [TERM_WORDS],
        "exact_variants": ["<img"],
        "short": f"Short {PAYLOADS['tag']} {PAYLOADS['attribute']}",
        "definition": f"Definition {HOSTILE}",
        "notes": [f"Note {HOSTILE}"],
        "sources": [{"title": f"Title {HOSTILE}", "url": URL, "publisher": f"Publisher {HOSTILE}",
                     "supports": f"Supports {HOSTILE}", "checked": "2026-11-30"}],
    }]


def hostile_meta() -> dict:
    fact = f"Source {HOSTILE}"
    return {
        "url": {"value": URL, "source": fact},
        "responds_to_url": {"value": URL + "&r=1", "source": fact},
        "rights": {"value": f"Rights {HOSTILE}", "source": fact},
        "publisher": {"value": f"Publisher {HOSTILE}", "source": fact},
        "responds_to_authors": {"value": f"Authors {HOSTILE}", "source": fact},
        "title_sentence_case": {"value": f"Sentence {PAYLOADS['tag']}", "source": fact},
        "letter_authors": {"value": {1: [f"Doe, {PAYLOADS['tag']}"], 2: [{"literal": PAYLOADS["handler"]}]},
                           "source": fact},
        "forum": {"value": f"Forum {HOSTILE}", "source": fact},
        "argument": {"value": f"Argument {HOSTILE}", "source": fact},
        "letter_summaries": {"value": {1: f"Summary {HOSTILE}", "letter-2": f"Summary {PAYLOADS['handler']}"},
                             "source": fact},
    }


def write_inputs(folder: Path, page: str, glossary: list[dict], meta: dict) -> tuple[Path, Path]:
    sources = folder / "sources"
    sources.mkdir(parents=True)
    (sources / "h.txt").write_text(page, encoding="utf-8")
    (sources / "h.meta.yml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    glossary_path = folder / "glossary.yml"
    glossary_path.write_text(yaml.safe_dump(glossary, allow_unicode=True), encoding="utf-8")
    return sources, glossary_path


def benign(value):
    """The same text (or data) with every payload replaced by plain words."""
    if isinstance(value, dict):
        return {k: benign(v) for k, v in value.items()}
    if isinstance(value, list):
        return [benign(v) for v in value]
    if isinstance(value, str):
        for payload in PAYLOADS.values():
            value = value.replace(payload, "plain words here")
    return value


def build_sites(folder: Path) -> tuple[Path, Path]:
    """(hostile site, the same site with every payload replaced by plain words), both built strictly."""
    built = []
    for name, page, glossary, meta in (
        ("hostile", hostile_page(), hostile_glossary(), hostile_meta()),
        ("benign", benign(hostile_page()), benign(hostile_glossary()), benign(hostile_meta())),
    ):
        sources, glossary_path = write_inputs(folder / name, page, glossary, meta)
        built.append(build_site(sources, folder / name / "work", glossary=glossary_path))
    return built[0], built[1]
