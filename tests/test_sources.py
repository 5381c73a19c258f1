"""Reading sources: the seed is byte for byte as received; bad bytes get a one-line error."""

import codecs
import hashlib

import pytest

from scripts.errors import PipelineError
from scripts.sources import decode, find_sources, read_source

from conftest import ROOT, SEED

SEED_SHA256 = "3a02608604e5c0ce8b9ca64815418d02a07695bca857e82248830f570bf94c24"


def test_seed_is_byte_for_byte_as_received():
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256


def test_every_source_has_only_known_companions():
    for path in (ROOT / "source_texts").iterdir():
        assert path.name.endswith((".txt", ".meta.yml")), path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "error: f.txt: empty file, expected text"),
        (b"  \n\n", "error: f.txt: empty file, expected text"),
        (b"\x7fELF\x02\x01\x01\x00\x00", "error: f.txt:1: binary file (contains NUL bytes), expected text"),
        (b"ok\nbad \xff byte", "error: f.txt:2: not UTF-8 text (byte 0xFF cannot be decoded)"),
    ],
)
def test_not_text_is_a_one_line_error(data, message):
    with pytest.raises(PipelineError) as err:
        decode(data, "f.txt")
    assert err.value.format() == message


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (codecs.BOM_UTF8 + "Titel – ü".encode(), "Titel – ü"),
        ("Titel – ü\r\n".encode("utf-16"), "Titel – ü\r\n"),
        ("ภาษาไทย".encode(), "ภาษาไทย"),
    ],
)
def test_text_encodings_decode_in_one_place(data, text):
    assert decode(data, "f.txt") == text


def test_metadata_facts_need_a_source(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a.meta.yml").write_text("url:\n  value: https://example.org/\n", encoding="utf-8")
    with pytest.raises(PipelineError) as err:
        read_source(tmp_path / "a.txt")
    assert err.value.format() == f"error: {tmp_path / 'a.meta.yml'}:1: fact 'url': missing source"


def test_a_source_without_metadata_has_no_facts(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    assert read_source(tmp_path / "a.txt").meta == {}


def test_seed_metadata_names_the_original_page():
    meta = read_source(SEED).meta
    assert meta["url"]["value"] == "https://issues.org/balancing-research-security-openness-shih-wagner-forum/"
    assert meta["url"]["source"]


def test_sources_are_found_in_a_stable_order(tmp_path):
    for name in ("b.txt", "a.txt", "a.meta.yml", "notes.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in find_sources(tmp_path)] == ["a.txt", "b.txt"]
