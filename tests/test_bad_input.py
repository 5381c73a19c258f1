"""Bad input never costs a word: each broken source gets a correct site, or one line naming
the file (and line) with exit status 1 and docs/ exactly as it was."""

from __future__ import annotations

import codecs
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import scripts.writer
from scripts.cli import main
from scripts.model import MARKER
from scripts.repair import repair

from conftest import ROOT, SEED
from folders import mtimes, snapshot
from pages import forum_page
from sitebuild import build_site

LETTERS = [
    (["The first letter opens with a sentence that is long enough to be prose.",
      "Its second paragraph\u00a0has a non-breaking space and\ta tab inside it."], ["Professor", "First University"]),
    (["The second letter has one paragraph, and it ends like a sentence."], ["Dean", "Second College"]),
]
GOOD = forum_page(title="A Fine Title", letters=LETTERS)


def generate(sources: Path, docs: Path, capsys) -> tuple[int, str]:
    """Run ``python -m scripts generate`` in this process; return (exit status, stderr)."""
    capsys.readouterr()
    status = main(["generate", "--sources", str(sources), "--docs", str(docs), "--glossary", "none"])
    return status, capsys.readouterr().err


@pytest.fixture
def good_site(tmp_path, capsys):
    """A folder with one good source, its docs generated; returns (sources, docs, snapshot)."""
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text(GOOD, encoding="utf-8")
    assert generate(sources, docs, capsys)[0] == 0
    return sources, docs, snapshot(docs)


def passages(docs: Path) -> list[dict]:
    return json.loads((docs / "passages.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "error: {path}: empty file, expected text"),
        (b" \r\n\t\n", "error: {path}: empty file, expected text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "error: {path}:3: binary file (contains NUL bytes), expected text"),
        (GOOD.encode().replace(b"second paragraph", b"second \xe9 paragraph"),
         "error: {path}:13: not UTF-8 text (byte 0xE9 cannot be decoded)"),
        (codecs.BOM_UTF16_LE + "Title\n".encode("utf-16-le")[:-1],
         "error: {path}: not valid UTF-16 despite its byte-order mark (truncated data)"),
        (b"Just a line of prose with no page around it.\n",
         "error: b.txt:1: no 'A DISCUSSION OF' line naming the article the letters discuss"),
        (GOOD.split("Read Responses From")[0].encode(),
         "error: b.txt:7: no letters found: expected paragraphs followed by signature lines after the article's "
         "title"),
    ],
    ids=["empty", "blank", "binary", "invalid-utf8", "broken-utf16", "not-a-page", "no-letters"],
)
def test_a_bad_source_is_one_line_naming_it_and_the_good_site_stays(good_site, capsys, data, message):
    sources, docs, before = good_site
    (sources / "b.txt").write_bytes(data)
    status, err = generate(sources, docs, capsys)
    assert status == 1
    assert err == message.format(path=sources / "b.txt") + "\n"
    assert snapshot(docs) == before


def test_the_real_command_prints_no_traceback(good_site):
    sources, docs, before = good_site
    (sources / "b.txt").write_bytes(b"\xff\xfe\x00")
    done = subprocess.run([sys.executable, "-m", "scripts", "generate", "--sources", str(sources), "--docs", str(docs),
                           "--glossary", "none"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"error: {sources / 'b.txt'}") and done.stderr.count("\n") == 1
    assert snapshot(docs) == before


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode(),
        lambda text: text.encode("utf-16"),  # with its byte-order mark
        lambda text: text.replace("\n", "\r\n").encode(),
        lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode(),
    ],
    ids=["utf8-bom", "utf16-bom", "crlf", "bom-and-crlf"],
)
def test_other_encodings_and_line_endings_give_the_very_same_site(tmp_path, capsys, encode):
    damaged = GOOD.replace("’", "โ€™") + "\n"
    plain, other = tmp_path / "plain", tmp_path / "other"
    for folder, data in ((plain, damaged.encode()), (other, encode(damaged))):
        (folder / "sources").mkdir(parents=True)
        (folder / "sources" / "a.txt").write_bytes(data)
        assert generate(folder / "sources", folder / "docs", capsys)[0] == 0
    assert snapshot(other / "docs") == snapshot(plain / "docs")


def test_non_breaking_spaces_and_tabs_keep_every_word(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(GOOD.replace("A Fine Title", "A\u00a0Fine\tTitle", 1), encoding="utf-8")
    assert generate(tmp_path, tmp_path / "docs", capsys)[0] == 0
    texts = [row["text"] for row in passages(tmp_path / "docs")]
    assert texts == [p for paragraphs, _ in LETTERS for p in paragraphs]


def test_a_letter_with_no_signature_loses_no_word(tmp_path, capsys):
    unsigned_last = forum_page(letters=[LETTERS[0], (LETTERS[1][0], [])], citation=True)
    (tmp_path / "a.txt").write_text(unsigned_last, encoding="utf-8")
    assert generate(tmp_path, tmp_path / "docs", capsys)[0] == 0
    rows = passages(tmp_path / "docs")
    assert [row["text"] for row in rows] == [p for paragraphs, _ in LETTERS for p in paragraphs]
    assert [row["letter"] for row in rows] == ["letter-1", "letter-1", "letter-2"]
    page = (tmp_path / "docs" / "a-title" / "letter-2.md").read_text(encoding="utf-8")
    assert "(The letter is unsigned in the source.)" in page
    # Unsigned in the middle: nothing marks where the letter ends, so its paragraphs join the
    # next letter's; every word is still published, in order.
    (tmp_path / "a.txt").write_text(forum_page(letters=[(LETTERS[0][0], []), LETTERS[1]]), encoding="utf-8")
    assert generate(tmp_path, tmp_path / "docs", capsys)[0] == 0
    assert [row["text"] for row in passages(tmp_path / "docs")] == [p for paragraphs, _ in LETTERS for p in paragraphs]


def test_a_page_with_no_citation_block_builds_without_one(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(forum_page(letters=LETTERS, citation=False), encoding="utf-8")
    assert generate(tmp_path, tmp_path / "docs", capsys)[0] == 0
    home = (tmp_path / "docs" / "a-title" / "index.md").read_text(encoding="utf-8")
    assert "Cite this Article" not in home and "A Title" in home
    assert [row["text"] for row in passages(tmp_path / "docs")] == [p for paragraphs, _ in LETTERS for p in paragraphs]


def test_letters_with_no_blank_lines_between_are_the_same_letters(tmp_path, capsys):
    for name, sep in (("spaced", "\n\n"), ("packed", "\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_text(forum_page(letters=LETTERS).replace("\n\n", sep), encoding="utf-8")
        assert generate(tmp_path / name, tmp_path / name / "docs", capsys)[0] == 0
    strip = [{k: v for k, v in row.items() if k != "cite"} for row in passages(tmp_path / "spaced" / "docs")]
    assert [{k: v for k, v in row.items() if k != "cite"} for row in passages(tmp_path / "packed" / "docs")] == strip
    assert len({row["letter"] for row in strip}) == 2


def test_a_5_mb_source_is_published_whole(tmp_path):
    """The seed's paragraphs, each repeated into one very long paragraph: 5 MB, one page."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    prose = {i for i, line in enumerate(lines) if len(line.split()) > 16 and not line.startswith("โ€œBalancing")}
    factor = 5_000_000 // sum(len(lines[i].encode()) for i in prose) + 1
    big = "\n".join(" ".join([line] * factor) if i in prose else line for i, line in enumerate(lines))
    assert len(big.encode()) > 5_000_000
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "big.txt").write_text(big, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scripts", "generate", "--sources", str(sources), "--docs",
                           str(tmp_path / "docs")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    repaired = [line for line in repair(big).text.split("\n") if len(line.split()) > 16]
    published = [row["text"] for row in passages(tmp_path / "docs")]
    assert published and all(text in repaired for text in published)
    assert sum(len(text) for text in published) > 4_000_000


HOSTILE = ('<script>alert("x")</script> <img src=x onerror=alert(1)> *bold* [link](javascript:alert(2)) '
           '<a href="javascript:alert(3)">a</a> {{ config.site_name }} {% include "x" %} {#- c -#} '
           '--8<-- "mkdocs.yml" <!-- c --> &amp; ${x}')


def test_markup_and_template_syntax_anywhere_in_a_source_are_published_as_inert_text(tmp_path):
    letters = [([f"A paragraph long enough to be prose, then: {HOSTILE}."], [f"Dean {HOSTILE[:40]}", "University"])]
    page = forum_page(title=f"Title {HOSTILE[:30]}", article="Article {{ page.title }} <b>bold</b>",
                      letters=letters, credit=f"Credit {HOSTILE}, © X.")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "h.txt").write_text(page, encoding="utf-8")
    site = build_site(sources, tmp_path / "work", glossary="none")
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 4
    for path in pages:
        doc = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in doc.find_all(True):
            for value in tag.attrs.values():
                values = value if isinstance(value, list) else [value]
                assert not any(str(v).strip().lower().startswith("javascript:") for v in values), (path, tag)
            assert not any(attr.startswith("on") for attr in tag.attrs), (path, tag)
        assert not [s for s in doc.find_all("script") if "alert" in (s.string or "") + s.get("src", "")], path
        assert not doc.find_all(["img", "b"]), path
    (row,) = json.loads((site / "passages.json").read_text(encoding="utf-8"))
    letter = BeautifulSoup((site / row["url"].split("#")[0] / "index.html").read_text("utf-8"), "html.parser")
    para = letter.select_one(".para")
    para.select_one(".para-num").decompose()
    assert para.get_text().split() == f"A paragraph long enough to be prose, then: {HOSTILE}.".split()
    assert HOSTILE[:40] in letter.select_one(".letter-signature").get_text()
    assert "{{ page.title }}" in letter.select_one(".letter-context").get_text()


def test_mixed_repaired_and_unrepairable_mojibake_is_marked_and_listed(tmp_path):
    # “quoted” repairs; a lost byte between two spaces fits no character, so it stays marked.
    damaged = "It was โ€œquotedโ€ and then โ€ stood alone, and Chinaโ€™s case was plain enough to say so."
    assert [c.resolved for c in repair(damaged).changes] == [True, True, False, True]
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "m.txt").write_text(forum_page(letters=[([damaged], ["Professor", "University"])]), encoding="utf-8")
    site = build_site(sources, tmp_path / "work", glossary="none")
    letter = BeautifulSoup((site / "a-title" / "letter-1" / "index.html").read_text("utf-8"), "html.parser")
    text = letter.select_one(".para").get_text()
    assert f"“quoted” and then {MARKER} stood alone, and China’s case" in text
    notes = BeautifulSoup((site / "a-title" / "notes" / "index.html").read_text("utf-8"), "html.parser")
    assert "4 repairs, 1 left unresolved" in notes.select_one(".repairs").find_previous("p").get_text()
    (row,) = notes.select("tr.unresolved")
    cells = [td.get_text() for td in row.find_all("td")]
    line = forum_page(letters=[([damaged], ["Professor", "University"])]).split("\n").index(damaged) + 1
    # Where (the letter and paragraph the repair is in), then the source's line:column, what was there, what is now.
    assert cells[:5] == ["Letter 1, ¶1", f"{line}:{damaged.index(' โ€ ') + 2}", "โ€", MARKER,
                         "cp874-lost-byte-unresolved"]


def _failing_after(count: int, real):
    calls = {"n": 0}

    def fail(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > count:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]))
        return real(*args, **kwargs)

    return fail


class _OsFailingOnce:
    """``os`` as scripts.writer sees it, with one function failing (disk full) at its Nth call only."""

    def __init__(self, name: str, call: int):
        real, calls = getattr(os, name), {"n": 0}

        def once(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == call:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]))
            return real(*args, **kwargs)

        setattr(self, name, once)

    def __getattr__(self, name: str):
        return getattr(os, name)


# Before the commit point (a staged file's write, the journal's rename) and after it (a removal,
# a new folder, a rename into place): either way docs/ is exactly as it was, modification times included.
@pytest.mark.parametrize("where", ["_write", "os.replace:1", "os.unlink:1", "os.mkdir:2", "os.replace:4"])
def test_a_write_that_fails_halfway_leaves_docs_as_it_was(good_site, capsys, monkeypatch, where):
    sources, docs, before = good_site
    (docs / "hand-written.md").write_text("# Mine\n", encoding="utf-8")
    before, stamps = snapshot(docs), mtimes(docs)
    (sources / "a.txt").write_text(GOOD.replace("Fine", "Better").replace("second paragraph", "2nd paragraph"),
                                   encoding="utf-8")
    (sources / "c.txt").write_text(forum_page(title="Another"), encoding="utf-8")
    if where == "_write":
        monkeypatch.setattr(scripts.writer, "_write", _failing_after(3, scripts.writer._write))
    else:
        name, call = where.removeprefix("os.").split(":")
        monkeypatch.setattr(scripts.writer, "os", _OsFailingOnce(name, int(call)))
    status, err = generate(sources, docs, capsys)
    assert status == 1 and err.count("\n") == 1
    assert err.startswith("error: ") and "No space left on device" in err and "was left as it was" in err
    assert snapshot(docs) == before
    assert mtimes(docs) == stamps
    assert not [p for p in docs.rglob("*") if p.name.endswith(".tmp")]
    assert not (docs / "another").exists() and not (docs / scripts.writer.STAGING).exists()
    monkeypatch.undo()
    assert generate(sources, docs, capsys)[0] == 0  # and the next run writes it all
    assert (docs / "another").is_dir() and (docs / "hand-written.md").is_file()


def test_a_manifest_entry_outside_docs_is_never_removed(good_site, capsys):
    sources, docs, _ = good_site
    outside = docs.parent / "precious.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    manifest = json.loads((docs / ".generated.json").read_text(encoding="utf-8"))
    (docs / ".generated.json").write_text(json.dumps([*manifest, "../precious.txt", str(outside)]), encoding="utf-8")
    assert generate(sources, docs, capsys)[0] == 0
    assert outside.read_text(encoding="utf-8") == "keep me\n"
