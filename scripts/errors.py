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

    def __reduce__(self):  # raised in a worker process (scripts/generate.py), it is pickled back whole
        return (type(self), (self.path, self.message, self.line))

    def format(self) -> str:
        """``error: FILE[:LINE]: MESSAGE`` — the only shape of a user-facing error.

        >>> PipelineError("a.txt", "empty file").format()
        'error: a.txt: empty file'
        >>> PipelineError("a.txt", "no letters found", line=7).format()
        'error: a.txt:7: no letters found'
        """
        return f"error: {_where(self.path, self.line)}: {self.message}"


def warning(path: str | Path, message: str, line: int | None = None) -> str:
    """``warning: FILE[:LINE]: MESSAGE`` — a problem that does not stop the build, in the errors' shape.

    >>> warning("glossary.yml", "entry 'x' occurs in no source", line=3)
    "warning: glossary.yml:3: entry 'x' occurs in no source"
    """
    return f"warning: {_where(path, line)}: {message}"


def _where(path: str | Path, line: int | None) -> str:
    return str(path) if line is None else f"{path}:{line}"
