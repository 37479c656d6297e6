"""One arithmetic thread per NLP process (pipelines.threads), asked for before numpy starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = """
import json, os, sys
from pipelines.threads import ONE_THREAD, one_thread_per_process
before_numpy = one_thread_per_process()
import numpy
print(json.dumps({"applies": before_numpy, "again": one_thread_per_process(),
                  "env": {name: os.environ[name] for name in ONE_THREAD}}))
"""


def run(env: dict[str, str]) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_each_library_is_asked_for_one_thread_and_only_before_numpy_does_it_apply_here() -> None:
    result = run({})
    assert result == {
        "applies": True,
        "again": False,
        "env": {
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "BLIS_NUM_THREADS": "1",
        },
    }


def test_a_thread_count_the_user_set_is_kept() -> None:
    result = run({"OPENBLAS_NUM_THREADS": "3"})
    assert result["env"]["OPENBLAS_NUM_THREADS"] == "3"  # type: ignore[index]
    assert result["env"]["BLIS_NUM_THREADS"] == "1"  # type: ignore[index]
