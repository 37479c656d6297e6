"""Named crash points, for the crash test (tests/crash): `STANWIRE_CRASH_AT=<point>:<n>` kills the run with
SIGKILL the n-th time one process passes `point`. Inert unless the variable is set.

Points: `poll-feed-fetched` (a feed fetched, nothing recorded yet) and `poll-recorded` (one feed's poll recorded)
in `pipelines.stages.poll`; `landing-file-written` (one article or error file landed) in the crawl process;
`load-batch-committed` (one loader transaction committed) in `warehouse.loader`, through `pipelines.stages.load`;
`enrich-article-saved` (one article's NLP results stored) and `enrich-batch-claimed` (on a DuckLake warehouse, a
batch claimed, nothing analysed yet) in `pipelines.stages.enrich`, and
`enrich-worker-batch` (a batch reached an NLP worker process) in its worker processes. Passes are counted per
process (each source's crawl is a process of its own).

In the crawl process the run that started it is killed, not the crawl: the crawl then dies with its parent
(`spiders.run.die_with_parent`), as it must when anyone kill -9s a run.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

from spiders.run import PARENT_PID_VARIABLE

CRASH_VARIABLE = "STANWIRE_CRASH_AT"
_passes: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Kill the run here if `STANWIRE_CRASH_AT` names this point and this is its n-th pass in this process."""
    wanted = os.environ.get(CRASH_VARIABLE)
    if not wanted or wanted.rpartition(":")[0] != name:
        return
    _passes[name] += 1
    if str(_passes[name]) != wanted.rpartition(":")[2]:
        return
    parent = os.environ.get(PARENT_PID_VARIABLE)
    in_crawl = parent is not None and parent == str(os.getppid())
    os.kill(int(parent) if in_crawl and parent else os.getpid(), signal.SIGKILL)
