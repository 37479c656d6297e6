"""pytest fixtures for the DuckLake tests: one real PostgreSQL server a session (tests/pg_server.py), and a new
empty catalog database with its own data path for each test. Import both names into a test module to use them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_server import PgServer, PgServerError

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        server = PgServer.start()
    except PgServerError as exc:
        pytest.fail(f"the DuckLake tests need a PostgreSQL server for the catalog: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lake(pg_server: PgServer, tmp_path: Path) -> tuple[str, str]:
    """(libpq string of a new, empty catalog database, data path) for one test."""
    catalog = pg_server.create_database(f"lake_{next(_numbers)}_{id(tmp_path) % 100000}")
    return catalog, str(tmp_path / "lake-data") + "/"
