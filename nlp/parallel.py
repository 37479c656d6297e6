"""Analysing many documents on several cores: worker processes that each hold their own pipelines.

`analyze_each` is the in-process form: one batch through `analyze_many`, and when one document breaks the NLP,
the batch again one by one so that only the broken documents fail (each with its error). `WorkerPool` runs the
same function in worker processes started with "spawn" (a clean interpreter: nothing of the parent's open
warehouse, threads or locks is inherited), each loading the pipelines once. spaCy's `nlp.pipe(n_process=…)`
would parallelise only the spaCy part and ship every parsed `Doc` back to one process for the rest of the
analysis (organizations, events, topics: about a fifth of the time); here the whole analysis runs in the
workers and only the small `DocumentAnalysis` records travel back.

A worker that dies (killed, out of memory) breaks the pool: `WorkerPool.analyze` raises `WorkerPoolBroken`,
and the caller goes on in its own process; what was not saved is simply still to do.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import TracebackType

from nlp.analysis import analyze, analyze_many
from nlp.errors import NlpError
from nlp.pipeline import Pipelines, build_pipeline
from nlp.records import DocumentAnalysis, DocumentInput

logger = logging.getLogger(__name__)

__all__ = [
    "Failure",
    "WorkerPool",
    "WorkerPoolBroken",
    "analyze_each",
    "analyze_in_worker",
    "default_processes",
]

# Worker processes use at most this many cores by default: each holds its own models (about 0.5 GB).
_MAX_DEFAULT_PROCESSES = 4


@dataclass(frozen=True)
class Failure:
    """A document the NLP could not analyse, and why."""

    id: str
    error: str


def default_processes() -> int:
    """The cores this process may use (its CPU affinity), at most four."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, _MAX_DEFAULT_PROCESSES))


def analyze_each(
    pipes: Pipelines, inputs: Sequence[DocumentInput], batch_size: int = 32
) -> list[DocumentAnalysis | Failure]:
    """Analyse a batch; if one document breaks the NLP, analyse them one by one and report the broken ones."""
    try:
        return list(analyze_many(pipes, inputs, batch_size=batch_size))
    except NlpError as exc:
        logger.warning("nlp batch failed, retrying one by one: %s", exc)
    results: list[DocumentAnalysis | Failure] = []
    for item in inputs:
        try:
            results.append(analyze(pipes, item))
        except NlpError as exc:
            logger.error("nlp failed document=%s error=%s", item.id, exc)
            results.append(Failure(item.id, str(exc)))
    return results


class WorkerPoolBroken(NlpError):
    """A worker process died; the pool cannot be used any more."""


# --- in the worker processes ----------------------------------------------------------------------------------

_worker_pipes: Pipelines | None = None


def _start_worker(model: str, russian: bool) -> None:
    global _worker_pipes
    _worker_pipes = build_pipeline(model, russian=russian)


def analyze_in_worker(inputs: list[DocumentInput], batch_size: int) -> list[DocumentAnalysis | Failure]:
    """`analyze_each` with the pipelines of this worker process (what `WorkerPool` runs by default)."""
    assert _worker_pipes is not None, "called outside a worker process of WorkerPool"
    return analyze_each(_worker_pipes, inputs, batch_size)


Work = Callable[[list[DocumentInput], int], list[DocumentAnalysis | Failure]]


# --- in the parent --------------------------------------------------------------------------------------------


class WorkerPool:
    """`processes` worker processes, each with the pipelines of `model`; use as a context manager.

    `work` is what a worker runs per batch: `analyze_in_worker`, or a module-level function around it (it is
    pickled by name into the workers).
    """

    def __init__(
        self, processes: int, model: str, *, russian: bool = True, work: Work = analyze_in_worker
    ) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        self.processes = processes
        self._work = work
        self._executor = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(model, russian),
        )

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def analyze(
        self, batches: Iterable[list[DocumentInput]], batch_size: int = 32
    ) -> Iterator[tuple[list[DocumentInput], list[DocumentAnalysis | Failure]]]:
        """Each batch with its results, in the order they finish; at most two batches per worker in flight.

        Raises `WorkerPoolBroken` when a worker died; the batches not yielded by then were not analysed.
        """
        pending = iter(batches)
        running: dict[Future[list[DocumentAnalysis | Failure]], list[DocumentInput]] = {}

        def submit_next() -> None:
            batch = next(pending, None)
            if batch is not None:
                running[self._executor.submit(self._work, batch, batch_size)] = batch

        try:
            for _ in range(2 * self.processes):
                submit_next()
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    batch = running.pop(future)
                    results = future.result()
                    submit_next()
                    yield batch, results
        except BrokenProcessPool as exc:
            raise WorkerPoolBroken(f"an NLP worker process died: {exc}") from exc
