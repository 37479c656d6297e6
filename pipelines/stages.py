"""The pipeline's stages as plain functions: poll → crawl → load → enrich → digest.

Prefect tasks (`pipelines.flows`) and CLI commands (`pipelines.cli`) only call these. Each stage opens the
warehouse for as short a time as it can, so an analyst's read-only `stanwire sql` is locked out only while a stage
writes. One source's or one article's failure is recorded against it and the stage goes on.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

import warehouse.db
import warehouse.enrichment
import warehouse.event_groups
import warehouse.feeds
import warehouse.loader
import warehouse.queries
import warehouse.search
from pipelines.clock import Clock, make_clock
from pipelines.digest import build_digest, render_markdown, resolve_week
from pipelines.errors import RunError
from pipelines.settings import Settings
from spiders.crashpoints import crash_point
from warehouse.errors import WarehouseError, one_line

if TYPE_CHECKING:  # the heavy libraries load only in the stages that use them (start-up of every command)
    import nlp
    from pipelines.sources import Source
    from spiders.reextract import ReextractReport

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# Seconds before a feed's second attempt after a transient failure; doubled before each further one.
POLL_RETRY_DELAY = 1.0


@contextmanager
def open_warehouse(settings: Settings, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (the local file, or the DuckLake warehouse the `warehouse` setting names); a busy or
    broken warehouse stops the run with one clear line."""
    try:
        lake = settings.lake
        if lake is not None:
            from warehouse.ducklake import open_lake

            conn = open_lake(lake, read_only=read_only)
        else:
            conn = warehouse.db.connect(settings.warehouse_path, read_only=read_only)
    except WarehouseError as exc:
        raise RunError(str(exc)) from exc
    try:
        conn.execute("SET memory_limit = ?", [settings.warehouse_memory_limit])
    except duckdb.Error as exc:
        conn.close()
        raise RunError(
            f"setting warehouse_memory_limit={settings.warehouse_memory_limit!r}: {one_line(exc)}"
        ) from exc
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def read_warehouse(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse read-only, for commands that only read it: they work on a read-only home, and beside
    another reader. A warehouse written by an older stanwire is upgraded first when the home can be written."""
    path = settings.warehouse_path
    if settings.lake is not None:  # a lake is migrated by its writers; a reader takes it as it is
        with open_warehouse(settings, read_only=True) as conn:
            yield conn
        return
    with open_warehouse(settings, read_only=True) as conn:
        # One connection in the usual case (the warehouse is current); an older one is upgraded first.
        if warehouse.db.is_current(conn) or not (
            os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        ):
            yield conn
            return
    try:
        warehouse.db.upgrade_if_needed(path)
    except WarehouseError as exc:  # the read-only connection below still says what is wrong, if anything
        logger.warning("could not upgrade %s before reading it: %s", path, exc)
    with open_warehouse(settings, read_only=True) as conn:
        yield conn


# --- poll -----------------------------------------------------------------------------------------------------


@dataclass
class FeedOutcome:
    source: str
    feed_url: str
    http_status: int | None
    entries: int
    new_entries: int
    error: str | None
    not_modified: bool = False
    note: str | None = None  # a fact worth showing about a usable feed (e.g. it lists no entries)


@dataclass
class PollReport:
    feeds: list[FeedOutcome] = field(default_factory=list)
    skipped: int = 0  # feeds not due yet (adaptive schedule)

    @property
    def sources_polled(self) -> int:
        return len({f.source for f in self.feeds})

    @property
    def feeds_ok(self) -> int:
        return sum(1 for f in self.feeds if f.error is None)

    @property
    def feeds_failed(self) -> int:
        return sum(1 for f in self.feeds if f.error is not None)

    @property
    def new_entries(self) -> int:
        return sum(f.new_entries for f in self.feeds)


def poll(
    settings: Settings,
    sources: list[Source],
    *,
    clock: Clock,
    every_feed: bool = False,
    progress: Progress | None = None,
) -> PollReport:
    """Poll the feeds of `sources` that are due at `clock()` (all of them with `every_feed`), record each poll
    in `feed_polls`, reschedule the feed and queue new article URLs."""
    from spiders.feeds import poll_feed

    report = PollReport()
    policy = warehouse.feeds.PollPolicy(
        min_interval=settings.poll_min_interval,
        max_interval=settings.poll_max_interval,
        unhealthy_after=settings.unhealthy_after,
    )
    # Each (source, feed) once, in order: a feed listed twice is polled once.
    feeds = list({(source.name, url): (source, url) for source in sources for url in source.feeds}.values())
    # No network I/O while the warehouse is open: one short connection reads the schedule and the stored
    # validators, the feeds are fetched with the warehouse closed, and one more connection records the polls.
    with open_warehouse(settings) as conn:
        now = clock()
        due = (
            {url for _, url in feeds}
            if every_feed
            else warehouse.feeds.due_feeds(conn, [u for _, u in feeds], now)
        )
        report.skipped = sum(1 for _, url in feeds if url not in due)
        feeds = [(source, url) for source, url in feeds if url in due]
        states = {url: warehouse.feeds.get_feed_state(conn, url) or {} for _, url in feeds}
    results = []
    for done, (source, feed_url) in enumerate(feeds, start=1):
        state = states[feed_url]
        trusted = _validators_trusted(state, settings, now)
        result = poll_feed(
            source.name,
            feed_url,
            polled_at=clock(),
            etag=state.get("etag") if trusted else None,
            last_modified=state.get("last_modified") if trusted else None,
            timeout=settings.poll_timeout,
            user_agent=settings.full_user_agent,
            proxy=settings.proxy or None,
            allowed_domains=source.allowed_domains,
            max_redirects=settings.max_redirects,
            retries=settings.poll_retries,
            retry_delay=POLL_RETRY_DELAY,
        )
        if result.error:
            logger.warning("poll failed source=%s feed=%s error=%s", source.name, feed_url, result.error)
        results.append(result)
        crash_point("poll-feed-fetched")
        if progress:
            progress(done, len(feeds))
    if not results:
        return report
    with open_warehouse(settings) as conn:
        for result in results:
            new_entries = warehouse.db.retry_on_conflict(
                functools.partial(warehouse.feeds.record_poll, conn, dataclasses.asdict(result), policy),
                what=f"recording the poll of {result.feed_url}",
            )
            crash_point("poll-recorded")
            report.feeds.append(
                FeedOutcome(
                    source=result.source,
                    feed_url=result.feed_url,
                    http_status=result.http_status,
                    entries=result.entries,
                    new_entries=new_entries,
                    error=result.error,
                    not_modified=result.not_modified,
                    note=result.note,
                )
            )
    return report


def poll_time_budget(settings: Settings, feeds: int) -> float:
    """The longest a poll of `feeds` feeds can take: every attempt of each ends within `poll_timeout`."""
    attempts = settings.poll_retries + 1
    pauses = POLL_RETRY_DELAY * (2**settings.poll_retries - 1)
    return max(1, feeds) * (settings.poll_timeout * attempts + pauses)


def _validators_trusted(state: dict[str, object], settings: Settings, now: datetime) -> bool:
    """False when the stored ETag/Last-Modified may be stale: many polls in a row brought nothing new, or the
    validators have not changed for too long. Some servers keep answering 304 to an old ETag while the feed
    changes; an unconditional fetch now and then catches that."""
    unchanged = int(state.get("unchanged_polls") or 0)  # type: ignore[call-overload]
    since = state.get("validators_since")
    too_old = isinstance(since, datetime) and now - since > timedelta(days=settings.stale_validator_days)
    return unchanged < settings.stale_validator_polls and not too_old


# --- crawl ----------------------------------------------------------------------------------------------------


@dataclass
class CrawlReport:
    queued_urls: int
    sections: int
    pages_fetched: int
    articles_written: int
    errors: int
    listing_pages: int
    job_dir: Path  # with several crawl processes, each one's job in part-1, part-2, … under it
    processes: int = 1


def crawl(settings: Settings, sources: list[Source], *, clock: Clock, sections: bool = True) -> CrawlReport:
    """Fetch queued article URLs and the sources' section pages in Scrapy subprocesses; write landing files.

    The sources are shared out between `crawl_processes` crawl processes (each source, and so each site's
    politeness, in one of them), balanced by their queued URLs and sections: extracting articles takes one core
    per process. The crawl's clock continues `clock` (fetch times, and the check that a page's date is not after
    its fetch).
    """
    from spiders.run import run_crawl_subprocess

    names = {s.name for s in sources}
    with open_warehouse(settings) as conn:
        pending = [p for p in warehouse.feeds.pending_urls(conn) if p["source"] in names]
    started = clock().astimezone(UTC)
    job_dir = settings.jobs_dir / started.strftime("%Y%m%dT%H%M%S%fZ")
    job_dir.mkdir(parents=True, exist_ok=True)
    queued: dict[str, list[dict[str, Any]]] = {}
    for p in pending:
        queued.setdefault(p["source"], []).append(p)
    groups = _crawl_groups(sources, queued, sections, settings.crawl_processes or _cores())
    job_paths = []
    for number, group in enumerate(groups, 1):
        part = job_dir if len(groups) == 1 else job_dir / f"part-{number}"
        part.mkdir(parents=True, exist_ok=True)
        job = _crawl_job(settings, group, pending, started, sections)
        job_path = part / "job.json"
        job_path.write_text(json.dumps(job, ensure_ascii=False, indent=2), encoding="utf-8")
        job_paths.append(job_path)
    if len(job_paths) == 1:
        results = [run_crawl_subprocess(job_paths[0], timeout=settings.crawl_timeout)]
    else:
        results = _crawl_in_parallel(job_paths, settings.crawl_timeout)
    return CrawlReport(
        queued_urls=len(pending),
        sections=sum(len(s.sections) for s in sources) if sections else 0,
        pages_fetched=sum(int(r.get("pages_fetched", 0)) for r in results),
        articles_written=sum(int(r.get("articles_written", 0)) for r in results),
        errors=sum(int(r.get("errors", 0)) for r in results),
        listing_pages=sum(int(r.get("listing_pages", 0)) for r in results),
        job_dir=job_dir,
        processes=len(job_paths),
    )


def _cores() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _crawl_groups(
    sources: list[Source], queued: dict[str, list[dict[str, Any]]], sections: bool, processes: int
) -> list[list[Source]]:
    """The sources in at most `processes` groups of about equal work (queued URLs, plus each section page),
    the largest first onto the least loaded group; a source with nothing to fetch goes with the first."""
    work = {s.name: len(queued.get(s.name, [])) + (len(s.sections) if sections else 0) for s in sources}
    busy = sorted((s for s in sources if work[s.name]), key=lambda s: (-work[s.name], s.name))
    count = max(1, min(processes, len(busy)))
    groups: list[list[Source]] = [[] for _ in range(count)]
    loads = [0] * count
    for source in busy:
        least = loads.index(min(loads))
        groups[least].append(source)
        loads[least] += work[source.name]
    groups[0].extend(s for s in sources if not work[s.name])
    return groups


def _crawl_job(
    settings: Settings,
    sources: list[Source],
    pending: list[dict[str, Any]],
    started: datetime,
    sections: bool,
) -> dict[str, Any]:
    names = {s.name for s in sources}
    return {
        "landing_dir": str(settings.landing),
        "clock_start": started.isoformat(),
        "requests": [
            {"url": p["url"], "source": p["source"], "discovered_via": p.get("via") or "feed"}
            for p in pending
            if p["source"] in names
        ],
        "sources": [
            {
                "name": s.name,
                "language": s.language,
                "allowed_domains": list(s.allowed_domains),
                "sections": list(s.sections) if sections else [],
                "max_pages": s.max_pages or settings.max_pages,
            }
            for s in sources
        ],
        "settings": {
            "user_agent": settings.full_user_agent,
            "obey_robots": settings.obey_robots,
            "concurrency_per_domain": settings.concurrency_per_domain,
            "download_delay": settings.download_delay,
            "autothrottle": settings.autothrottle,
            "timeout": settings.timeout,
            "max_pages": settings.max_pages,
            "proxy": settings.proxy or None,
            "retry_times": settings.retry_times,
            "max_page_bytes": settings.max_page_bytes,
            "max_redirects": settings.max_redirects,
        },
    }


def _crawl_in_parallel(job_paths: list[Path], timeout: float) -> list[dict[str, Any]]:
    """Each job in its own crawl process, all at once; when one fails the others still finish (their landing
    files are kept and loaded), then the first failure is raised, and any other logged with its job."""
    from concurrent.futures import ThreadPoolExecutor

    from spiders.run import run_crawl_subprocess

    with ThreadPoolExecutor(max_workers=len(job_paths)) as pool:
        futures = [pool.submit(run_crawl_subprocess, path, timeout=timeout) for path in job_paths]
        outcomes = [
            (future.result() if future.exception() is None else future.exception()) for future in futures
        ]
    failures = [
        (path, outcome)
        for path, outcome in zip(job_paths, outcomes, strict=True)
        if isinstance(outcome, BaseException)
    ]
    for path, failure in failures[1:]:
        logger.error("crawl job %s failed too: %s", path, one_line(failure))
    if failures:
        raise failures[0][1]
    return [outcome for outcome in outcomes if isinstance(outcome, dict)]


@dataclass
class BackfillReport:
    """What a sitemap backfill found and queued, per source, and the sitemaps that failed."""

    urls_found: int = 0
    urls_queued: int = 0
    sitemap_files: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class ReextractResult:
    """What a re-extraction rewrote in the landing folder, and what the load that followed did."""

    landing: ReextractReport
    load: warehouse.loader.LoadReport


def reextract(
    settings: Settings, sources: list[Source] | None = None, *, progress: Progress | None = None
) -> ReextractResult:
    """Extract every stored page again with the current extractor and load what changed (no fetching)."""
    from spiders.reextract import reextract_landing

    landing = reextract_landing(
        settings.landing,
        sources={s.name for s in sources} if sources is not None else None,
        language_hints={s.name: s.language for s in sources or []},
        progress=progress,
    )
    for path, message in landing.failed:
        logger.warning("reextract failed file=%s error=%s", path, message)
    return ReextractResult(landing=landing, load=load(settings))


def backfill(
    settings: Settings, sources: list[Source], since: date | None, *, clock: Clock
) -> BackfillReport:
    """Queue the articles of each source's sitemap published on or after `since` (discovered_via 'sitemap')."""
    from spiders.sitemaps import read_sitemap
    from spiders.urls import canonicalize_url, fetch_url, host_of

    report = BackfillReport()
    missing = [s.name for s in sources if not s.sitemap]
    if missing:
        raise RunError(f"no `sitemap:` in sources.yaml for {', '.join(missing)}: backfill reads a sitemap")
    for source in sources:
        assert source.sitemap is not None
        found = read_sitemap(
            source.sitemap,
            since=since,
            user_agent=settings.full_user_agent,
            proxy=settings.proxy or None,
            timeout=settings.timeout,
        )
        report.sitemap_files += found.files_read
        report.urls_found += len(found.entries)
        report.errors += [f"{source.name}: {error}" for error in found.errors]
        for error in found.errors:
            logger.warning("sitemap failed source=%s error=%s", source.name, error)
        items = [
            {
                "url": fetch_url(e.url),
                "canonical_url": canonicalize_url(e.url),
                "published_at": e.published.isoformat() if e.published else None,
            }
            for e in found.entries
            if any(host_of(e.url) == d or host_of(e.url).endswith("." + d) for d in source.allowed_domains)
        ]
        with open_warehouse(settings) as conn:
            report.urls_queued += warehouse.feeds.queue_urls(
                conn, source.name, items, via="sitemap", discovered_at=clock()
            )
    return report


# --- load -----------------------------------------------------------------------------------------------------


def load(settings: Settings) -> warehouse.loader.LoadReport:
    """Load every landing file not loaded yet into the warehouse (idempotent)."""
    from spiders.landing import open_landing  # courlan and w3lib: only for a load, not for every command

    with open_warehouse(settings) as conn:
        import warehouse.dedup  # datasketch

        report = warehouse.loader.load_landing(
            conn, open_landing(settings.landing), on_commit=lambda: crash_point("load-batch-committed")
        )
        # On a shared (DuckLake) warehouse a step that lost its commit to another writer is done again.
        dedup = warehouse.db.retry_on_conflict(
            lambda: warehouse.dedup.deduplicate(conn), what="deduplicating"
        )
        # Only the articles added or changed reach the index (or it is rebuilt when that is cheaper).
        warehouse.db.retry_on_conflict(
            lambda: warehouse.search.refresh_index(conn), what="updating the index"
        )
    report.title_duplicates = dedup.title_duplicates
    report.articles_duplicate += dedup.title_duplicates
    report.stories_with_copies = dedup.stories_with_copies
    return report


# --- enrich ---------------------------------------------------------------------------------------------------


@dataclass
class EnrichReport:
    articles: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    nlp_version: str = ""
    seconds: float = 0.0
    groups: int = 0  # acts reported by more than one article
    processes: int = 1  # NLP worker processes used
    worker_errors: list[str] = field(default_factory=list)  # a worker that died, the rest done in-process


# Below this many articles the NLP runs in this process: starting a worker (a fresh interpreter loading the
# models) costs a few seconds, more than a small batch takes on one core.
PARALLEL_MIN_ARTICLES = 256
# Articles whose texts are read from the warehouse at a time while enriching: a first enrichment of a backfill
# holds these (and the batches in flight), not every text it will read.
READ_BATCH = 256


def enrich(
    settings: Settings,
    *,
    reprocess: bool = False,
    limit: int | None = None,
    batch_size: int = 32,
    progress: Progress | None = None,
    parallel_min: int = PARALLEL_MIN_ARTICLES,
    clock: Clock | None = None,
) -> EnrichReport:
    """Run the NLP over articles not yet enriched with the current NLP version and store the results.

    With `nlp_processes` above 1 (0: one per core, at most four) and at least `parallel_min` articles to do,
    worker processes analyse the batches while this process stores them; a worker that dies leaves the rest to
    this process (nothing is analysed twice or lost: an article is done once its result is stored).
    """
    import nlp
    from nlp.parallel import WorkerPool, WorkerPoolBroken, default_processes

    if settings.lake is not None:
        return _enrich_claimed(
            settings, reprocess=reprocess, limit=limit, batch_size=batch_size, progress=progress, clock=clock
        )
    started = time.perf_counter()
    report = EnrichReport(nlp_version=nlp.NLP_VERSION)
    with open_warehouse(settings) as conn:
        todo = warehouse.enrichment.ids_to_enrich(conn, nlp.NLP_VERSION, reprocess=reprocess, limit=limit)
        if not todo:
            return report
        processes = settings.nlp_processes or default_processes()
        stored: set[str] = set()

        def batches(ids: list[str]) -> Iterator[list[nlp.DocumentInput]]:
            # The texts are read READ_BATCH articles at a time, as the batches are handed out.
            for start in range(0, len(ids), READ_BATCH):
                rows = warehouse.enrichment.articles_of(conn, ids[start : start + READ_BATCH])
                for first in range(0, len(rows), batch_size):
                    yield [_document_input(row) for row in rows[first : first + batch_size]]

        def store(batch: list[nlp.DocumentInput], results: list[Any]) -> None:
            _store_analyses(conn, results, report)
            stored.update(doc.id for doc in batch)
            if progress:
                progress(len(stored), len(todo))

        remaining = todo
        if processes > 1 and len(todo) >= parallel_min:
            report.processes = processes
            try:
                with WorkerPool(processes, settings.model, work=_enrich_in_worker) as pool:
                    for batch, results in pool.analyze(batches(todo), batch_size):
                        store(batch, results)
            except WorkerPoolBroken as exc:
                logger.error("enrich: %s; the rest runs in this process", exc)
                report.worker_errors.append(str(exc))
            remaining = [article_id for article_id in todo if article_id not in stored]
        if remaining:
            pipes = nlp.build_pipeline(settings.model)
            for batch in batches(remaining):
                store(batch, nlp.analyze_each(pipes, batch, batch_size))
        # The same act reported by several articles is one event group (v_agreements shows it once).
        report.groups = warehouse.db.retry_on_conflict(
            lambda: warehouse.event_groups.regroup(conn, nlp.gazetteer.STATE_KINDS), what="grouping events"
        )
    report.seconds = time.perf_counter() - started
    return report


def _enrich_in_worker(inputs: list[Any], batch_size: int) -> list[Any]:
    """One batch in an NLP worker process (nlp.parallel), past the crash test's point `enrich-worker-batch`."""
    from nlp.parallel import analyze_in_worker

    crash_point("enrich-worker-batch")
    return analyze_in_worker(inputs, batch_size)


def _document_input(row: dict[str, Any]) -> Any:
    """An article as `warehouse.enrichment.articles_to_enrich` gives it, as the NLP takes it."""
    import nlp

    return nlp.DocumentInput(
        id=row["id"],
        title=row["title"] or "",
        text=row["text"] or "",
        published=row["published_date"],
        language=row["language"],
    )


# A worker that finds every article left claimed by others looks again this often (seconds, at most): they are
# stored by then, or their claims have expired and are its to take.
CLAIM_POLL_SECONDS = 5.0


def _enrich_claimed(
    settings: Settings,
    *,
    reprocess: bool,
    limit: int | None,
    batch_size: int,
    progress: Progress | None,
    clock: Clock | None,
) -> EnrichReport:
    """`enrich` on a warehouse several machines enrich at once (DuckLake): batch by batch, each claimed first
    (warehouse.enrichment.claim_articles), analysed in this process, stored (which drops the claims). When only
    other workers' claims are left it waits for them: stored, or expired (`enrich_claim_lease`) and taken over,
    so a worker that died mid-batch loses nothing."""
    import os
    import socket

    import nlp

    now = clock or make_clock(settings.now)
    lease = timedelta(seconds=settings.enrich_claim_lease)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    started = time.perf_counter()
    report = EnrichReport(nlp_version=nlp.NLP_VERSION)
    pipes = None
    done = 0
    with open_warehouse(settings) as conn:
        # What is left to do as this worker starts (others take some of it): the progress bar's length.
        total = warehouse.enrichment.count_to_enrich(conn, nlp.NLP_VERSION, reprocess=reprocess)
        total = total if limit is None else min(total, limit)
        while limit is None or done < limit:
            claim = settings.enrich_claim_batch
            size = claim if limit is None else min(claim, limit - done)
            at = now()
            todo = warehouse.db.retry_on_conflict(
                functools.partial(
                    warehouse.enrichment.claim_articles,
                    conn,
                    worker,
                    nlp.NLP_VERSION,
                    now=at,
                    lease=lease,
                    limit=size,
                    reprocess=reprocess,
                ),
                what="claiming articles to enrich",
            )
            if not todo:
                if not warehouse.enrichment.claimed_by_others(conn, worker, now=at, lease=lease):
                    break
                time.sleep(min(CLAIM_POLL_SECONDS, settings.enrich_claim_lease / 4))
                continue
            batch = [_document_input(row) for row in todo]
            crash_point("enrich-batch-claimed")
            pipes = pipes or nlp.build_pipeline(settings.model)
            _store_batch(conn, nlp.analyze_each(pipes, batch, batch_size), report)
            # An article the NLP could not read keeps its claim until the lease ends: this run does not ask for
            # it again, a later one does.
            done += len(batch)
            if progress:
                progress(done, max(total, done))
        if report.articles:
            report.groups = warehouse.db.retry_on_conflict(
                lambda: warehouse.event_groups.regroup(conn, nlp.gazetteer.STATE_KINDS),
                what="grouping events",
            )
    report.seconds = time.perf_counter() - started
    return report


def _store_batch(conn: duckdb.DuckDBPyConnection, results: list[Any], report: EnrichReport) -> None:
    """Save a claimed batch's analyses in one transaction (warehouse.enrichment.save_enrichments); when the
    warehouse refuses it, one by one, so that only the articles it cannot take fail."""
    import nlp

    analyses = []
    for analysis in results:
        if isinstance(analysis, nlp.Failure):
            report.failed.append((analysis.id, analysis.error))
        else:
            analyses.append(analysis)
    try:
        failed = warehouse.db.retry_on_conflict(
            functools.partial(
                warehouse.enrichment.save_enrichments,
                conn,
                [(a.id, dataclasses.asdict(a)) for a in analyses],
                nlp.NLP_VERSION,
            ),
            what=f"saving the analyses of {len(analyses)} articles",
        )
    except WarehouseError as exc:
        logger.warning("enrich: saving the batch failed (%s); saving its articles one by one", exc)
        _store_analyses(conn, analyses, report)
        return
    report.failed.extend(failed)
    for _ in range(len(analyses) - len(failed)):
        report.articles += 1
        crash_point("enrich-article-saved")


def _store_analyses(conn: duckdb.DuckDBPyConnection, results: list[Any], report: EnrichReport) -> None:
    """Save each analysis of a batch; a failure of the NLP or of the warehouse is recorded for its article."""
    import nlp

    for analysis in results:
        if isinstance(analysis, nlp.Failure):
            report.failed.append((analysis.id, analysis.error))
            continue
        try:
            warehouse.db.retry_on_conflict(
                functools.partial(
                    warehouse.enrichment.save_enrichment,
                    conn,
                    analysis.id,
                    dataclasses.asdict(analysis),
                    nlp.NLP_VERSION,
                ),
                what=f"saving the analysis of {analysis.id}",
            )
            report.articles += 1
            crash_point("enrich-article-saved")
        except WarehouseError as exc:
            logger.error("enrich failed article=%s error=%s", analysis.id, exc)
            report.failed.append((analysis.id, str(exc)))


# --- digest ---------------------------------------------------------------------------------------------------


@dataclass
class DigestResult:
    week: str
    path: Path
    articles: int
    agreements: int
    censorship_events: int
    paths: list[Path] = field(default_factory=list)


DIGEST_FORMATS = ("md", "html")


def digest(
    settings: Settings,
    week: str | None = None,
    *,
    today: date,
    out: Path | None = None,
    formats: tuple[str, ...] = DIGEST_FORMATS,
) -> DigestResult:
    """Write the digest of one ISO week (`2026-W47`, `latest`, or the last complete week before `today`) in
    each of `formats` (Markdown, self-contained HTML) to `<home>/digests/<week>.<format>`, or the one format to
    `out`."""
    from pipelines.digest_html import render_html  # matplotlib

    resolve_week(week, today=today, latest=None)  # a malformed week fails before anything is opened
    unknown = [f for f in formats if f not in DIGEST_FORMATS]
    if unknown or not formats:
        raise RunError(f"digest format {unknown or formats!r}: expected md or html")
    if out is not None and len(formats) != 1:
        raise RunError("a digest written to one file has one format: pass --format md or --format html")
    with read_warehouse(settings) as conn:
        latest = warehouse.queries.latest_published_date(conn)
        label, week_start = resolve_week(week, today=today, latest=latest)
        data = warehouse.queries.digest_data(conn, week_start, week_start + timedelta(days=6))
    content = build_digest(label, week_start, data)
    paths = []
    for fmt in formats:
        path = out or settings.digest_dir / f"{label}.{fmt}"
        tmp = path.with_name(path.name + ".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(
                render_markdown(content) if fmt == "md" else render_html(content), encoding="utf-8"
            )
            tmp.replace(path)
        except OSError as exc:
            raise RunError(
                f"cannot write the digest to {path}: {exc.strerror or exc}; give a writable file with --out"
            ) from exc
        paths.append(path)
    return DigestResult(
        week=label,
        path=paths[0],
        articles=data.articles,
        agreements=len(content.agreements),
        censorship_events=len(content.censorship_events),
        paths=paths,
    )
