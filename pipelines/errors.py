"""The project's errors, and which of them are worth retrying.

    StanwireError (pipelines)            a command cannot proceed; one line, non-zero exit
    ├── ConfigError                      bad settings or sources file
    └── RunError                         a run cannot proceed (warehouse busy, a stage crashed)
    SpidersError (spiders.errors)
    ├── FetchError          transient    timeout, connection failure, 429, 5xx (retryable=False: 404, refused
    │                                    redirect, oversize)
    ├── FeedError                        not an RSS/Atom feed (parse error)
    ├── ExtractionError, InvalidURLError, LandingError, CrawlJobError
    └── CrawlError          transient only when the crawl process was killed by a signal
    WarehouseError (warehouse.errors)    none transient: WarehouseBusyError, MigrationError, LoadError, QueryError
    NlpError (nlp.errors)                none transient

Each package keeps its own tree because the packages must not import each other (spiders, warehouse and nlp
never import pipelines); the classification is the `transient` class attribute each tree's base declares
(False) and `FetchError` overrides (True, or per instance). `is_transient` reads it for any exception: anything
else, a programming error included, is terminal. `pipelines` catches these at the boundary of a source or an
article, records them and goes on; only transient ones are retried (a feed within the poll stage, a Prefect task
through `retry_if_transient`).
"""

from __future__ import annotations

from typing import Any


class StanwireError(Exception):
    """Base of the errors a stanwire command reports in one line and exits non-zero for."""

    transient: bool = False


class ConfigError(StanwireError):
    """A settings or sources file is invalid; the message names the file, line and key."""


class RunError(StanwireError):
    """A run could not proceed (missing corpus, warehouse busy, a stage crashed)."""


def is_transient(exc: BaseException) -> bool:
    """True when `exc` says the same call may succeed if made again later (see the tree above)."""
    return getattr(exc, "transient", False) is True


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's `retry_condition_fn`: retry a failed task only when it failed with a transient error."""
    error = getattr(state, "data", None)
    if not isinstance(error, BaseException):
        try:
            error = state.result(raise_on_failure=False)
        except Exception:  # a result that cannot be read is no reason to retry
            return False
    return isinstance(error, BaseException) and is_transient(error)
