"""One classification of errors: transient ones are retried, everything else (a bug included) is not."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import SimpleNamespace

import pytest

import nlp.errors
import pipelines.errors
import spiders.errors
import warehouse.errors
from pipelines.errors import is_transient, retry_if_transient
from spiders.errors import CrawlError, FeedError, FetchError
from warehouse.errors import WarehouseBusyError

TRANSIENT = {"FetchError"}  # by class; CrawlError only per instance (killed by a signal)


@pytest.mark.parametrize("module", [pipelines.errors, spiders.errors, warehouse.errors, nlp.errors])
def test_every_error_class_is_classified(module: object) -> None:
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass) if issubclass(c, Exception)]
    assert classes
    for cls in classes:
        if cls.__module__ != module.__name__:  # type: ignore[attr-defined]
            continue
        expected = cls.__name__ in TRANSIENT
        assert getattr(cls, "transient", False) is expected, cls.__name__


def test_what_is_transient() -> None:
    assert is_transient(FetchError("read timeout after 20s", url="https://feeds.example/rss"))
    assert not is_transient(FetchError("HTTP 404 Not Found", url="https://x.example/", retryable=False))
    assert is_transient(CrawlError("crawl process was killed by signal 9", transient=True))
    assert not is_transient(CrawlError("crawl process exited with code 1: Traceback"))
    assert not is_transient(FeedError("not a well-formed feed"))
    assert not is_transient(WarehouseBusyError(Path("w.duckdb"), "PID 7"))
    assert not is_transient(ValueError("a bug"))
    assert not is_transient(TimeoutError("task run exceeded its timeout"))


def test_prefect_tasks_retry_only_transient_failures() -> None:
    def failed(exc: BaseException) -> SimpleNamespace:
        return SimpleNamespace(data=exc)

    assert retry_if_transient(None, None, failed(FetchError("HTTP 503", url="https://x.example/")))
    assert not retry_if_transient(None, None, failed(KeyError("feeds")))
    assert not retry_if_transient(None, None, failed(WarehouseBusyError(Path("w"))))
    # A state whose data is a result reference: its result is asked for, without raising.
    stored = SimpleNamespace(data=None, result=lambda raise_on_failure: FetchError("timeout", url="u"))
    assert retry_if_transient(None, None, stored)
