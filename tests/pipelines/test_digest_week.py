from datetime import date

import pytest

from pipelines.digest import resolve_week
from pipelines.errors import ConfigError


def test_explicit_week() -> None:
    assert resolve_week("2026-W47", today=date(2026, 11, 25), latest=None) == ("2026-W47", date(2026, 11, 16))
    # ISO week 1 of 2027 starts in 2027 (4 Jan); week 53 of 2026 exists and starts 28 Dec 2026.
    assert resolve_week("2026-W53", today=date(2026, 11, 25), latest=None) == ("2026-W53", date(2026, 12, 28))


def test_default_is_the_last_complete_week() -> None:
    # Wednesday 25 Nov 2026 is in W48, so the last complete week is W47.
    assert resolve_week(None, today=date(2026, 11, 25), latest=None) == ("2026-W47", date(2026, 11, 16))
    # On a Monday the week that ended yesterday is complete.
    assert resolve_week(None, today=date(2026, 11, 23), latest=None)[0] == "2026-W47"
    # Across a year boundary: 1 Jan 2027 (Friday) is in 2026-W53, so the last complete week is 2026-W52.
    assert resolve_week(None, today=date(2027, 1, 1), latest=None)[0] == "2026-W52"


def test_latest_week_with_articles() -> None:
    assert resolve_week("latest", today=date(2026, 12, 30), latest=date(2026, 11, 24)) == (
        "2026-W48",
        date(2026, 11, 23),
    )


@pytest.mark.parametrize("bad", ["2026-47", "W47", "2026-W54", "2026-W00", "last"])
def test_bad_weeks(bad: str) -> None:
    with pytest.raises(ConfigError, match="--week"):
        resolve_week(bad, today=date(2026, 11, 25), latest=None)
