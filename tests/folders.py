"""What a folder holds, for comparing it before and after a run (docs/, a sources folder, a scratch tree)."""

from __future__ import annotations

import os
from pathlib import Path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by its path there: its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def written(files: dict[str, str | bytes]) -> dict[str, bytes]:
    """Generated files (``site_files``) as ``generate`` writes them: text in UTF-8, bytes as they are."""
    return {rel: made if isinstance(made, bytes) else made.encode("utf-8") for rel, made in files.items()}


def tree(folder: Path, skip: str | None = None) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``, but the top-level ``skip``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*")) if not (skip and p.relative_to(folder).parts[0] == skip)}


def mtimes(folder: Path, skip: str | None = None) -> dict[str, int]:
    """Every file under ``folder``: its modification time (ns). Top-level entries whose name begins with ``skip`` are
    not looked in: a folder another process replaces meanwhile (make serve's search index) would vanish mid-walk."""
    paths = [p for top in folder.iterdir() if not (skip and top.name.startswith(skip)) for p in [top, *top.rglob("*")]]
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(paths) if p.is_file()}


def fingerprint(folder: Path) -> dict[str, tuple]:
    """Every entry's kind, bytes, modification time and mode: files (their bytes) and folders (None)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None, p.lstat().st_mtime_ns,
                                               p.lstat().st_mode) for p in sorted(folder.rglob("*"))}


def put(path: Path, data: bytes, scratch: Path) -> None:
    """Replace ``path`` in one step: written in ``scratch`` (beside the watched folders, on their file system), then
    renamed, so that a running ``watch`` or ``serve`` never sees half of it."""
    staged = scratch / f".{path.name}.new"
    staged.write_bytes(data)
    os.replace(staged, path)
