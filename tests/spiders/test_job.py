"""The crawl job file is checked before any crawling: a bad job is one clear line, exit code 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from spiders.errors import CrawlJobError
from spiders.job import parse_job
from spiders.run import main, scrapy_settings


def job(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "landing_dir": "/tmp/landing",
        "requests": [{"url": "https://24.kg/obschestvo/312345_kyrgyztelecom/", "source": "24kg"}],
        "sources": [
            {
                "name": "24kg",
                "allowed_domains": ["24.kg"],
                "sections": ["https://24.kg/obschestvo/"],
                "max_pages": 2,
            }
        ],
        "settings": {
            "user_agent": "stanwire/0.1 (+ops@example.org)",
            "obey_robots": True,
            "concurrency_per_domain": 1,
            "download_delay": 2.5,
            "autothrottle": False,
            "timeout": 15,
            "max_pages": 4,
        },
    }
    base.update(overrides)
    return base


def test_parse_job() -> None:
    parsed = parse_job(job())
    assert parsed.landing_dir == Path("/tmp/landing")
    assert parsed.requests[0].source == "24kg"
    assert parsed.requests[0].discovered_via == "feed"
    assert parsed.sources[0].max_pages == 2
    assert parsed.sources[0].allowed_domains == ("24.kg",)


def test_clock_start_is_optional_and_aware() -> None:
    assert parse_job(job()).clock_start is None  # the crawl process's own clock
    start = parse_job(job(clock_start="2026-12-15T14:00:00+05:00")).clock_start
    assert start == datetime(2026, 12, 15, 9, 0, tzinfo=UTC)


def test_source_defaults() -> None:
    parsed = parse_job(job(sources=[{"name": "24kg", "sections": ["https://24.kg/obschestvo/"]}]))
    assert parsed.sources[0].max_pages == 4  # settings.max_pages
    assert parsed.sources[0].allowed_domains == ("24.kg",)  # the hosts of its own URLs


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"landing_dir": ""}, "'landing_dir' must be a non-empty string"),
        ({"requests": {"url": "x"}}, "'requests' must be a list"),
        (
            {"requests": [{"url": "/relative", "source": "24kg"}]},
            r"requests\[0\] must be an object with an absolute",
        ),
        (
            {"requests": [{"url": "https://24.kg/a/", "source": "akipress"}]},
            "'akipress' is not one of the job's sources",
        ),
        (
            {"requests": [{"url": "https://24.kg/a/", "source": "24kg", "discovered_via": "rss"}]},
            "discovered_via must be one of",
        ),
        (
            {"sources": [{"name": "24kg", "sections": ["24.kg/obschestvo/"]}]},
            r"sources\[0\].sections must be a list",
        ),
        (
            {"sources": [{"name": "24kg", "max_pages": 0}]},
            r"sources\[0\].max_pages must be a positive integer",
        ),
        ({"sources": [{"name": "a"}, {"name": "a"}], "requests": []}, "two sources have the same 'name'"),
        ({"settings": {"max_pages": "3"}}, "settings.max_pages must be a positive integer"),
        (
            {"clock_start": "2026-12-15T09:00:00"},
            "'clock_start' must be an ISO 8601 date-time with an offset",
        ),
        ({"clock_start": "next tuesday"}, "'clock_start' must be an ISO 8601 date-time with an offset"),
        ({"clock_start": 1765789200}, "'clock_start' must be an ISO 8601 date-time with an offset"),
    ],
)
def test_bad_jobs_are_rejected_with_a_specific_message(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(CrawlJobError, match=message):
        parse_job(job(**overrides))


def test_job_settings_become_scrapy_settings() -> None:
    settings = scrapy_settings(parse_job(job()))
    assert settings.get("USER_AGENT") == "stanwire/0.1 (+ops@example.org)"
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") == 2.5
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert settings.getfloat("DOWNLOAD_TIMEOUT") == 15
    assert settings.get("STANWIRE_LANDING_DIR") == "/tmp/landing"


def test_polite_defaults_without_job_settings() -> None:
    settings = scrapy_settings(parse_job(job(settings={})))
    assert settings.get("USER_AGENT").startswith("stanwire/0.1 (+")
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert settings.getfloat("DOWNLOAD_DELAY") > 0
    assert settings.getint("DOWNLOAD_TIMEOUT") == 30
    assert settings.getint("DOWNLOAD_MAXSIZE") == 10 * 1024 * 1024
    assert settings.getint("RETRY_TIMES") == 2
    assert {429, 500, 502, 503, 504} <= set(settings.getlist("RETRY_HTTP_CODES"))
    assert settings.getint("REDIRECT_MAX_TIMES") == 5
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("HTTPCACHE_ENABLED") is False
    assert settings.get("LOG_LEVEL") == "INFO"


def test_wrong_setting_type_is_a_bad_job() -> None:
    with pytest.raises(CrawlJobError, match=r"settings\.obey_robots must be bool"):
        scrapy_settings(parse_job(job(settings={"obey_robots": "yes"})))
    with pytest.raises(CrawlJobError, match=r"settings\.download_delay must be int or float"):
        scrapy_settings(parse_job(job(settings={"download_delay": True})))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "is not valid JSON"),
        ('["a list"]', "the job must be a JSON object"),
    ],
)
def test_main_exits_2_on_a_bad_job_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "job.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: crawl job file ")
    assert message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "report.json").exists()


def test_main_needs_exactly_one_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: python -m spiders.run JOB_JSON" in capsys.readouterr().err


def test_job_file_round_trip(tmp_path: Path) -> None:
    from spiders.job import load_job

    path = tmp_path / "job.json"
    path.write_text(json.dumps(job()), encoding="utf-8")
    assert load_job(path) == parse_job(job())
