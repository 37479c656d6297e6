"""Run one crawl job: `python -m spiders.run JOB_JSON`, or `run_crawl_subprocess(job_path)` from Python.

Scrapy's Twisted reactor cannot be restarted inside one process, so every crawl runs in a fresh process;
`run_crawl_subprocess` starts it and hands back the report the crawl writes beside the job file:
`{"pages_fetched", "articles_written", "errors", "listing_pages", "write_failures"}`. Scrapy's log goes to
`crawl.log` in the same folder.

Exit codes: 0 when the crawl ran (even if pages failed: those are error records), 2 for a bad job file.

The crawl process dies with the process that started it: on Linux it asks the kernel for SIGKILL when its parent
ends (`prctl(PR_SET_PDEATHSIG)`), so a run that is killed, even with kill -9, never leaves a crawler fetching on
its own.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spiders.errors import CrawlError, CrawlJobError

if TYPE_CHECKING:  # spiders.job brings courlan: the settings, which read PARENT_PID_VARIABLE, need neither
    from spiders.job import CrawlJob

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
REPORT_NAME = "report.json"
LOG_NAME = "crawl.log"
# The PID of the process that started the crawl, so the crawl can tell it is already gone when it starts.
PARENT_PID_VARIABLE = "SPIDERS_CRAWL_PARENT_PID"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# Job setting → (Scrapy setting, accepted types).
_JOB_SETTINGS: dict[str, tuple[str, tuple[type, ...]]] = {
    "user_agent": ("USER_AGENT", (str,)),
    "obey_robots": ("ROBOTSTXT_OBEY", (bool,)),
    "concurrency_per_domain": ("CONCURRENT_REQUESTS_PER_DOMAIN", (int,)),
    "download_delay": ("DOWNLOAD_DELAY", (int, float)),
    "autothrottle": ("AUTOTHROTTLE_ENABLED", (bool,)),
    "timeout": ("DOWNLOAD_TIMEOUT", (int, float)),
    "retry_times": ("RETRY_TIMES", (int,)),
    "log_level": ("LOG_LEVEL", (str,)),
    "proxy": ("STANWIRE_PROXY", (str,)),
    "max_page_bytes": ("DOWNLOAD_MAXSIZE", (int,)),
    "max_redirects": ("REDIRECT_MAX_TIMES", (int,)),
}


def scrapy_settings(job: CrawlJob, *, log_file: Path | None = None) -> Any:
    """Scrapy `Settings`: the project's defaults (`spiders.settings`) with the job's settings on top."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    for key, value in job.settings.items():
        if key not in _JOB_SETTINGS or value is None:
            continue  # e.g. max_pages, read by the job itself
        name, types = _JOB_SETTINGS[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            expected = " or ".join(t.__name__ for t in types)
            raise CrawlJobError(f"settings.{key} must be {expected}, not {value!r}")
        settings.set(name, value, priority="cmdline")
    settings.set("STANWIRE_LANDING_DIR", str(job.landing_dir), priority="cmdline")
    if log_file is not None:
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        settings.set("LOG_FILE_APPEND", False, priority="cmdline")
    return settings


def crawl(job: CrawlJob, *, log_file: Path | None = None) -> dict[str, int]:
    """Run the crawl in this process (once per process: the reactor cannot restart) and return its counts."""
    from scrapy.crawler import CrawlerProcess

    from spiders.pipelines import ARTICLES_WRITTEN, ERRORS_WRITTEN, WRITE_FAILURES
    from spiders.spiders.article import LISTING_PAGES, PAGES_FETCHED, ArticleSpider

    settings = scrapy_settings(job, log_file=log_file)
    if isinstance(job.landing_dir, Path):
        job.landing_dir.mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(ArticleSpider)
    process.crawl(crawler, job=job)
    process.start()
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    return {
        "pages_fetched": int(stats.get(PAGES_FETCHED, 0)),
        "articles_written": int(stats.get(ARTICLES_WRITTEN, 0)),
        "errors": int(stats.get(ERRORS_WRITTEN, 0)),
        "listing_pages": int(stats.get(LISTING_PAGES, 0)),
        "write_failures": int(stats.get(WRITE_FAILURES, 0)),
    }


def die_with_parent(expected_parent: int | None) -> bool:
    """Have the kernel SIGKILL this process when its parent ends (Linux; elsewhere a no-op returning False).

    `expected_parent` is the PID the parent gave: if this process has already been handed to another parent, the
    one that started it died before the request was made, and this process exits at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)  # the parent died between starting this process and the request
    return True


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m spiders.run JOB_JSON`."""
    parent = os.environ.get(PARENT_PID_VARIABLE, "")
    die_with_parent(int(parent) if parent.isdigit() else None)
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m spiders.run JOB_JSON", file=sys.stderr)
        return 2
    job_path = Path(args[0])
    try:
        from spiders.job import load_job

        job = load_job(job_path)
        scrapy_settings(job)  # reject bad settings before the reactor starts
    except CrawlJobError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = crawl(job, log_file=job_path.with_name(LOG_NAME))
    report_path = job_path.with_name(REPORT_NAME)
    temp = report_path.with_name(f".{REPORT_NAME}.tmp")
    temp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, report_path)
    print(json.dumps(report))
    return 0


def run_crawl_subprocess(
    job_path: Path, *, python: str = sys.executable, timeout: float | None = None
) -> dict[str, Any]:
    """Run `python -m spiders.run job_path` in a new process and return the report it wrote.

    Raises `CrawlJobError` when the job file is rejected and `CrawlError` when the process fails, times out
    or leaves no report.
    """
    job_path = Path(job_path).resolve()
    report_path = job_path.with_name(REPORT_NAME)
    log_path = job_path.with_name(LOG_NAME)
    report_path.unlink(missing_ok=True)  # never hand back a previous run's counts
    env = dict(os.environ)
    # The child must import this very `spiders` package, whatever the caller's working directory.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
    env[PARENT_PID_VARIABLE] = str(os.getpid())  # the child dies with this process (see `die_with_parent`)
    try:
        proc = subprocess.run(
            [python, "-m", "spiders.run", str(job_path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CrawlError(
            f"crawl of {job_path} did not finish within {timeout:g}s and was stopped; "
            f"raise the crawl timeout or crawl fewer pages (log: {log_path})"
        ) from exc
    last_line = (proc.stderr.strip().splitlines() or [""])[-1]
    if proc.returncode == 2:
        raise CrawlJobError(last_line.removeprefix("error: ") or f"crawl job {job_path} was rejected")
    if proc.returncode < 0:
        raise CrawlError(
            f"crawl process was killed by signal {-proc.returncode}: {last_line} (log: {log_path})",
            transient=True,
        )
    if proc.returncode != 0:
        raise CrawlError(f"crawl process exited with code {proc.returncode}: {last_line} (log: {log_path})")
    try:
        report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CrawlError(
            f"crawl finished but left no readable {report_path}: {exc} (log: {log_path})"
        ) from exc
    return report


if __name__ == "__main__":
    sys.exit(main())
