"""The clock an edge makes from the `now` setting, and the stages that take their time from it."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from pipelines.clock import make_clock, parse_instant_setting, system_clock
from pipelines.demo import DEMO_DIR, DEMO_NOW
from pipelines.errors import ConfigError
from pipelines.settings import load_settings


def test_without_the_setting_the_clock_is_the_systems() -> None:
    assert make_clock("") is system_clock
    assert make_clock("   ") is system_clock


def test_the_setting_starts_the_clock_and_it_runs_on() -> None:
    clock = make_clock("2026-11-30T06:00:00+06:00")
    first = clock()
    assert datetime(2026, 11, 30, 0, 0, tzinfo=UTC) <= first < datetime(2026, 11, 30, 0, 1, tzinfo=UTC)
    time.sleep(0.05)
    assert clock() - first >= timedelta(seconds=0.05)  # durations measured with it stay real


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-01T10:00:00Z", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        ("2026-12-01 16:00+06:00", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),  # a day alone: its midnight in UTC
    ],
)
def test_instants_are_read_with_their_offset(value: str, expected: datetime) -> None:
    assert parse_instant_setting(value) == expected


def test_a_malformed_now_is_a_settings_error() -> None:
    with pytest.raises(ConfigError, match=r"setting 'now': expected an ISO 8601 date or date-time"):
        load_settings(environ={"STANWIRE_NOW": "last tuesday"})
    assert load_settings(environ={"STANWIRE_NOW": "2030-12-31"}).now == "2030-12-31"


def test_the_demo_clock_stands_after_every_article_of_the_corpus(tmp_path: Path) -> None:
    demo_now = parse_instant_setting(DEMO_NOW)
    published = [
        datetime.fromisoformat(article["published"])
        for path in (DEMO_DIR / "corpus").glob("*.yaml")
        if path.name != "outlets.yaml"
        for article in yaml.safe_load(path.read_text(encoding="utf-8")).get("articles", [])
    ]
    assert len(published) >= 60
    assert max(published) < demo_now
    # The Monday after the corpus's last ISO week: its last complete week is the newest week with articles.
    assert demo_now.astimezone(UTC).date() == date(2026, 11, 30)
    assert max(published).isocalendar()[1] == (demo_now - timedelta(days=7)).isocalendar()[1]
