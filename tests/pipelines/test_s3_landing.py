"""Landing files on S3-compatible storage (setting `landing_path = "s3://bucket/prefix/"`, moto's server on
127.0.0.1): written by the crawl's own writer, loaded exactly once into the same rows as from a folder, a
rewritten object loaded again, a broken one recorded against its path, and re-extraction on it."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from pipelines import stages
from pipelines.errors import ConfigError
from pipelines.settings import Settings, load_settings
from spiders.landing import write_article, write_error
from spiders.storage import ObjectLanding
from tests.pipelines.test_lake_warehouse import TABLES, WIRE
from tests.warehouse.conftest import article_record, error_record

_numbers = itertools.count()


def local_settings(home: Path) -> Settings:
    return Settings(home=home, sources=home / "sources.yaml", nlp_processes=1)


@pytest.fixture
def s3_env(s3_server: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in s3_server.items():
        monkeypatch.setenv(name, value)
    return s3_server


@pytest.fixture
def s3_landing(s3_env: dict[str, str]) -> str:
    """A fresh, empty landing prefix in the test bucket."""
    return f"s3://stanwire/landing-{os.getpid()}-{next(_numbers)}/"


def land(root: Any) -> None:
    """Through the crawl's writer: two articles on two days, a syndicated copy, a crawl error."""
    pages = [
        (
            "https://steppe.example/news/huawei",
            "Uztelecom picks Huawei for 5G",
            WIRE,
            "2026-11-17T05:00:00+00:00",
        ),
        (
            "https://mirror.example/reprint/huawei",
            "Uztelecom picks Huawei for 5G",
            WIRE,
            "2026-11-17T06:00:00+00:00",
        ),
        (
            "https://steppe.example/news/vpn",
            "Regulator blocks VPN services",
            "The regulator blocked 40 VPN services on Tuesday, the ministry said in Bishkek. " * 4,
            "2026-11-18T07:00:00+00:00",
        ),
    ]
    for url, title, text, fetched_at in pages:
        record = article_record(url, title=title, text=text, fetched_at=fetched_at)
        html = f"<html><body><h1>{title}</h1><p>{text}</p></body></html>".encode()
        write_article(root, record, html)
    write_error(root, error_record("https://steppe.example/news/gone"))


def rows(settings: Settings) -> dict[str, list[Any]]:
    with stages.read_warehouse(settings) as conn:
        return {
            name: sorted(conn.execute(TABLES[name]).fetchall(), key=repr)
            for name in ("articles", "landing_files", "crawl_errors")
        }


class CountingLanding(ObjectLanding):
    """An ObjectLanding that counts the objects it reads."""

    reads = 0

    def read_many(self, relatives: Iterable[str]) -> Iterable[tuple[str, bytes | str]]:
        for relative, data in super().read_many(relatives):
            CountingLanding.reads += 1
            yield relative, data


def test_files_on_s3_load_into_the_same_rows_as_from_a_folder_and_exactly_once(
    tmp_path: Path, s3_landing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = local_settings(tmp_path / "local")
    land(here.landing_dir)
    remote = dataclasses.replace(local_settings(tmp_path / "remote"), landing_path=s3_landing)
    assert remote.landing == s3_landing
    land(ObjectLanding(s3_landing))
    first = stages.load(remote)
    assert (first.articles_new, first.articles_duplicate, first.errors_loaded) == (2, 1, 1)
    assert first.files_failed == []
    assert rows(remote) == rows_after_load(here)
    assert not (remote.home / "landing").exists()  # nothing of it on this machine

    # a second load reads nothing it has loaded: the folders' newest objects are recorded once two seconds old
    monkeypatch.setattr("spiders.landing.ObjectLanding", CountingLanding)
    monkeypatch.setattr(ObjectLanding, "server_now_ns", lambda self: 2**62)  # everything long settled
    stages.load(remote)  # records the folders
    CountingLanding.reads = 0
    again = stages.load(remote)
    assert (again.articles_new, again.articles_updated, again.errors_loaded) == (0, 0, 0)
    assert again.files_seen == again.files_skipped == 4
    assert CountingLanding.reads == 0
    assert rows(remote) == rows_after_load(here)


def rows_after_load(settings: Settings) -> dict[str, list[Any]]:
    if not settings.warehouse_path.exists():
        stages.load(settings)
    return rows(settings)


def test_a_rewritten_object_is_loaded_again_and_a_broken_one_is_recorded(
    tmp_path: Path, s3_landing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ObjectLanding, "server_now_ns", lambda self: 2**62)
    settings = dataclasses.replace(local_settings(tmp_path / "home"), landing_path=s3_landing)
    store = ObjectLanding(s3_landing)
    land(store)
    assert stages.load(settings).articles_new == 2
    # the same page extracted again (same name, new content), and a file that is not JSON, in the same folder
    [vpn] = [
        r.relative
        for r in store.listing("articles")
        if r.relative.startswith("articles/2026-11-18/") and r.relative.endswith(".json")
    ]
    record = json.loads(store.read(vpn))
    record["title"] = "Regulator blocks 40 VPN services"
    store.write(vpn, json.dumps(record).encode())
    store.write("articles/2026-11-18/broken.json", b"{not json")
    report = stages.load(settings)
    assert report.articles_updated == 1
    assert [(path, message.split(":")[0]) for path, message in report.files_failed] == [
        ("articles/2026-11-18/broken.json", "invalid JSON")
    ]
    with stages.read_warehouse(settings) as conn:
        titles = sorted(r[0] for r in conn.execute("SELECT title FROM articles").fetchall())
        status = conn.execute(
            "SELECT status FROM landing_files WHERE path = 'articles/2026-11-18/broken.json'"
        ).fetchall()
    assert titles == [
        "Regulator blocks 40 VPN services",
        "Uztelecom picks Huawei for 5G",
        "Uztelecom picks Huawei for 5G",
    ]
    assert status == [("failed",)]
    # the folder with the broken file is not recorded as loaded: fixed, it is read again
    store.write("articles/2026-11-18/broken.json", b"[]")
    assert stages.load(settings).files_failed[0][0] == "articles/2026-11-18/broken.json"


def test_reextract_rewrites_records_on_s3(tmp_path: Path, s3_landing: str) -> None:
    from spiders.reextract import reextract_landing

    store = ObjectLanding(s3_landing)
    land(store)
    report = reextract_landing(s3_landing)
    # the invented records' text is not what the extractor makes of their HTML: each is rewritten in place
    assert (report.records, len(report.failed)) == (3, 0)
    assert report.changed + report.unchanged == 3
    json_objects = [r.relative for r in store.listing("articles") if r.relative.endswith(".json")]
    assert len(json_objects) == 3  # rewritten under the same names


def test_a_landing_path_of_other_storage_or_without_a_bucket_is_refused(tmp_path: Path) -> None:
    for bad in ("gs://bucket/x/", "s3://", "https://example.org/landing/"):
        with pytest.raises(ConfigError, match="landing_path"):
            load_settings(config_file=None, home=str(tmp_path), landing_path=bad)
    folder = load_settings(config_file=None, home=str(tmp_path), landing_path=str(tmp_path / "shared"))
    assert folder.landing == tmp_path / "shared"
    assert folder.jobs_dir == tmp_path / "shared" / "jobs"
    remote = load_settings(config_file=None, home=str(tmp_path), landing_path="s3://b/p")
    assert (remote.landing, remote.jobs_dir) == ("s3://b/p/", tmp_path / "jobs")


def test_s3_landing_without_credentials_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = dataclasses.replace(local_settings(tmp_path / "home"), landing_path="s3://stanwire/x/")
    with pytest.raises(Exception, match="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"):
        stages.load(settings)


def test_the_server_clock_stamps_what_is_written_after_it_is_read(s3_landing: str) -> None:
    store = ObjectLanding(s3_landing)
    before = store.server_now_ns()
    store.write("articles/2026-11-17/a.json", b"{}")
    [listed] = store.listing("articles")
    assert listed.relative == "articles/2026-11-17/a.json"
    # S3 stamps whole seconds: the object is not older than the marker written before it
    assert before > 0
    assert listed.modified_ns >= before - 1_000_000_000
    assert store.listing("errors") == []
