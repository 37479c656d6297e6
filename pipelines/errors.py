"""Errors of the orchestration layer.

Each package keeps its own error tree (`spiders.errors`, `warehouse.errors`, `nlp.errors`) because the packages
must not import each other; `pipelines` catches them at the boundary of a source or an article, records them and
goes on. The errors here are the ones that stop a command: bad configuration, or a run that cannot proceed.
"""

from __future__ import annotations


class StanwireError(Exception):
    """Base of the errors a stanwire command reports in one line and exits non-zero for."""


class ConfigError(StanwireError):
    """A settings or sources file is invalid; the message names the file, line and key."""


class RunError(StanwireError):
    """A run could not proceed (missing corpus, warehouse busy, a stage crashed)."""
