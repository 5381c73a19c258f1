"""The pipeline's one error type and its one-line message format.

Every failure a user can cause (a bad source, a broken glossary entry) is raised as
``PipelineError`` and printed by the CLI as a single line; nothing else reaches the
user as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """A problem with the input, located in a file and, where known, a line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None):
        self.path = str(path)
        self.message = message
        self.line = line
        super().__init__(self.format())

    def format(self) -> str:
        """``error: FILE[:LINE]: MESSAGE`` — the only shape of a user-facing error.

        >>> PipelineError("a.txt", "empty file").format()
        'error: a.txt: empty file'
        >>> PipelineError("a.txt", "no letters found", line=7).format()
        'error: a.txt:7: no letters found'
        """
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"error: {where}: {self.message}"
