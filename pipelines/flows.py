"""Prefect flows. They only orchestrate: every step is a function of `pipelines.stages`.

Import this module only after `pipelines.prefect_env.configure()` has set Prefect's environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from pipelines import stages
from pipelines.run import RunReport, run_all, summary_markdown
from pipelines.settings import load_settings
from pipelines.sources import load_sources


def _as_task(stage: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a stage as a Prefect task named after it (sequential: the stages share one warehouse file)."""
    return task(stage, name=stage.__name__, retries=0)(*args, **kwargs)


@flow(name="stanwire-run", log_prints=False)
def run_flow(
    home: str | None = None,
    sources_file: str | None = None,
    config: str | None = None,
    week: str | None = None,
    only: list[str] | None = None,
    settings_overrides: dict[str, Any] | None = None,
) -> RunReport:
    """Poll, crawl, load, enrich and write the digest for the sources in `sources_file`."""
    settings = load_settings(
        config_file=Path(config) if config else None,
        home=home,
        sources=sources_file,
        **(settings_overrides or {}),
    )
    sources = load_sources(settings.sources, only=only)
    report = run_all(settings, sources, week=week, runner=_as_task)
    create_markdown_artifact(summary_markdown(report), key="stanwire-run-summary", description="stanwire run")
    get_run_logger().info("run finished: %s", report.totals)
    return report


@flow(name="stanwire-enrich")
def enrich_flow(home: str | None = None, config: str | None = None, reprocess: bool = False) -> int:
    """Enrich every article not yet analysed with the current NLP version."""
    settings = load_settings(config_file=Path(config) if config else None, home=home)
    return stages.enrich(settings, reprocess=reprocess).articles


@flow(name="stanwire-weekly-digest")
def weekly_digest_flow(home: str | None = None, config: str | None = None, week: str | None = None) -> str:
    """Write the digest of `week` (default: the last complete ISO week)."""
    settings = load_settings(config_file=Path(config) if config else None, home=home)
    return str(stages.digest(settings, week).path)
