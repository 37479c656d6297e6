"""pytest fixtures for the DuckLake tests (tests/conftest.py registers them): one real PostgreSQL server a session
(tests/pg_server.py), a new empty catalog database with its own data path for each test, and one local
S3-compatible server a session (moto's server mode on 127.0.0.1) with a bucket `stanwire`."""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def s3_server() -> Iterator[dict[str, str]]:
    """The environment that points at a local S3 server holding an empty bucket `stanwire`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        "AWS_ACCESS_KEY_ID": "stanwire-test",
        "AWS_SECRET_ACCESS_KEY": "stanwire-test-secret",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("moto's S3 server did not start on 127.0.0.1")
                time.sleep(0.1)
        s3_client(env).create_bucket(Bucket="stanwire")
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)


def s3_client(env: dict[str, str]) -> Any:
    """A boto3 S3 client for the server `env` (the s3_server fixture's value) points at."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_REGION"],
    )
