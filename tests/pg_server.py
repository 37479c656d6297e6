"""A real, throwaway PostgreSQL server for tests (the DuckLake catalog of issue 12).

    server = PgServer.start()
    server.libpq  # "host=127.0.0.1 port=… user=postgres dbname=postgres"
    server.create_database("lake_1")  # the same for a new database
    server.stop()

Uses PostgreSQL's own binaries (`initdb`, `pg_ctl`; see `_bin_dir`). PostgreSQL refuses to run as root, so under uid 0 the
server runs as the system user `pgtest` (created once with `useradd -m pgtest`) through `runuser -u pgtest --`.
The cluster lives in a temporary directory owned by that user, listens only on 127.0.0.1 on a free port, trusts
every local connection, and `stop()` stops it (`pg_ctl stop -m immediate`) and removes the directory.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _bin_dir() -> Path:
    """Where initdb and pg_ctl are: $STANWIRE_PG_BIN, /usr/local/bin, Debian's newest
    /usr/lib/postgresql/<version>/bin (the package does not put them on PATH), or PATH."""
    if os.environ.get("STANWIRE_PG_BIN"):
        return Path(os.environ["STANWIRE_PG_BIN"])
    candidates = [Path("/usr/local/bin")]
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    for candidate in candidates:
        if os.access(candidate / "initdb", os.X_OK):
            return candidate
    return Path("/usr/local/bin")


BIN = _bin_dir()
SYSTEM_USER = "pgtest"
SUPERUSER = "postgres"


class PgServerError(RuntimeError):
    """The test server could not be set up; the message says what is missing."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_user_prefix() -> tuple[list[str], int | None, int | None]:
    """The command prefix that runs a PostgreSQL binary as a non-root user, and that user's uid/gid."""
    if os.getuid() != 0:
        return [], None, None
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-m", SYSTEM_USER], check=True, capture_output=True)
        entry = pwd.getpwnam(SYSTEM_USER)
    return ["runuser", "-u", SYSTEM_USER, "--"], entry.pw_uid, entry.pw_gid


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise PgServerError(
            f"{what} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
        )


@dataclass
class PgServer:
    root: Path
    port: int
    prefix: list[str]

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def libpq(self) -> str:
        """The libpq connection string of the server's `postgres` database."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"

    @classmethod
    def start(cls) -> PgServer:
        initdb, pg_ctl = BIN / "initdb", BIN / "pg_ctl"
        for binary in (initdb, pg_ctl):
            if not os.access(binary, os.X_OK):
                raise PgServerError(
                    f"no PostgreSQL binary {binary}: install PostgreSQL (e.g. apt-get install postgresql) "
                    "(make test does so), or set STANWIRE_PG_BIN to the folder holding initdb and pg_ctl"
                )
        prefix, uid, gid = _as_user_prefix()
        root = Path(tempfile.mkdtemp(prefix="stanwire-pg-"))
        if uid is not None and gid is not None:
            os.chown(root, uid, gid)
        server = cls(root=root, port=_free_port(), prefix=prefix)
        try:
            _run(
                [
                    *prefix,
                    str(initdb),
                    "-D",
                    str(server.data_dir),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-sync",
                ],
                "initdb",
            )
            options = f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={root}"
            _run(
                [
                    *prefix,
                    str(pg_ctl),
                    "-D",
                    str(server.data_dir),
                    "-l",
                    str(root / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                "pg_ctl start",
            )
            server._wait_ready()
        except BaseException:
            server.stop()
            raise
        return server

    def create_database(self, name: str) -> str:
        """Create database `name` (with the `createdb` beside `initdb`); return its libpq connection string."""
        createdb = (BIN / "initdb").resolve().parent / "createdb"
        _run(
            [*self.prefix, str(createdb), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name],
            f"createdb {name}",
        )
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={name}"

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise PgServerError(
            f"PostgreSQL did not listen on 127.0.0.1:{self.port}; see {self.root / 'server.log'}"
        )

    def stop(self) -> None:
        """Stop the server at once and remove its directory (also after a failed start)."""
        if (self.data_dir / "postmaster.pid").exists():
            subprocess.run(
                [
                    *self.prefix,
                    str(BIN / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "stop",
                    "-m",
                    "immediate",
                    "-w",
                ],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.root, ignore_errors=True)
