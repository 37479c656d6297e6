"""One arithmetic thread per NLP process, asked for before numpy is imported.

numpy's OpenBLAS and thinc's BLIS start a thread per core in every process that imports them. Where several NLP
processes share the cores (the worker processes of `stanwire enrich`, or several enrich workers on one machine
writing to a DuckLake warehouse) that oversubscribes them: two enrich workers on this 2-core machine reached 0.61x
one worker's throughput, and 1.8x with one thread each (bench/lake_writers.py). One process alone loses about 3 %
(80 articles: 24.2 s against 23.6 s). The variables must be set before numpy starts, and are inherited by the
processes started after: `stanwire enrich` and the enrich flow call this first.
"""

from __future__ import annotations

import os
import sys

ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "BLIS_NUM_THREADS": "1",
}


def one_thread_per_process() -> bool:
    """Ask for one arithmetic thread in this process and those it starts (a value the user set is kept); True
    when it applies to this process too (numpy not imported yet)."""
    for name, value in ONE_THREAD.items():
        os.environ.setdefault(name, value)
    return "numpy" not in sys.modules
