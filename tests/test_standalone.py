"""The repository stands alone: a clone with nothing beside it has everything its tests and build read."""

from __future__ import annotations

import ast
import subprocess
from pathlib import PurePosixPath

from conftest import ROOT

# The reference folder beside our own working trees, in no one's clone (spelt in parts, so that this file does not
# name it itself).
OUTSIDE = ("/".join(["..", "shared"]), "-".join(["peer", "tests"]))


def tracked_text_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and not name.startswith("docs/")]


def test_no_file_of_the_project_reaches_beside_the_repository():
    reaching = []
    for name in tracked_text_files():
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):  # binary, or deleted, not yet committed
            continue
        if any(name in text for name in OUTSIDE):
            reaching.append(name)
    assert reaching == []


def test_the_data_the_tests_read_is_in_the_repository_with_its_licence():
    ftfy = ROOT / "tests" / "data" / "ftfy"
    assert {p.name for p in ftfy.iterdir()} >= {"in-the-wild.json", "negative.json", "LICENSE.txt", "README.md"}
    assert "Apache License" in (ftfy / "LICENSE.txt").read_text(encoding="utf-8")
    tracked = set(tracked_text_files())
    assert {f"tests/data/ftfy/{name}" for name in ("in-the-wild.json", "negative.json", "LICENSE.txt")} <= tracked


def test_no_test_module_imports_another():
    """What test modules share lives in helper modules (tests/corpus.py, tests/folders.py, tests/pages.py, …) or in
    conftest.py's fixtures, never in a test module: one that imports another depends on that one's module-level setup
    and breaks when it is moved, renamed or run alone."""
    importing = []
    for name in tracked_text_files():
        path = PurePosixPath(name)
        if path.parts[0] != "tests" or path.suffix != ".py":
            continue
        try:
            tree = ast.parse((ROOT / name).read_text(encoding="utf-8"), filename=name)
        except FileNotFoundError:  # deleted, not yet committed
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""] + ([alias.name for alias in node.names] if not node.module else [])
            else:
                continue
            importing += [f"{name}:{node.lineno}: {module}" for module in modules
                          if module.rsplit(".", 1)[-1].startswith("test_")]
    assert importing == []
