"""The hand-edited data files (glossary.yml, NAME.meta.yml, see_also.yml): every hostile or broken file is one
line naming the file, the line and what is expected; the project's own files load exactly as before."""

import json
import subprocess
import sys
import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import datafiles
from scripts.annotate import load_glossary
from scripts.datafiles import GLOSSARY, META, SEE_ALSO
from scripts.errors import PipelineError
from scripts.model import Reference, Term
from scripts.sources import read_meta

from conftest import ROOT, SEED

URL_MESSAGE = "expected an http:// or https:// address with a host and no spaces"
ID_MESSAGE = "expected lower-case letters and digits in words joined by single hyphens (like 'united-front')"
LETTER_MESSAGE = 'expected a letter number (1, "1" or "letter-1")'
VARIANT_MESSAGE = "expected a string with a letter or digit and no space at either end"
FIELDS = "id, term, variants, exact_variants, short, definition, notes, sources"
FACTS = ("url, responds_to_url, rights, publisher, responds_to_authors, title_sentence_case, forum, argument, "
         "letter_summaries, letter_authors")


def entry(**fields: str | None) -> str:
    """A glossary entry, one field a line: id 1, term 2, variants 3, short 4, definition 5, sources 6, others 7…"""
    base = {"id": "x", "term": "x", "variants": "[united front]", "short": "s", "definition": "d",
            "sources": "[{title: t, url: 'https://e.org', checked: '2026-11-30'}]"}
    lines = [f"{key}: {value}" for key, value in (base | fields).items() if value is not None]
    return "- " + "\n  ".join(lines) + "\n"


def source(url: str) -> str:
    return entry(sources=f"[{{title: t, checked: '2026-11-30', url: {url}}}]")


def fact(name: str, value: str) -> str:
    return f"{name}:\n  value: {value}\n  source: s\n"


def _load(tmp_path, kind: str, text: str | bytes):
    path = tmp_path / {GLOSSARY: "glossary.yml", META: "a.meta.yml", SEE_ALSO: "see_also.yml"}[kind]
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path, lambda: datafiles.load(path, kind)


def _error(tmp_path, kind: str, text: str | bytes) -> tuple[str, str]:
    path, load = _load(tmp_path, kind, text)
    with pytest.raises(PipelineError) as err:
        load()
    return str(path), err.value.format()


GLOSSARY_CASES = {
    # the type of a field
    "variants a number": (entry(variants="5"), ":3: entry 'x': variants: expected a list of strings, got 5"),
    "notes a number": (entry(notes="5"), ":7: entry 'x': notes: expected a list of strings, got 5"),
    "variants a string": (entry(variants="united front"),
                          ":3: entry 'x': variants: expected a list of strings, got 'united front'"),
    "variants empty": (entry(variants="[]"), ":3: entry 'x': variants: must not be an empty list"),
    "variants nothing": (entry(variants=""), ":3: entry 'x': variants: expected a list of strings, got nothing"),
    "term a date": (entry(term="2024-01-01"),
                    ":2: entry 'x': term: expected text (not only spaces), got date 2024-01-01"),
    "entry not a mapping": ("- united front\n", ":1: entry #1: expected an entry (a mapping of id, term, variants, "
                            "short, definition, sources), got 'united front'"),
    "top level a mapping": ("x: 1\n", ":1: expected a list of entries, got a mapping"),
    # variants that would match single letters, or nothing
    "empty variant": (entry(variants="['']"), ":3: entry 'x': variants #1: expected at least 2 characters, got ''"),
    "whitespace variant": (entry(variants="[united front, '   ']"),
                           f":3: entry 'x': variants #2: {VARIANT_MESSAGE}, got '   '"),
    "single letter": (entry(variants="[a]"), ":3: entry 'x': variants #1: expected at least 2 characters, got 'a'"),
    "letter and space": (entry(variants="['a ']"), f":3: entry 'x': variants #1: {VARIANT_MESSAGE}, got 'a '"),
    "no letter": (entry(variants="['--']"), f":3: entry 'x': variants #1: {VARIANT_MESSAGE}, got '--'"),
    "empty exact variant": (entry(exact_variants="['']"),
                            ":7: entry 'x': exact_variants #1: expected at least 2 characters, got ''"),
    "empty note": (entry(notes="[a note, '']"), ":7: entry 'x': notes #2: must not be empty"),
    "blank definition": (entry(definition="'  '"),
                         ":5: entry 'x': definition: expected text (not only spaces), got '  '"),
    "long short": (entry(short="x" * 301), ":4: entry 'x': short: expected at most 300 characters, got 301"),
    # ids: file names, HTML attributes, the index page
    "id climbs out": (entry(id="../../x"), f":1: entry '../../x': id: {ID_MESSAGE}, got '../../x'"),
    "id with a quote": (entry(id="'a\" onclick=\"x'"),
                        f":1: entry 'a\" onclick=\"x': id: {ID_MESSAGE}, got 'a\" onclick=\"x'"),
    "id index": (entry(id="index"),
                 ":1: entry 'index': id: 'index' is reserved (for the site's own pages); choose another"),
    "id capitals": (entry(id="United-Front"), f":1: entry 'United-Front': id: {ID_MESSAGE}, got 'United-Front'"),
    "id newline": (entry(id='"x\\n"'), f":1: entry 'x\\n': id: {ID_MESSAGE}, got 'x\\n'"),
    "id a number": (entry(id="5"), f":1: entry #1: id: {ID_MESSAGE}, got 5"),
    "id missing": (entry(id=None), ":1: entry #1: missing id"),
    # urls of sources: http(s) only
    "javascript url": (source("'javascript:alert(1)'"),
                       f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got 'javascript:alert(1)'"),
    "JAVASCRIPT url": (source("'JAVASCRIPT:alert(1)'"),
                       f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got 'JAVASCRIPT:alert(1)'"),
    "data url": (source("'data:text/html,<b>x</b>'"),
                 f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got 'data:text/html,<b>x</b>'"),
    "leading space": (source("' https://x.org'"), f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got ' https://x.org'"),
    "space inside": (source("'https://a b'"), f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got 'https://a b'"),
    "no host": (source("'https:///x'"), f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got 'https:///x'"),
    "final newline": (source('"https://x.org\\n"'),
                      f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got 'https://x.org\\n'"),
    "tab in url": (source('"https://x.org/a\\tb"'), f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got "
                                                   "'https://x.org/a\\tb'"),
    "control in url": (source('"https://x.org/\\x85"'), f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got "
                                                       "'https://x.org/\\x85'"),
    "relative url": (source("/about/"), f":6: entry 'x': sources #1, url: {URL_MESSAGE}, got '/about/'"),
    # fields
    "unknown field": (entry(shrot="s"), f":7: entry 'x': unknown field 'shrot' (known fields: {FIELDS})"),
    "misspelt field": (entry(short=None, shrot="s"), f":6: entry 'x': unknown field 'shrot' (known fields: {FIELDS})"),
    "no sources": (entry(sources=None), ":1: entry 'x': missing sources"),
    "no sources, no short": (entry(sources=None, short=None), ":1: entry 'x': missing short, sources"),
    "empty sources": (entry(sources="[]"), ":6: entry 'x': sources: must not be an empty list"),
    "source without url": (entry(sources="[{title: t, url: 'https://e.org', checked: '2026-11-30'}, "
                                         "{title: t, checked: '2026-11-30'}]"),
                           ":6: entry 'x': sources #2: missing url or authors"),
    "source field unknown": (entry(sources="[{title: t, url: 'https://e.org', checked: '2026-11-30', site: s}]"),
                             ":6: entry 'x': sources #1: unknown field 'site' (known fields: title, url, authors, "
                             "container, publisher, year, checked, supports)"),
    # YAML that is never needed by hand and always by an attacker
    "duplicate key": (entry() + "  term: y\n", ":7: key 'term' given twice in one mapping (first on line 2)"),
    "python tag": ("- !!python/object/apply:os.system ['echo hi']\n",
                   ":1: explicit tag '!!python/object/apply:os.system' is not allowed; write a plain value"),
    "binary tag": (entry(term="!!binary aGVsbG8="), ":2: explicit tag '!!binary' is not allowed; write a plain value"),
    "local tag": (entry(term="!x y"), ":2: explicit tag '!x' is not allowed; write a plain value"),
    "alias": (entry().replace("term: x", "term: &t x") + entry(id="y", term="*t", variants="[yy]"),
              ":2: anchor '&t': anchors and aliases are not allowed; write each value out"),
    "merge key": ("- <<: {id: x}\n  term: x\n", ":1: merge keys ('<<') are not allowed; write each field out"),
    "complex key": ("- ? [a]\n  : b\n", ":1: a key must be a single value, not a list or a mapping"),
    "two documents": (entry() + "---\n" + entry(), ":7: a second YAML document ('---'); expected one"),
    "block nesting": ("- " * 33 + "x\n", ":1: nested more than 32 levels deep"),
    "not YAML": ("- [unclosed\n", ":2: not valid YAML (did not find expected ',' or ']')"),
    "impossible date": (entry(term="2024-13-01"), ": not valid YAML (month must be in 1..12)"),
    "huge integer": (entry(id="1" * 5000),
                     ": not valid YAML (Exceeds the limit (4300 digits) for integer string conversion: value has "
                     "5000 digits)"),
}


@pytest.mark.parametrize(("text", "message"), GLOSSARY_CASES.values(), ids=GLOSSARY_CASES.keys())
def test_a_broken_glossary_is_one_line_naming_entry_field_and_line(tmp_path, text, message):
    path, error = _error(tmp_path, GLOSSARY, text)
    assert error == f"error: {path}{message}"


META_CASES = {
    "javascript url": (fact("url", "javascript:alert(1)"),
                       f":2: fact 'url': value: {URL_MESSAGE}, got 'javascript:alert(1)'"),
    "JAVASCRIPT url": (fact("url", "JAVASCRIPT:alert(1)"),
                       f":2: fact 'url': value: {URL_MESSAGE}, got 'JAVASCRIPT:alert(1)'"),
    "data url": (fact("url", "'data:text/html,x'"), f":2: fact 'url': value: {URL_MESSAGE}, got 'data:text/html,x'"),
    "leading space": (fact("url", "' https://x.org'"), f":2: fact 'url': value: {URL_MESSAGE}, got ' https://x.org'"),
    "space inside": (fact("url", "https://a b"), f":2: fact 'url': value: {URL_MESSAGE}, got 'https://a b'"),
    "responds_to_url javascript": (fact("responds_to_url", "javascript:alert(1)"),
                                   f":2: fact 'responds_to_url': value: {URL_MESSAGE}, got 'javascript:alert(1)'"),
    "responds_to_url data": (fact("responds_to_url", "'data:,x'"),
                             f":2: fact 'responds_to_url': value: {URL_MESSAGE}, got 'data:,x'"),
    "responds_to_url JAVASCRIPT": (fact("responds_to_url", "JAVASCRIPT:x"),
                                   f":2: fact 'responds_to_url': value: {URL_MESSAGE}, got 'JAVASCRIPT:x'"),
    "responds_to_url leading space": (fact("responds_to_url", "' https://x.org'"),
                                      f":2: fact 'responds_to_url': value: {URL_MESSAGE}, got ' https://x.org'"),
    "responds_to_url space inside": (fact("responds_to_url", "https://a b"),
                                     f":2: fact 'responds_to_url': value: {URL_MESSAGE}, got 'https://a b'"),
    "unknown fact": (fact("rihgts", "r"), f":1: unknown fact 'rihgts' (known facts: {FACTS})"),
    "fact without source": ("url:\n  value: https://x.org\n", ":1: fact 'url': missing source"),
    "fact with empty source": ("url:\n  value: https://x.org\n  source: ''\n",
                               ":3: fact 'url': source: must not be empty"),
    "fact with another field": (fact("url", "https://x.org") + "  checked: yes\n",
                                ":4: fact 'url': unknown field 'checked' (known fields: value, source)"),
    "fact without its mapping": ("url: https://x.org\n",
                                 ":1: fact 'url': expected a fact (a mapping of value and source), got 'https://x.org'"),
    "text fact a number": (fact("rights", "5"), ":2: fact 'rights': value: expected text (not only spaces), got 5"),
    "a list": ("- url\n- rights\n", ":1: expected a mapping of facts (each fact: value and source), got a list"),
    "nothing": ("# no facts\n", ": expected a mapping of facts (each fact: value and source), got nothing"),
    "duplicate fact": (fact("rights", "r") + fact("rights", "s"),
                       ":4: key 'rights' given twice in one mapping (first on line 1)"),
    "alias": ("rights:\n  value: &r r\n  source: *r\n",
              ":2: anchor '&r': anchors and aliases are not allowed; write each value out"),
    "names not a list": (fact("letter_authors", "{1: Jane Doe}"),
                         ":2: fact 'letter_authors': value, 1: expected a list of names, got 'Jane Doe'"),
    "letter 0": (fact("letter_authors", "{0: [Jane Doe]}"),
                 f":2: fact 'letter_authors': value: key 0: {LETTER_MESSAGE}"),
    "letter name": (fact("letter_authors", "{first: [Jane Doe]}"),
                    f":2: fact 'letter_authors': value: key 'first': {LETTER_MESSAGE}"),
    "given name only": (fact("letter_authors", "{1: [{given: Jane}]}"),
                        ":2: fact 'letter_authors': value, 1 #1: missing family or literal"),
    "name field unknown": (fact("letter_authors", "{1: [{family: Doe, middle: Q}]}"),
                           ":2: fact 'letter_authors': value, 1 #1: unknown field 'middle' (known fields: family, "
                           "given, literal)"),
    "name a number": (fact("letter_authors", "{1: [Doe, 5]}"),
                      ":2: fact 'letter_authors': value, 1 #2: expected a name ('Family, Given', a name as one "
                      "string, or a mapping of family, given, literal), got 5"),
    "summary a list": (fact("letter_summaries", "{1: [a, b]}"),
                       ":2: fact 'letter_summaries': value, 1: expected text (not only spaces), got a list"),
    "summary of letter 0": (fact("letter_summaries", "{0: Argues.}"),
                            f":2: fact 'letter_summaries': value: key 0: {LETTER_MESSAGE}"),
    "summaries not a mapping": (fact("letter_summaries", "Argues."),
                                ":2: fact 'letter_summaries': value: expected a mapping of letter numbers to one line "
                                "of text each, got 'Argues.'"),
    "blank argument": (fact("argument", "'  '"),
                       ":2: fact 'argument': value: expected text (not only spaces), got '  '"),
    "forum a number": (fact("forum", "5"), ":2: fact 'forum': value: expected text (not only spaces), got 5"),
    "blank name": (fact("letter_authors", "{1: ['  ']}"),
                   ":2: fact 'letter_authors': value, 1 #1: expected text (not only spaces), got '  '"),
}


@pytest.mark.parametrize(("text", "message"), META_CASES.values(), ids=META_CASES.keys())
def test_a_broken_metadata_file_is_one_line_naming_fact_field_and_line(tmp_path, text, message):
    path, error = _error(tmp_path, META, text)
    assert error == f"error: {path}{message}"


def link(**fields: str | None) -> str:
    """A see_also.yml link, one field a line: discussion 1, between 2 (its paragraphs 3 and 4), note 5, others 6…"""
    base = {"discussion": "d", "between": "\n    - {letter: 1, paragraph: 2}\n    - {letter: 2, paragraph: 3}",
            "note": "n"}
    lines = [f"{key}: {value}" for key, value in (base | fields).items() if value is not None]
    return "- " + "\n  ".join(lines) + "\n"


PARAGRAPH_MESSAGE = "expected a paragraph number (1, 2, …) or anchor ('p-' and words joined by hyphens)"
SEE_ALSO_CASES = {
    "no note": (link(note=None), ":1: link #1: missing note"),
    "hidden without note": (link(note=None, hide="true"), None),
    "hide not a boolean": (link(hide="'yes'"), ":6: link #1: hide: expected true or false, got 'yes'"),
    "one paragraph": (link(between="[{letter: 1, paragraph: 2}]"),
                      ":2: link #1: between: expected a list of two paragraphs (each a mapping of letter and "
                      "paragraph), got a list"),
    "letter zero": (link(between="[{letter: 0, paragraph: 2}, {letter: 2, paragraph: 1}]"),
                    ":2: link #1: between #1, letter: expected a letter number (1, 2, …), got 0"),
    "paragraph a word": (link(between="[{letter: 1, paragraph: two}, {letter: 2, paragraph: 1}]"),
                         f":2: link #1: between #1, paragraph: {PARAGRAPH_MESSAGE}, got 'two'"),
    "paragraph zero": (link(between="[{letter: 1, paragraph: 0}, {letter: 2, paragraph: 1}]"),
                       f":2: link #1: between #1, paragraph: {PARAGRAPH_MESSAGE}, got 0"),
    "discussion climbs out": (link(discussion="'../x'"), ":1: link #1: discussion: expected a discussion's slug: "
                              "lower-case letters and digits in words joined by single hyphens, got '../x'"),
    "typo": (link(nots="n"), ":6: link #1: unknown field 'nots' (known fields: discussion, between, note, hide)"),
    "markup note": (link(note="'<script>x</script>'"), None),  # text: the page escapes it
    "empty note": (link(note="'  '"), ":5: link #1: note: expected text (not only spaces), got '  '"),
    "alias": ("- &a {discussion: d}\n- *a\n", ":1: anchor '&a': anchors and aliases are not allowed; write each "
              "value out"),
    "top level a mapping": ("discussion: d\n", ":1: expected a list of links, got a mapping"),
}


@pytest.mark.parametrize(("text", "message"), SEE_ALSO_CASES.values(), ids=SEE_ALSO_CASES.keys())
def test_a_broken_see_also_file_is_one_line_naming_link_field_and_line(tmp_path, text, message):
    if message is None:
        assert _load(tmp_path, SEE_ALSO, text)[1]().data == yaml.safe_load(text)
        return
    path, error = _error(tmp_path, SEE_ALSO, text)
    assert error == f"error: {path}{message}"


def test_the_command_line_refuses_a_broken_see_also_in_one_line(tmp_path):
    bad, docs = tmp_path / "bad.yml", tmp_path / "docs"
    bad.write_text(link(note=None), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scripts", "generate", "--docs", str(docs), "--see-also", str(bad)],
                          cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (1, f"error: {bad}:1: link #1: missing note\n") and not docs.exists()


@pytest.mark.parametrize(("kind", "limit"), [(GLOSSARY, "1 MiB"), (META, "256 KiB"), (SEE_ALSO, "1 MiB")])
def test_a_file_over_its_size_limit_is_refused_before_parsing(tmp_path, kind, limit):
    text = "# " + "x" * datafiles.MAX_BYTES[kind] + "\n"  # a comment: the parser would read it as nothing at all
    path, error = _error(tmp_path, kind, text)
    assert error == f"error: {path}: file too large (over {limit}, the limit for this file)"
    _, load = _load(tmp_path, kind, text[: datafiles.MAX_BYTES[kind] - 1] + "\n")
    if kind == GLOSSARY:
        assert load().data is None  # at the limit: read


@pytest.mark.parametrize("kind", [GLOSSARY, META, SEE_ALSO])
def test_a_file_that_is_not_utf8_is_one_line(tmp_path, kind):
    path, error = _error(tmp_path, kind, b"- id: caf\xe9\n")
    assert error == f"error: {path}:1: not UTF-8 text (byte 0xE9 cannot be decoded)"


def billion_laughs(levels: int = 9) -> str:
    """The classic: each line names the previous one ten times, 10**9 strings in 10 lines."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels + 1):
        this, last = chr(ord("a") + n), chr(ord("a") + n - 1)
        lines.append(f"{this}: &{this} [{','.join(f'*{last}' for _ in range(10))}]")
    return "# billion laughs\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", [GLOSSARY, META, SEE_ALSO])
def test_a_billion_laughs_fails_fast_at_its_first_anchor(tmp_path, kind):
    start = time.perf_counter()
    path, error = _error(tmp_path, kind, billion_laughs())
    assert time.perf_counter() - start < 0.5
    assert error == f"error: {path}:2: anchor '&a': anchors and aliases are not allowed; write each value out"


@pytest.mark.parametrize("kind", [GLOSSARY, META, SEE_ALSO])
def test_ten_thousand_nested_lists_fail_fast(tmp_path, kind):
    start = time.perf_counter()
    path, error = _error(tmp_path, kind, "[" * 10_000 + "]" * 10_000 + "\n")
    assert time.perf_counter() - start < 0.5
    # libyaml's own limit (1,000 levels) stops the scanner before any event reaches ours
    assert error == f"error: {path}:1: not valid YAML (exceeded maximum nesting depth)"


def test_flow_nesting_past_the_limit_is_refused_at_its_line(tmp_path):
    path, error = _error(tmp_path, GLOSSARY, "- x\n- " + "[" * 40 + "]" * 40 + "\n")
    assert error == f"error: {path}:2: nested more than 32 levels deep"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (entry() + entry(variants="[other]"), ":7: entry 'x': id used twice (first on line 1)"),
        (entry() + entry(id="y", variants="[United Front]"), ":7: entry 'y': variant 'United Front' is also claimed "
                                                             "by 'x'"),
        (entry() + entry(id="y", variants="[yy]", exact_variants="[united front]"),
         ":7: entry 'y': variant 'united front' is also claimed by 'x'"),
    ],
    ids=["id twice", "variant twice", "exact variant twice"],
)
def test_what_the_schema_cannot_say_is_checked_after_it(tmp_path, text, message):
    path = tmp_path / "glossary.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError) as err:
        load_glossary(path)
    assert err.value.format() == f"error: {path}{message}"


# Negatives: what must load, and load as before


def _terms_as_before(path) -> tuple[Term, ...]:
    """The Terms the glossary gave before the schema (the former load_glossary, without its checks)."""
    text = path.read_text(encoding="utf-8")
    data, nodes = yaml.safe_load(text), yaml.compose(text).value
    one_line = " ".join
    return tuple(
        Term(str(e["id"]), str(e["term"]), tuple(str(v) for v in e["variants"]), one_line(str(e["short"]).split()),
             one_line(str(e["definition"]).split()),
             tuple(Reference(**{k: str(v) for k, v in s.items()}) for s in e["sources"]),
             tuple(one_line(str(n).split()) for n in e.get("notes") or ()), node.start_mark.line + 1,
             tuple(str(v) for v in e.get("exact_variants") or ()))
        for e, node in zip(data, nodes, strict=True))


def test_the_real_glossary_gives_the_same_terms_as_before():
    terms = load_glossary(ROOT / "glossary.yml")
    assert terms == _terms_as_before(ROOT / "glossary.yml")
    assert len(terms) >= 21 and terms[0].id == "research-security" and terms[0].line == 16
    issues = next(t for t in terms if t.id == "issues-in-science-and-technology")
    assert issues.exact == ("Issues",)


def test_the_real_metadata_gives_the_same_facts_as_before():
    meta_file = SEED.with_name(SEED.stem + ".meta.yml")
    meta = read_meta(SEED)
    assert meta == yaml.safe_load(meta_file.read_text(encoding="utf-8"))
    assert meta["url"]["value"] == "https://issues.org/balancing-research-security-openness-shih-wagner-forum/"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (GLOSSARY, "# no terms yet\n"),
        (GLOSSARY, "null\n"),
        (GLOSSARY, entry(exact_variants="[Issues]", notes="[a note]", variants="[S&T, '5G']")),
        (GLOSSARY, source("'https://en.wikipedia.org/wiki/Securitization_(international_relations)'")),
        (GLOSSARY, source("'http://example.org:8080/a?b=c&d=e#f'")),
        (GLOSSARY, source("'https://example.org/a?x=\"><b>''onmouseover=''x'")),  # escaped where it is published
        (GLOSSARY, entry(id="a1-b2-c3", term="'!!x'", short="'&a *b'")),  # tags and anchors inside quotes are text
        (META, fact("url", "https://x.org/") + fact("responds_to_url", "http://y.org/a?b#c")),
        (META, fact("title_sentence_case", "The trap of securitizing science") + fact("publisher", "P")),
        (META, fact("letter_authors", "{1: ['Doe, Jane', {family: Roe, given: R}], '2': [X], letter-3: "
                                      "[{literal: Ministry}], letter-04: [Y]}")),
    ],
    ids=["comments only", "null", "every field", "parentheses in url", "port query fragment", "markup in url",
         "quoted marks", "urls", "text facts", "letter authors"],
)
def test_good_files_load(tmp_path, kind, text):
    _, load = _load(tmp_path, kind, text)
    assert load().data == yaml.safe_load(text)


def test_every_property_of_every_schema_is_described_and_the_schemas_are_valid():
    def walk(schema):
        if isinstance(schema, dict):
            for name, sub in schema.get("properties", {}).items():
                assert "description" in sub, name
            for sub in schema.values():
                yield from walk(sub)
            yield schema
        elif isinstance(schema, list):
            for sub in schema:
                yield from walk(sub)

    for kind in (GLOSSARY, META, SEE_ALSO):
        schema = json.loads((datafiles.SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
        assert list(walk(schema))
        datafiles._validator(kind)  # checks the schema against Draft 2020-12
    assert frozenset({"index"}) == datafiles.RESERVED_IDS


YAMLISH = st.lists(st.sampled_from([*"-:[]{}&*!|>'\"#%@` ,?\n\tabx01.\\", "id", "value", "\u2028", "\x00", "<<"]),
                   max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(YAMLISH, st.sampled_from([GLOSSARY, META, SEE_ALSO]))
def test_any_text_loads_or_is_a_one_line_error(text, kind):
    try:
        datafiles.load_text(text, "f.yml", kind)
    except PipelineError as err:
        assert "\n" not in err.format() and "\r" not in err.format() and "\u2028" not in err.format()


HOSTILE_CLI = ["variants a number", "id climbs out", "javascript url", "python tag"]


@pytest.mark.parametrize("case", HOSTILE_CLI)
def test_the_command_line_prints_one_line_and_writes_nothing(tmp_path, case):
    bad, docs = tmp_path / "bad.yml", tmp_path / "docs"
    text, message = GLOSSARY_CASES[case]
    bad.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scripts", "generate", "--docs", str(docs), "--glossary", str(bad)],
                          cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (1, f"error: {bad}{message}\n")
    assert "Traceback" not in done.stdout + done.stderr and not docs.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yml"]


def test_the_command_line_refuses_a_billion_laughs_glossary(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(billion_laughs(), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scripts", "generate", "--docs", str(tmp_path / "docs"),
                           "--glossary", str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and done.stderr.startswith(f"error: {bad}:2: ")
