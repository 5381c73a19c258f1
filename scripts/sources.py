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
# And its emitter, for the pages' front matter (scripts/render.py: a fifth of a discussion's build with PyYAML's
# pure-Python one). The two write the same bytes but for characters beyond the BMP and line separators, which
# libyaml escapes, and values longer than the line width; what is written is read back and compared either way.
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


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


def size_text(size: int) -> str:
    """A size limit in words.

    >>> size_text(1024 * 1024), size_text(256 * 1024), size_text(1000)
    ('1 MiB', '256 KiB', '1,000 bytes')
    """
    for unit, name in ((1 << 20, "MiB"), (1 << 10, "KiB")):
        if size % unit == 0:
            return f"{size // unit:,} {name}"
    return f"{size:,} bytes"


def read_text(path: str | Path, max_bytes: int | None = None) -> str:
    """Read and decode one file, turning OS errors into a one-line error.

    With ``max_bytes``, a longer file is refused after reading one byte more than that, so a huge
    file (or a device that never ends) costs nothing.
    """
    try:
        if max_bytes is None:
            data = Path(path).read_bytes()
        else:
            with open(path, "rb") as file:
                data = file.read(max_bytes + 1)
    except OSError as err:
        raise PipelineError(path, f"cannot read file ({err.strerror})") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise PipelineError(path, f"file too large (over {size_text(max_bytes)}, the limit for this file)")
    return decode(data, path)


def meta_path(path: Path) -> Path:
    """Where a source's metadata file is (``NAME.meta.yml`` beside ``NAME.txt``), whether or not it exists."""
    return path.with_name(path.name.removesuffix(SOURCE_SUFFIX) + META_SUFFIX)


def read_meta(path: Path) -> dict:
    """Load ``NAME.meta.yml`` beside a source, or ``{}`` if there is none.

    The file is checked by ``datafiles.load`` against ``scripts/schemas/meta.schema.json``: only
    known facts, each a mapping of ``value`` and ``source``.
    """
    from scripts import datafiles  # imported here: datafiles reads files through this module

    where = meta_path(path)
    if not where.exists():
        return {}
    return datafiles.load(where, datafiles.META).data


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
