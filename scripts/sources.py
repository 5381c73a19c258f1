"""Reading sources: the one place where bytes become text.

A source is a text file in ``source_texts/``; an optional metadata file beside it
(``NAME.meta.yml``) adds facts the text does not carry, each with where it comes from.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import yaml

from scripts.errors import PipelineError

SOURCE_SUFFIX = ".txt"
META_SUFFIX = ".meta.yml"
# PyYAML's C loader (libyaml, in PyYAML's wheels) when present: the same data several times faster; with the
# pure-Python loader, reading glossary.yml was a sixth of a re-run at 1,000 sources (BENCHMARKS.md, "Profile").
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Source:
    """A source file's decoded text and its optional metadata."""

    path: Path
    text: str
    meta: dict


def decode(data: bytes, path: str | Path) -> str:
    """Decode a source's bytes as UTF-8 (or UTF-16 with a byte-order mark).

    A UTF-8 byte-order mark is dropped. Anything that is not text is an error
    naming the file, never a guess:

    >>> decode("café".encode(), "a.txt")
    'café'
    >>> decode(codecs.BOM_UTF8 + b"x", "a.txt")
    'x'
    >>> decode(b"", "a.txt")
    Traceback (most recent call last):
    scripts.errors.PipelineError: error: a.txt: empty file, expected text
    """
    if not data.strip():
        raise PipelineError(path, "empty file, expected text")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise PipelineError(path, f"not valid UTF-16 despite its byte-order mark ({err.reason})") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise PipelineError(path, "binary file (contains NUL bytes), expected text", line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise PipelineError(
            path, f"not UTF-8 text (byte 0x{data[err.start]:02X} cannot be decoded)", line=line
        ) from None
    return text


def read_text(path: str | Path) -> str:
    """Read and decode one file, turning OS errors into a one-line error."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise PipelineError(path, f"cannot read file ({err.strerror})") from None
    return decode(data, path)


def meta_path(path: Path) -> Path:
    """Where a source's metadata file is (``NAME.meta.yml`` beside ``NAME.txt``), whether or not it exists."""
    return path.with_name(path.name.removesuffix(SOURCE_SUFFIX) + META_SUFFIX)


def read_meta(path: Path) -> dict:
    """Load ``NAME.meta.yml`` beside a source, or ``{}`` if there is none."""
    where = meta_path(path)
    if not where.exists():
        return {}
    try:
        meta = yaml.load(read_text(where), Loader=YAML_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise PipelineError(where, "not valid YAML", line=mark.line + 1 if mark else None) from None
    if not isinstance(meta, dict):
        raise PipelineError(where, "expected a mapping of facts at the top level")
    for key, fact in meta.items():
        if not isinstance(fact, dict) or "value" not in fact or not fact.get("source"):
            raise PipelineError(where, f"fact {key!r} needs a 'value' and a 'source' saying where it comes from")
    return meta


def read_source(path: str | Path) -> Source:
    path = Path(path)
    return Source(path=path, text=read_text(path), meta=read_meta(path))


def find_sources(folder: str | Path) -> list[Path]:
    """Every source file in a folder, in a stable (sorted) order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PipelineError(folder, "no such folder of sources")
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == SOURCE_SUFFIX)
    if not paths:
        raise PipelineError(folder, f"no source files (*{SOURCE_SUFFIX}) in this folder")
    return paths
