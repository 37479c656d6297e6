"""Prefect flows. They only orchestrate: every step is a function of `pipelines.stages`.

- `run_flow`: poll → crawl → load → enrich → digest (what `stanwire run` and `stanwire demo` start);
- `ingest_flow`: poll every source → crawl what is new → load (scheduled every 30 minutes);
- `enrich_flow`: NLP on articles not yet enriched (hourly);
- `weekly_digest_flow`: the digest of the last complete ISO week (Mondays 06:00 Asia/Almaty);
- `backfill_flow(source, since)`: one source's older articles, from its sitemap bounded by date.

Poll and crawl run as one task per source, with retries and a timeout, so one broken outlet never fails the
others; each flow ends with a Markdown artifact of counts and errors per source. Scrapy crawls run in a
subprocess. Import this module only after `pipelines.prefect_env.configure()` has set Prefect's environment.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.context import TaskRunContext

from pipelines import stages
from pipelines.clock import make_clock
from pipelines.errors import retry_if_transient
from pipelines.run import RunReport, run_all, summary_markdown
from pipelines.settings import Settings, load_settings
from pipelines.sources import load_sources

# Per-source stages are retried when they fail with a transient error (pipelines.errors: a crawl process killed by a
# signal, say); a programming error, a busy warehouse or a task timeout is not. A feed's own timeouts and 5xx are
# retried inside the poll stage (`poll_retries`), so its final outcome is recorded once.
RETRIES = {"poll": 2, "crawl": 1}


def source_tag(source: str) -> str:
    """The Prefect tag of the tasks that work on one outlet."""
    return f"source:{source}"


def _as_task(stage: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a stage as a Prefect task named after it and its source (sequential: one warehouse file)."""
    settings: Settings = args[0]
    sources = args[1] if len(args) > 1 and isinstance(args[1], list) else []
    name = stage.__name__ + (f"-{sources[0].name}" if len(sources) == 1 else "")
    timeout = {
        "poll": stages.poll_time_budget(settings, sum(len(s.feeds) for s in sources)) + 60,
        "crawl": settings.crawl_timeout + 60,
    }.get(stage.__name__)

    def cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
        # Within one flow run, a retried flow does not redo a source already done; a new flow run starts afresh.
        return f"{context.task_run.flow_run_id}:{name}"

    return task(
        stage,
        name=name,
        # A Prefect tag concurrency limit of 1 on `source:<name>` (docs/SCALING.md) keeps two workers from
        # polling or crawling the same outlet at once.
        tags=[source_tag(sources[0].name)] if len(sources) == 1 else [],
        retries=RETRIES.get(stage.__name__, 0),
        retry_delay_seconds=5,
        retry_condition_fn=retry_if_transient,
        timeout_seconds=timeout,
        cache_key_fn=cache_key,
        persist_result=True,
    )(*args, **kwargs)


def _settings(
    home: str | None, sources_file: str | None, config: str | None, overrides: dict[str, Any] | None
):
    return load_settings(
        config_file=Path(config) if config else None, home=home, sources=sources_file, **(overrides or {})
    )


def _publish(report: RunReport, key: str, description: str) -> None:
    create_markdown_artifact(summary_markdown(report), key=key, description=description)
    get_run_logger().info("finished: %s; %d source errors", report.totals, len(report.source_errors))


@flow(name="stanwire-run", log_prints=False)
def run_flow(
    home: str | None = None,
    sources_file: str | None = None,
    config: str | None = None,
    week: str | None = None,
    only: list[str] | None = None,
    settings_overrides: dict[str, Any] | None = None,
    every_feed: bool = False,
) -> RunReport:
    """Poll (the feeds that are due, or `every_feed`), crawl, load, enrich and write the digest."""
    settings = _settings(home, sources_file, config, settings_overrides)
    sources = load_sources(settings.sources, only=only)
    report = run_all(
        settings,
        sources,
        clock=make_clock(settings.now),
        week=week,
        runner=_as_task,
        flow="run",
        every_feed=every_feed,
    )
    _publish(report, "stanwire-run-summary", "stanwire run")
    return report


@flow(name="stanwire-ingest", log_prints=False)
def ingest_flow(
    home: str | None = None,
    sources_file: str | None = None,
    config: str | None = None,
    only: list[str] | None = None,
    settings_overrides: dict[str, Any] | None = None,
) -> RunReport:
    """Poll every source, crawl what is new, load it into the warehouse."""
    settings = _settings(home, sources_file, config, settings_overrides)
    sources = load_sources(settings.sources, only=only)
    report = run_all(
        settings, sources, clock=make_clock(settings.now), runner=_as_task, flow="ingest", through="load"
    )
    _publish(report, "stanwire-ingest-summary", "stanwire ingest")
    return report


@flow(name="stanwire-backfill", log_prints=False)
def backfill_flow(
    source: str,
    since: str | None = None,
    home: str | None = None,
    sources_file: str | None = None,
    config: str | None = None,
    max_pages: int = 20,
) -> dict[str, Any]:
    """Fetch one source's older articles: those of its sitemap published since `since` (YYYY-MM-DD), or, for a
    source without a sitemap, its section pages followed `max_pages` deep; then load them."""
    since_date = date.fromisoformat(since) if since else None  # a malformed date stops before any fetching
    settings = _settings(home, sources_file, config, None)
    [outlet] = load_sources(settings.sources, only=[source])
    clock = make_clock(settings.now)
    found = None
    if outlet.sitemap:
        found = _as_task(stages.backfill, settings, [outlet], since_date, clock=clock)
        crawl = _as_task(stages.crawl, settings, [outlet], clock=clock, sections=False)
    else:
        deeper = dataclasses.replace(outlet, max_pages=max_pages)
        crawl = _as_task(
            stages.crawl,
            dataclasses.replace(settings, max_pages=max_pages),
            [deeper],
            clock=clock,
            sections=True,
        )
    load = _as_task(stages.load, settings)
    result = {
        "source": source,
        "since": since,
        "sitemap_urls": found.urls_found if found else None,
        "pages": crawl.pages_fetched,
        "articles_new": load.articles_new,
    }
    create_markdown_artifact(
        f"# stanwire backfill {source} since {since or 'the beginning'}\n\n"
        + (f"- sitemap: {found.urls_found} articles, {found.urls_queued} new in the queue\n" if found else "")
        + (f"- sitemap errors: {'; '.join(found.errors)}\n" if found and found.errors else "")
        + f"- pages fetched: {crawl.pages_fetched}, articles written: {crawl.articles_written}, "
        f"crawl errors: {crawl.errors}\n- new in the warehouse: {load.articles_new}\n",
        key="stanwire-backfill-summary",
        description=f"backfill {source}",
    )
    return result


@flow(name="stanwire-enrich")
def enrich_flow(home: str | None = None, config: str | None = None, reprocess: bool = False) -> int:
    """Enrich every article not yet analysed with the current NLP version."""
    from pipelines.threads import one_thread_per_process

    one_thread_per_process()  # for the NLP worker processes it starts (and this one, unless numpy is in)
    settings = load_settings(config_file=Path(config) if config else None, home=home)
    return stages.enrich(settings, reprocess=reprocess).articles


@flow(name="stanwire-weekly-digest")
def weekly_digest_flow(home: str | None = None, config: str | None = None, week: str | None = None) -> str:
    """Write the digest of `week` (default: the last complete ISO week)."""
    settings = load_settings(config_file=Path(config) if config else None, home=home)
    return str(stages.digest(settings, week, today=make_clock(settings.now)().date()).path)
