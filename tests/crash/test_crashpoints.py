"""The crash hook itself: inert unless STANWIRE_CRASH_AT is set, and then a SIGKILL at the n-th pass only."""

import os
import subprocess
import sys

from pipelines.settings import load_settings

PASSES = "from spiders.crashpoints import crash_point\nfor i in range(1, 4):\n    crash_point('p')\n    print(i, flush=True)\n"


def passes(crash_at: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "STANWIRE_CRASH_AT"}
    if crash_at is not None:
        env["STANWIRE_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-c", PASSES], env=env, capture_output=True, text=True, check=False
    )


def test_the_hook_kills_at_the_nth_pass_of_its_point_and_is_inert_otherwise() -> None:
    killed = passes("p:2")
    assert killed.returncode == -9
    assert killed.stdout.split() == ["1"]
    for inert in (None, "", "other:1", "p:9", "p"):
        run = passes(inert)
        assert run.returncode == 0, inert
        assert run.stdout.split() == ["1", "2", "3"]


def test_the_hook_variable_is_not_taken_for_an_unknown_setting() -> None:
    assert load_settings(environ={"STANWIRE_CRASH_AT": "poll-recorded:1"}).home.is_absolute()
