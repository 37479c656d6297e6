"""Errors of the NLP package.

`pipelines` catches `NlpError` at the boundary of an article and records it; every message says what to fix.
"""

from __future__ import annotations

from pathlib import Path


class NlpError(Exception):
    """Base of every error the nlp package raises."""


class GazetteerError(NlpError):
    """A gazetteer data file is invalid; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.detail = message
        where = f"{self.path.name}:{line}" if line is not None else self.path.name
        super().__init__(f"{where}: {message}")


class ModelNotFoundError(NlpError):
    """The configured spaCy model is not installed."""


class InvalidDocumentError(NlpError):
    """A `DocumentInput` has fields of the wrong type; the message names the document id and field."""
