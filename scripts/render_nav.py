"""Render the site's navigation: ``docs/.nav.yml``, which mkdocs.yml reads with ``INHERIT``.

Material renders the navigation into every page, so a sidebar that lists every discussion makes
each page grow with the site and the build with its square (BENCHMARKS.md, "Navigation"). Here
no section of the navigation holds more than ``SECTION_LIMIT`` entries: a small site lists its
discussions at the top level, as MkDocs would; past that they are grouped by the issue of the
journal that printed them, and a group that is still too long is split into numbered runs
("Discussions 1–12"), nested as deep as needed. With ``navigation.prune`` a page then carries
its own branch only, a few dozen links at any size.

MkDocs reads the navigation from its configuration file alone, so the file is written as a
configuration that mkdocs.yml inherits (https://www.mkdocs.org/user-guide/configuration/#configuration-inheritance)
rather than by a hook. Its name starts with a dot, so MkDocs does not publish it.
"""

from __future__ import annotations

import json
import re

import yaml

from scripts.errors import PipelineError
from scripts.markup import theme_text
from scripts.model import Summary, Term
from scripts.render import GENERATOR, GLOSSARY, LISTED_IN_FULL, NOTES_PAGE, NOTICE, by_issue, letter_path
from scripts.render_glossary import term_order
from scripts.sources import YAML_LOADER

NAV_FILE = ".nav.yml"
SECTION_LIMIT = LISTED_IN_FULL  # entries in one section of the navigation, at most


def _runs(entries: list[dict], name: str) -> list[dict]:
    """``entries`` in sections of at most ``SECTION_LIMIT``, nested until the top has at most that many.

    >>> _runs([{"a": 1}, {"b": 2}], "Discussions")
    [{'a': 1}, {'b': 2}]
    >>> [list(s) for s in _runs([{str(n): n} for n in range(1, 14)], "Discussions")]
    [['Discussions 1–12'], ['Discussions 13']]
    >>> [list(s) for s in _runs([{str(n): n} for n in range(1, 146)], "Issues")]
    [['Issues 1–144'], ['Issues 145']]
    """
    spans = [(n, n) for n in range(1, len(entries) + 1)]  # the entries each holds, numbered from 1
    while len(entries) > SECTION_LIMIT:
        runs, run_spans = [], []
        for start in range(0, len(entries), SECTION_LIMIT):
            first, last = spans[start][0], spans[min(start + SECTION_LIMIT, len(entries)) - 1][1]
            runs.append({f"{name} {first}–{last}" if last > first else f"{name} {first}":
                         entries[start:start + SECTION_LIMIT]})
            run_spans.append((first, last))
        entries, spans = runs, run_spans
    return entries


def entry(summary: Summary) -> dict:
    """A discussion's section of the navigation: its home, its letters, its notes."""
    d = summary.discussion
    return {theme_text(d.title): [f"{d.slug}/index.md", *(letter_path(d, letter) for letter in d.letters),
                                  f"{d.slug}/{NOTES_PAGE}.md"]}


def navigation(summaries: list[Summary], terms: tuple[Term, ...]) -> list:
    """The ``nav`` setting: the home page, the discussions, the glossary."""
    discussions = [entry(s) for s in summaries]
    if len(discussions) > SECTION_LIMIT:
        discussions = _runs([{issue: _runs([entry(s) for s in group], "Discussions")}
                             for issue, group in by_issue(summaries).items()], "Issues")
    glossary = []
    if terms:
        glossary = [{"Glossary": [f"{GLOSSARY}/index.md",
                                  *(f"{GLOSSARY}/{t.id}.md" for t in sorted(terms, key=term_order))]}]
    return ["index.md", *discussions, *glossary]


# Characters YAML does not allow in a stream, or reads as line breaks (YAML 1.1 "printable" minus U+0085, U+2028,
# U+2029; also the byte-order mark): in JSON they are left as they are, which is valid JSON but not valid YAML.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def yaml_json(data: object) -> str:
    """``data`` as JSON that is also valid YAML with the same meaning: every character YAML would refuse or
    read as a line break is written as a ``\\uXXXX`` escape, which JSON and YAML's double-quoted strings share.
    (JSON rather than PyYAML's emitter: that took 0.8 s for a 1,000-source navigation.)

    >>> yaml_json(["a\x7fb\u2028c\x85d é"])
    '[\\n "a\\\\u007fb\\\\u2028c\\\\u0085d é"\\n]'
    """
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render_nav(summaries: list[Summary], terms: tuple[Term, ...]) -> dict[str, str]:
    """``docs/.nav.yml`` by its path under ``docs/``, checked as MkDocs will read it (a YAML file that must give
    back exactly the navigation), so a title YAML cannot carry stops ``generate`` with one line, not the build."""
    notice = NOTICE.format(command=GENERATOR, source="source_texts/ and glossary.yml")
    nav = {"nav": navigation(summaries, terms)}
    text = f"# {notice}\n# mkdocs.yml inherits this file (INHERIT); see scripts/render_nav.py.\n{yaml_json(nav)}\n"
    try:
        same = yaml.load(text, Loader=YAML_LOADER) == nav
    except yaml.YAMLError:
        same = False
    if not same:
        raise PipelineError(NAV_FILE, "the navigation cannot be written as YAML that MkDocs reads back unchanged; "
                                      "a discussion's title or a glossary term holds characters YAML cannot carry")
    return {NAV_FILE: text}
