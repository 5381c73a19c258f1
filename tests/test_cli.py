"""The command line, run as a real command."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SEED
from pages import forum_page


def cli(*args, cwd=ROOT):
    if args and args[0] in ("generate", "check") and "--sources" in args:
        args = (*args, "--glossary", "none")  # synthetic pages do not contain the glossary's terms
    return subprocess.run([sys.executable, "-m", "scripts", *args], cwd=cwd, capture_output=True)


def test_repair_prints_the_repaired_text_with_newlines_preserved(tmp_path):
    source = tmp_path / "crlf.txt"
    source.write_bytes("Chinaโ€™s\r\n\r\nraceโ€”a\r\n".encode())
    done = cli("repair", str(source))
    assert done.returncode == 0
    assert done.stdout == "China’s\r\n\r\nrace—a\r\n".encode()


def test_repair_of_the_seed_leaves_no_mojibake():
    out = cli("repair", str(SEED)).stdout.decode()
    assert "โ€" not in out and "ยฉ" not in out and "“The Trap of Securitizing Science”" in out


def test_explain_prints_one_json_object_a_line():
    done = cli("repair", "--explain", str(SEED))
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(rows) == 37
    assert rows[0] == {"line": 1, "column": 112, "original": "ยฉ", "result": "©", "rule": "cp874-utf8",
                       "detail": "UTF-8 bytes C2 A9 decoded: U+00A9 COPYRIGHT SIGN"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file, expected text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes), expected text"),
        (b"caf\xe9 au lait", "not UTF-8 text (byte 0xE9 cannot be decoded)"),
    ],
)
def test_bad_files_get_one_line_naming_them_and_a_nonzero_exit(tmp_path, content, expected):
    source = tmp_path / "bad.txt"
    source.write_bytes(content)
    done = cli("repair", str(source))
    err = done.stderr.decode()
    assert done.returncode == 1 and done.stdout == b""
    assert err.count("\n") == 1 and str(source) in err and expected in err
    assert "Traceback" not in err


def test_missing_file_is_a_one_line_error(tmp_path):
    done = cli("repair", str(tmp_path / "nope.txt"))
    assert done.returncode == 1 and done.stderr.decode().startswith(f"error: {tmp_path / 'nope.txt'}: cannot read")


def test_generate_a_file_with_no_letters_fails_and_keeps_the_good_site(tmp_path):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "good.txt").write_text(forum_page(), encoding="utf-8")
    assert cli("generate", "--sources", str(sources), "--docs", str(docs)).returncode == 0
    before = {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    (sources / "good.txt").write_text("A Title\n\nA DISCUSSION OF\n\nArticle\n", encoding="utf-8")
    done = cli("generate", "--sources", str(sources), "--docs", str(docs))
    assert done.returncode == 1
    assert done.stderr.decode() == "error: good.txt:5: no letters found: expected paragraphs followed by " \
        "signature lines after the article's title\n"
    assert {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()} == before


def test_generate_never_removes_files_it_did_not_write(tmp_path):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    docs.mkdir()
    (docs / "hand-written.md").write_text("# Mine\n", encoding="utf-8")
    (sources / "a.txt").write_text(forum_page(title="First"), encoding="utf-8")
    assert cli("generate", "--sources", str(sources), "--docs", str(docs)).returncode == 0
    (sources / "a.txt").write_text(forum_page(title="Renamed"), encoding="utf-8")
    assert cli("generate", "--sources", str(sources), "--docs", str(docs)).returncode == 0
    assert (docs / "hand-written.md").read_text(encoding="utf-8") == "# Mine\n"
    assert (docs / "renamed" / "letter-1.md").exists()
    assert not (docs / "first" / "letter-1.md").exists()  # its own stale page is removed


def test_generate_json_prints_one_object_naming_the_files_it_wrote_and_removed(tmp_path):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text(forum_page(), encoding="utf-8")
    done = cli("generate", "--sources", str(sources), "--docs", str(docs), "--json")
    assert done.returncode == 0, done.stderr.decode()
    (line,) = done.stdout.decode().splitlines()
    summary = json.loads(line)
    assert list(summary) == ["changed", "rendered", "sources", "warnings"]
    assert all(isinstance(summary[key], list) and all(isinstance(item, str) for item in summary[key])
               for key in ("changed", "warnings"))
    assert all(type(summary[key]) is int for key in ("rendered", "sources"))
    # Into an empty docs folder: every file it wrote, sorted, but the list of generated files (its manifest).
    written = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file())
    assert summary["changed"] == [rel for rel in written if rel != ".generated.json"]
    assert "a-title/letter-1.md" in summary["changed"] and summary["rendered"] == summary["sources"] == 1
    # The warnings (see_also.yml names the seed's discussion, not among these sources) are on stderr as well,
    # and nothing else is: the line that says what was done is the object on stdout.
    assert summary["warnings"] and done.stderr.decode().splitlines() == summary["warnings"]
    (sources / "a.txt").write_text(forum_page(title="Renamed"), encoding="utf-8")
    again = json.loads(cli("generate", "--sources", str(sources), "--docs", str(docs), "--json").stdout)
    assert "a-title/letter-1.md" in again["changed"] and "renamed/letter-1.md" in again["changed"]  # removed, written
    assert again["changed"] == sorted(again["changed"]) and again["rendered"] == again["sources"] == 1
    plain = cli("generate", "--sources", str(sources), "--docs", str(docs))
    assert plain.stdout == b"" and plain.stderr.decode().splitlines()[-1] == (
        f"generated {docs}: 0 file(s) changed; 0 of 1 source(s) read and rendered, the others unchanged since the "
        "last run")


def test_check_names_stale_generated_files(tmp_path):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text(forum_page(), encoding="utf-8")
    cli("generate", "--sources", str(sources), "--docs", str(docs))
    assert cli("check", "--sources", str(sources), "--docs", str(docs)).returncode == 0
    (docs / "a-title" / "letter-1.md").write_text("edited by hand", encoding="utf-8")
    done = cli("check", "--sources", str(sources), "--docs", str(docs))
    assert done.returncode == 1 and "a-title/letter-1.md" in done.stderr.decode()


def test_committed_docs_are_what_the_sources_generate():
    done = cli("check")
    assert done.returncode == 0, done.stderr.decode()


def test_a_glossary_entry_no_source_uses_is_a_warning_and_left_out(tmp_path):
    docs = tmp_path / "docs"
    unused = tmp_path / "glossary.yml"
    unused.write_text((ROOT / "glossary.yml").read_text(encoding="utf-8").replace(
        "    - united front\n", "    - united frontier\n", 1), encoding="utf-8")
    line = next(n for n, text in enumerate(unused.read_text(encoding="utf-8").splitlines(), 1)
                if text == "- id: united-front")
    done = cli("generate", "--docs", str(docs), "--glossary", str(unused))
    assert done.returncode == 0
    assert done.stderr.decode().splitlines()[0] == (
        f"warning: {unused}:{line}: entry 'united-front' occurs in no source (variants: united frontier); "
        "it is left out of the site")
    assert not (docs / "glossary" / "united-front.md").exists() and (docs / "glossary" / "xi-jinping.md").exists()
    assert "glossary/united-front.md" not in (docs / ".nav.yml").read_text(encoding="utf-8")


def test_a_shared_glossary_does_not_stop_a_site_built_from_other_sources(tmp_path):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text(forum_page(letters=[(["A letter on the united front and on decoupling."],
                                                        [])]), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scripts", "generate", "--sources", str(sources), "--docs",
                           str(docs)], cwd=ROOT, capture_output=True)
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 0, lines
    assert len([w for w in lines if w.startswith(f"warning: {ROOT / 'glossary.yml'}:")]) == 22  # 24 entries, 2 used
    # and see_also.yml's links, all to the seed's discussion, are left out in one line
    assert [w for w in lines if w.startswith(f"warning: {ROOT / 'see_also.yml'}:")] == [
        f"warning: {ROOT / 'see_also.yml'}:8: no discussion 'balancing-research-security-and-openness' among the "
        "sources; its 4 link(s) are left out"]
    assert sorted(p.name for p in (docs / "glossary").iterdir()) == ["decoupling.md", "index.md", "united-front.md"]


def test_generated_files_are_readable_by_everyone(tmp_path):
    sources, docs = tmp_path / "sources", tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text(forum_page(), encoding="utf-8")
    assert cli("generate", "--sources", str(sources), "--docs", str(docs)).returncode == 0
    modes = {p.relative_to(docs).as_posix(): p.stat().st_mode & 0o777 for p in docs.rglob("*") if p.is_file()}
    assert modes and all(mode & 0o044 == 0o044 for mode in modes.values()), modes


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_a_number_of_processes_that_is_not_one_or_more_is_refused(tmp_path, jobs):
    done = cli("generate", "--sources", str(SEED.parent), "--docs", str(tmp_path / "docs"), "--jobs", jobs)
    assert done.returncode == 2 and f"not a number of processes: '{jobs}'" in done.stderr.decode()
    assert not (tmp_path / "docs").exists()
