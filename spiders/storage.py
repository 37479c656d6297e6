"""Landing files on S3-compatible object storage (AWS S3, MinIO, Ceph, moto), through fsspec's s3fs.

A local or mounted shared folder needs none of this: `spiders.landing` writes it with temporary files and
renames. On object storage an object is written by one PUT, which a reader sees whole or not at all, so the same
guarantee needs no temporary name: a `.json` a loader lists is always complete, and since the page's `.html.gz`
is PUT before the `.json` that names it, every JSON it finds points at a page that exists.

Credentials and the server come from the environment, as for the DuckLake data (`warehouse.ducklake`):
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (default us-east-1), and AWS_ENDPOINT_URL for a server other
than AWS's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spiders.errors import LandingError

__all__ = ["SCHEME", "Listed", "ObjectLanding", "is_object_storage"]

SCHEME = "s3://"
# Objects are read this many at a time, concurrently (s3fs runs the requests of one call side by side).
READ_BATCH = 64


def is_object_storage(location: object) -> bool:
    """True for an `s3://bucket/prefix/` landing location, False for a folder."""
    return isinstance(location, str) and location.startswith(SCHEME)


@dataclass(frozen=True)
class Listed:
    """One landing object: its path relative to the landing root and when the server last wrote it."""

    relative: str
    modified_ns: int


class ObjectLanding:
    """The landing root `s3://bucket/prefix/`: write, read and list objects by their relative paths."""

    def __init__(self, url: str, fs: Any = None):
        if not is_object_storage(url):
            raise LandingError(f"{url!r} is not an s3://bucket/prefix/ location")
        root = url[len(SCHEME) :].strip("/")
        if not root or root.startswith("/"):
            raise LandingError(f"{url!r} names no bucket: expected s3://bucket/prefix/")
        self.url = f"{SCHEME}{root}/"
        self.root = root
        self._fs = fs

    @property
    def fs(self) -> Any:
        if self._fs is None:
            self._fs = _file_system()
        return self._fs

    def __str__(self) -> str:
        return self.url

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative.lstrip('/')}"

    def write(self, relative: str, data: bytes) -> str:
        """PUT `data` at `relative` (replacing what was there); return its s3:// URL."""
        try:
            self.fs.pipe_file(self.path(relative), data)
        except (OSError, ValueError) as exc:
            raise LandingError(f"cannot write {self.url}{relative}: {_message(exc)}") from exc
        return f"{self.url}{relative}"

    def read(self, relative: str) -> bytes:
        try:
            return bytes(self.fs.cat_file(self.path(relative)))
        except (OSError, ValueError) as exc:
            raise LandingError(f"cannot read {self.url}{relative}: {_message(exc)}") from exc

    def read_many(self, relatives: Iterable[str]) -> Iterable[tuple[str, bytes | str]]:
        """(relative path, its bytes or why it could not be read), in the given order, READ_BATCH at a time."""
        pending = list(relatives)
        for start in range(0, len(pending), READ_BATCH):
            chunk = pending[start : start + READ_BATCH]
            paths = [self.path(r) for r in chunk]
            try:
                found = self.fs.cat(paths, on_error="return")
            except (OSError, ValueError) as exc:
                found = {p: exc for p in paths}
            for relative, path in zip(chunk, paths, strict=True):
                value = found.get(path, FileNotFoundError(path)) if isinstance(found, dict) else found
                if isinstance(value, BaseException):
                    yield relative, _message(value)
                else:
                    yield relative, bytes(value)

    def listing(self, top: str) -> list[Listed]:
        """Every object under `top` (e.g. `articles`), with the time the server last wrote it."""
        self.fs.invalidate_cache()  # s3fs caches listings: another machine may have written since the last one
        try:
            found = self.fs.find(self.path(top), detail=True)
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise LandingError(f"cannot list {self.url}{top}/: {_message(exc)}") from exc
        prefix = f"{self.root}/"
        rows = []
        for path, info in found.items():
            if info.get("type") == "directory" or not path.startswith(prefix):
                continue
            rows.append(Listed(path[len(prefix) :], _modified_ns(info)))
        return sorted(rows, key=lambda row: row.relative)

    def server_now_ns(self) -> int:
        """The storage's own clock: the time it stamps on an object written now (0 when it cannot be told)."""
        marker = ".stanwire-load"
        try:
            self.fs.pipe_file(self.path(marker), b"")
            self.fs.invalidate_cache()
            return _modified_ns(self.fs.info(self.path(marker)))
        except (OSError, ValueError):
            return 0


def _modified_ns(info: dict[str, Any]) -> int:
    moment = info.get("LastModified") or info.get("mtime")
    if moment is None:
        return 0
    if hasattr(moment, "timestamp"):
        return int(moment.timestamp() * 1_000_000_000)
    return int(float(moment) * 1_000_000_000)


def _message(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _file_system() -> Any:
    try:
        import s3fs
    except ImportError as exc:  # pragma: no cover - s3fs is a dependency
        raise LandingError("landing on S3 needs the s3fs package: pip install stanwire") from exc
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        raise LandingError(
            "landing_path is on S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_ENDPOINT_URL for a "
            "server other than AWS's) in the environment"
        )
    client: dict[str, Any] = {"region_name": os.environ.get("AWS_REGION") or "us-east-1"}
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    if endpoint:
        client["endpoint_url"] = endpoint if "://" in endpoint else f"https://{endpoint}"
    # skip_instance_cache: each landing gets its own client (tests point one process at several servers)
    return s3fs.S3FileSystem(key=key, secret=secret, client_kwargs=client, skip_instance_cache=True)
