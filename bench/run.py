"""Benchmarks: speed ratios against baselines measured in the same run (never absolute limits).

    python bench/run.py            (make bench: the sizes of docs/PERFORMANCE.md, about half an hour here)
    python bench/run.py --quick    (make bench-quick: the same code on a small corpus, under two minutes)

1. Enrich: stanwire's NLP pipeline against a plain en_core_web_sm `nlp.pipe` over the same English documents (the
   gold set), in words per second.
2. Load: the load stage (checks, exact copies, bookkeeping, story clustering, search index) against DuckDB's own
   bulk `INSERT … SELECT FROM read_json(…)` of the same landing files, in articles per second.
3. End to end: poll → crawl → load → enrich of a synthetic corpus (bench/corpus.py: 20 outlets at their own
   hosts, served by a local proxy on 127.0.0.1), wall time per stage, peak memory, crawl requests per second
   against the ceiling the politeness settings allow; enrich on a sample, extrapolated.
4. Incremental: a second run with nothing new against the first; a load of 100 new articles into warehouses of
   10,000, 50,000 and 100,000 articles.
5. Start-up: `stanwire sql "select 1"`, `stanwire status`, `stanwire --help` against
   `python -c "import duckdb; duckdb.connect(path, read_only=True).sql('select 1')"` on the same warehouse.
6. Scaling: load (and enrich on a sample) cost per article as the warehouse grows; a plot in docs/.

Prints one table and writes the figures, versions, cores and memory to bench/results.json (--quick:
bench/results-quick.json). Times are wall-clock durations of this run; no date is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO, REPO / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import corpus  # noqa: E402
from memory import TreeSampler, own_peak_bytes  # noqa: E402

NOW = "2026-12-01T06:00:00+06:00"  # the clock of the end-to-end run: after every article of the corpus
FETCHED_AFTER = timedelta(hours=3)
ADDITION_TRIES = 3  # loads of 100 new articles at each size of row 4 (the median is reported)

SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "e2e": 10_000,
        "enrich_sample": 100,
        "load": 10_000,
        "scale": [1_000, 10_000, 50_000, 100_000],
        "incremental_at": [10_000, 50_000, 100_000],
        "add": 100,
        "scale_enrich_sample": 20,
        "download_delay": 0.05,
        "startup_runs": 7,
    },
    "quick": {
        "e2e": 240,
        "enrich_sample": 8,
        "load": 400,
        "scale": [200, 600, 1_200],
        "incremental_at": [600, 1_200],
        "add": 20,
        "scale_enrich_sample": 4,
        "download_delay": 0.01,
        "startup_runs": 3,
    },
}


def timed(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


# --- 1. enrich against plain spaCy ----------------------------------------------------------------------------


def bench_nlp(quick: bool) -> dict[str, Any]:
    import spacy

    import nlp
    from nlp.parallel import WorkerPool, default_processes
    from pipelines.settings import Settings

    docs, corpus_name = _enrich_documents(quick)
    inputs = [nlp.DocumentInput(d.id, d.title, d.text, d.published, d.language) for d in docs]
    words = sum(len(f"{d.title} {d.text}".split()) for d in docs)
    model = Settings().model
    pipes = nlp.build_pipeline(model)
    plain = spacy.load(model)  # the same model, without stanwire's components
    nlp.analyze_many(pipes, inputs[:2])  # warm up both
    list(plain.pipe([d.text for d in docs[:2]]))
    _, ours = timed(nlp.analyze_many, pipes, inputs)
    _, base = timed(lambda texts: list(plain.pipe(texts)), [f"{d.title}\n\n{d.text}" for d in docs])
    # What `stanwire enrich` runs with 256 articles or more: worker processes, one per core (at most four).
    processes = default_processes()
    batch = 4 if quick else 8
    batches = [inputs[i : i + batch] for i in range(0, len(inputs), batch)]
    pool_start = time.perf_counter()
    with TreeSampler() as tree, WorkerPool(processes, model) as pool:
        for _ in pool.analyze([inputs[:1]] * processes):  # every worker loads its models
            pass
        started_s = time.perf_counter() - pool_start
        _, parallel = timed(lambda: [r for _, r in pool.analyze(batches, batch)])
    return {
        "corpus": corpus_name,
        "documents": len(docs),
        "words": words,
        "stanwire_words_per_s": words / ours,
        "plain_nlp_pipe_words_per_s": words / base,
        "time_ratio": ours / base,
        "processes": processes,
        "workers_words_per_s": words / parallel,
        "workers_ratio": base / parallel,
        "workers_start_s": started_s,
        # this process (both pipelines loaded) and the workers, and the largest worker
        "workers_tree_peak_rss_bytes": tree.tree_peak_bytes,
        "worker_peak_rss_bytes": tree.child_peak_bytes,
    }


def _enrich_documents(quick: bool) -> tuple[list[Any], str]:
    """The English texts the enrich figure is measured on: in a full run the real set beside the repository
    (../shared/nlp-dev, read in place, never copied) where it is there, with the in-repo gold set (invented
    texts); the quick run takes 12 of the gold set."""
    from eval.nlp.gold_set import load_gold

    docs: list[Any] = []
    if not quick:
        from eval.real_news.run import dev_dir, load_scorer

        real = dev_dir(None)
        if (real / "score.py").is_file():
            _, real_docs = load_scorer(real).load(real)  # the set's own reader
            docs = [
                SimpleNamespace(
                    id=d["id"],
                    title=d["title"] or "",
                    text=d["text"],
                    published=_day(d.get("published")),
                    language="en",
                )
                for d in real_docs
                if d.get("language") == "en"
            ]
    gold = [d for d in load_gold(REPO / "eval" / "nlp" / "gold") if d.language == "en"]
    if quick:
        return gold[:12], "12 of eval/nlp/gold (invented English texts)"
    if docs:  # the real set is small (21 English articles): the invented ones too, so that batches spread
        return docs + gold, f"{len(docs)} real English articles ({real}) and eval/nlp/gold's {len(gold)}"
    return gold, "eval/nlp/gold (invented English texts)"


def _day(value: str | None) -> Any:
    from datetime import date

    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


# --- helpers --------------------------------------------------------------------------------------------------


def settings_for(home: Path, sources: Path | None = None, **overrides: Any) -> Any:
    from pipelines.settings import load_settings

    values: dict[str, Any] = {"home": str(home), "now": NOW, **overrides}
    if sources is not None:
        values["sources"] = str(sources)
    return load_settings(config_file=None, **values)


def load_stage(home: Path) -> dict[str, float]:
    """The load stage (pipelines.stages.load), its three steps timed apart."""
    import warehouse.dedup
    import warehouse.loader
    import warehouse.search
    from warehouse.db import connect

    conn = connect(home / "warehouse.duckdb")
    # as pipelines.stages.open_warehouse holds it
    conn.execute("SET memory_limit = ?", [settings_for(home).warehouse_memory_limit])
    try:
        report, load_s = timed(warehouse.loader.load_landing, conn, home / "landing")
        _, dedup_s = timed(warehouse.dedup.deduplicate, conn)
        index, index_s = timed(warehouse.search.refresh_index, conn)
    finally:
        # closing checkpoints: what was appended is written into the file's row groups (part of the load's cost)
        _, close_s = timed(conn.close)
    return {
        "articles": report.articles_new + report.articles_updated + report.articles_duplicate,
        "load_s": load_s,
        "dedup_s": dedup_s,
        "index_s": index_s,
        "close_s": close_s,
        "index": index,
        "total_s": load_s + dedup_s + index_s + close_s,
    }


READ_JSON = """
CREATE TABLE articles (
    canonical_url VARCHAR PRIMARY KEY, url VARCHAR, final_url VARCHAR, source VARCHAR, title VARCHAR,
    text VARCHAR, language VARCHAR, published_at VARCHAR, authors VARCHAR[], fetched_at TIMESTAMPTZ,
    http_status INTEGER, discovered_via VARCHAR, html_file VARCHAR, landing_file VARCHAR
);
INSERT INTO articles
SELECT canonical_url, url, final_url, source, title, text, language, published_at, authors, fetched_at,
    http_status, discovered_via, html_file, filename
FROM read_json('{glob}', filename = true, columns = {{
    schema: 'VARCHAR', source: 'VARCHAR', url: 'VARCHAR', final_url: 'VARCHAR', canonical_url: 'VARCHAR',
    title: 'VARCHAR', text: 'VARCHAR', published_at: 'VARCHAR', authors: 'VARCHAR[]', language: 'VARCHAR',
    fetched_at: 'TIMESTAMPTZ', http_status: 'INTEGER', discovered_via: 'VARCHAR', html_file: 'VARCHAR',
    extractor: 'JSON'}});
"""


def read_json_baseline(landing: Path, work: Path) -> float:
    """DuckDB's own bulk load of the same files: INSERT … SELECT FROM read_json into a table with a key."""
    import duckdb

    path = work / "baseline.duckdb"
    path.unlink(missing_ok=True)
    conn = duckdb.connect(str(path))
    try:
        _, seconds = timed(conn.execute, READ_JSON.format(glob=f"{landing}/articles/*/*.json"))
    finally:
        _, close_s = timed(conn.close)  # the checkpoint that writes the rows into the file, as ours is timed
    path.unlink(missing_ok=True)
    return seconds + close_s


# --- 2. load against read_json --------------------------------------------------------------------------------


def bench_load(size: int, work: Path, outlets: list[Any]) -> dict[str, Any]:
    home = work / "load"
    articles = corpus.make_articles(size, outlets)
    corpus.write_landing(home / "landing", articles, fetched_after=FETCHED_AFTER)
    base_s = read_json_baseline(home / "landing", work)
    ours = load_stage(home)
    shutil.rmtree(home)
    return {
        "articles": size,
        "read_json_articles_per_s": size / base_s,
        "load_stage_articles_per_s": size / ours["total_s"],
        "load_landing_articles_per_s": size / ours["load_s"],
        "ratio_load_stage": base_s / ours["total_s"],
        "ratio_load_landing": base_s / ours["load_s"],
        # the measure: checks, exact copies, bookkeeping and story clustering (dedup), not the search index
        "load_dedup_articles_per_s": size / (ours["load_s"] + ours["dedup_s"] + ours["close_s"]),
        "ratio_load_dedup": base_s / (ours["load_s"] + ours["dedup_s"] + ours["close_s"]),
        "steps_s": {k: ours[k] for k in ("load_s", "dedup_s", "index_s", "close_s")},
    }


# --- 3. end to end (in its own process, for its peak memory) ---------------------------------------------------


def e2e_child(args: dict[str, Any]) -> dict[str, Any]:
    """poll → crawl → load → enrich (a sample, extrapolated) on a served corpus, then the same again."""
    from pipelines.sources import load_sources

    work = Path(args["work"])
    settings = settings_for(
        work / "home",
        work / "sources.yaml",
        proxy=args["proxy"],
        download_delay=args["download_delay"],
        autothrottle=False,
        crawl_timeout=86_400,
    )
    sources = load_sources(settings.sources)
    runs: list[dict[str, Any]] = []
    with TreeSampler() as tree:
        _e2e_runs(settings, sources, args, runs)
    return {
        "runs": runs,
        "peak_rss_bytes": own_peak_bytes(),
        "tree_peak_rss_bytes": tree.tree_peak_bytes,
        "crawl_process_peak_rss_bytes": tree.child_peak_bytes,
    }


def _e2e_runs(settings: Any, sources: Any, args: dict[str, Any], runs: list[dict[str, Any]]) -> None:
    from pipelines import stages
    from pipelines.clock import make_clock

    for _ in range(2):
        clock = make_clock(settings.now)
        run: dict[str, Any] = {}
        poll, run["poll_s"] = timed(stages.poll, settings, sources, clock=clock, every_feed=True)
        crawl, run["crawl_s"] = timed(stages.crawl, settings, sources, clock=clock, sections=False)
        load, run["load_s"] = timed(stages.load, settings)
        run["peak_rss_before_enrich_bytes"] = own_peak_bytes()
        sample = args["enrich_sample"] if not runs else None
        enrich, run["enrich_s"] = timed(stages.enrich, settings, limit=sample)
        with stages.open_warehouse(settings, read_only=True) as conn:
            found = conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NULL").fetchone()
            originals = int(found[0]) if found else 0
        run.update(
            new_entries=poll.new_entries,
            pages_fetched=crawl.pages_fetched,
            articles_new=load.articles_new,
            articles_enriched=enrich.articles,
            stories_with_copies=load.stories_with_copies,
        )
        run["peak_rss_bytes"] = own_peak_bytes()
        if sample:
            # The NLP's time per article on the sample, for every original. The articles left are then marked
            # enriched, as a complete first run would have left them, so the second run finds nothing new.
            per_article = enrich.seconds / max(enrich.articles, 1)
            run["enrich_sample"] = enrich.articles
            run["enrich_extrapolated_s"] = per_article * originals
            with stages.open_warehouse(settings) as conn:
                conn.execute(
                    "UPDATE articles SET nlp_version = ?, enriched_at = fetched_at "
                    "WHERE nlp_version IS NULL AND duplicate_of IS NULL",
                    [enrich.nlp_version],
                )
        runs.append(run)


def bench_e2e(size: int, work: Path, outlets: list[Any], sizes: dict[str, Any]) -> dict[str, Any]:
    site = work / "site"
    articles = corpus.make_articles(size, outlets)
    pages, write_s = timed(corpus.write_site, site, outlets, articles)
    corpus.write_sources(work / "sources.yaml", outlets)
    with corpus.BenchServer(site) as server:
        args = {
            "work": str(work),
            "proxy": server.proxy,
            "download_delay": sizes["download_delay"],
            "enrich_sample": sizes["enrich_sample"],
        }
        done = subprocess.run(
            [sys.executable, __file__, "--e2e-child", json.dumps(args)],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"end-to-end run failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    first, second = result["runs"]
    delay = sizes["download_delay"]
    ceiling = len(outlets) / delay  # one download slot per site, one request per `download_delay` each
    requests = first["pages_fetched"] + len(outlets)  # robots.txt once per site
    result.update(
        articles=size,
        pages_served=pages,
        site_write_s=write_s,
        crawl_requests_per_s=requests / first["crawl_s"],
        politeness_ceiling_requests_per_s=ceiling,
        download_delay=delay,
        first_run_s=first["poll_s"] + first["crawl_s"] + first["load_s"] + first["enrich_extrapolated_s"],
        second_run_s=second["poll_s"] + second["crawl_s"] + second["load_s"] + second["enrich_s"],
    )
    result["second_vs_first"] = result["second_run_s"] / result["first_run_s"]
    return result


# --- 4 and 6. a growing warehouse: load cost per article, 100 new articles, enrich on a sample ----------------


def bench_growth(work: Path, outlets: list[Any], sizes: dict[str, Any]) -> dict[str, Any]:
    import nlp
    import warehouse.enrichment
    from warehouse.db import connect

    home = work / "grow"
    landing = home / "landing"
    steps, additions = [], []
    pipes = nlp.build_pipeline()
    stored, next_number = 0, 0
    for target in sizes["scale"]:
        batch = corpus.make_articles(target - stored, outlets, start=next_number)
        next_number += len(batch)
        _, write_s = timed(corpus.write_landing, landing, batch, fetched_after=FETCHED_AFTER)
        step = load_stage(home)
        stored = target
        nothing, _ = timed(load_stage, home)  # nothing new: what a load finds when nothing was crawled
        # enrich a sample: the NLP's time per article (pipeline loaded once) and the warehouse's share of it
        conn = connect(home / "warehouse.duckdb")
        try:
            start = time.perf_counter()
            todo = warehouse.enrichment.articles_to_enrich(
                conn, nlp.NLP_VERSION, limit=sizes["scale_enrich_sample"]
            )
            inputs = [
                nlp.DocumentInput(
                    r["id"], r["title"] or "", r["text"] or "", r["published_date"], r["language"]
                )
                for r in todo
            ]
            for analysis in nlp.analyze_many(pipes, inputs):
                warehouse.enrichment.save_enrichment(conn, analysis.id, _asdict(analysis), nlp.NLP_VERSION)
            enrich_s = time.perf_counter() - start
        finally:
            conn.close()
        steps.append(
            {
                "stored": target,
                "loaded": step["articles"],
                "write_landing_s": write_s,
                "load_ms_per_article": 1000 * step["total_s"] / max(step["articles"], 1),
                "steps_s": {k: step[k] for k in ("load_s", "dedup_s", "index_s", "close_s")},
                "index": step["index"],
                "nothing_new_s": nothing["total_s"],
                "enrich_sample": len(todo),
                "enrich_ms_per_article": 1000 * enrich_s / max(len(todo), 1),
            }
        )
        if target in sizes["incremental_at"]:
            # Three additions in a row, the median reported: one load of 100 takes under a second, and one
            # sample swung by the closing checkpoint alone (0.2 s one run, 0.5 s the next, at the same size).
            tries = []
            for _ in range(ADDITION_TRIES):
                added = corpus.make_articles(sizes["add"], outlets, start=next_number)
                next_number += len(added)
                corpus.write_landing(landing, added, fetched_after=FETCHED_AFTER)
                tries.append(load_stage(home))
                stored += len(added)
            add = sorted(tries, key=lambda t: t["total_s"])[len(tries) // 2]
            additions.append(
                {
                    "stored": target,
                    "added": add["articles"],
                    "load_stage_s": add["total_s"],
                    "tries_s": [t["total_s"] for t in tries],
                    "steps_s": {k: add[k] for k in ("load_s", "dedup_s", "index_s", "close_s")},
                    "index": add["index"],
                }
            )
    shutil.rmtree(home)
    times = [a["load_stage_s"] for a in additions]
    return {
        "steps": steps,
        "additions": additions,
        "addition_spread": max(times) / min(times) if times else None,
    }


def _asdict(analysis: Any) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(analysis)


# --- 5. start-up ----------------------------------------------------------------------------------------------


def bench_startup(home: Path, runs: int) -> dict[str, Any]:
    stanwire = str(Path(sys.executable).with_name("stanwire"))
    path = str(home / "warehouse.duckdb")
    commands = {
        "baseline": [
            sys.executable,
            "-c",
            f"import duckdb; duckdb.connect({path!r}, read_only=True).sql('select 1')",
        ],
        "sql": [stanwire, "--home", str(home), "sql", "select 1"],
        "status": [stanwire, "--home", str(home), "status"],
        "help": [stanwire, "--help"],
    }
    # Byte-code as an installed stanwire has it: pip compiles a package it installs, and Python caches what it
    # imports, unless told not to (PYTHONDONTWRITEBYTECODE, set on some machines: then `status` compiled the 30
    # stanwire modules it imports from source on every start: 0.05 s in a profile of 0.34 s).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            *(str(REPO / p) for p in ("pipelines", "spiders", "nlp", "warehouse")),
        ],
        check=True,
        capture_output=True,
    )
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # alternate, so a busy moment of the machine falls on all of them
        for name, command in commands.items():
            _, seconds = timed(subprocess.run, command, capture_output=True, check=True)
            times[name].append(seconds)
    median = {name: statistics.median(values) for name, values in times.items()}
    return {
        "median_s": median,
        "ratio": {name: median[name] / median["baseline"] for name in ("sql", "status", "help")},
        "runs": runs,
    }


# --- report ---------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import duckdb
    import spacy

    memory = 0
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "duckdb": duckdb.__version__,
        "spacy": spacy.__version__,
        "stanwire_commit": commit,
    }


def plot(growth: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stored = [s["stored"] for s in growth["steps"]]
    fig, ax = plt.subplots(figsize=(5.5, 3.2), dpi=110)
    ax.plot(stored, [s["load_ms_per_article"] for s in growth["steps"]], "o-", label="load stage")
    ax.plot(stored, [s["enrich_ms_per_article"] for s in growth["steps"]], "s-", label="enrich (sample)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles in the warehouse")
    ax.set_ylabel("ms per article")
    ax.set_title("stanwire: cost per article as the warehouse grows", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str]] = []
    if "nlp" in results:
        rows.extend(_nlp_rows(results["nlp"]))
    if "load" in results:
        rows.extend(_load_rows(results["load"]))
    if "e2e" in results:
        rows.extend(_e2e_rows(results["e2e"]))
    if "growth" in results:
        rows.extend(_addition_rows(results["growth"]))
    if "startup" in results:
        rows.extend(_startup_rows(results["startup"]))
    if "growth" in results:
        rows.extend(_scale_rows(results["growth"]))
    width = max((len(r[0]) for r in rows), default=0)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)


def _nlp_rows(n: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    rows.append(
        (
            "1. enrich, words/s (plain nlp.pipe)",
            f"{n['stanwire_words_per_s']:,.0f} ({n['plain_nlp_pipe_words_per_s']:,.0f}): {n['time_ratio']:.1f}× its time",
        )
    )
    if "workers_words_per_s" in n:
        rows.append(
            (
                f"   with {n['processes']} worker processes",
                f"{n['workers_words_per_s']:,.0f}: {n['workers_ratio']:.2f}× plain's speed"
                f" (workers ready in {n['workers_start_s']:.1f} s)",
            )
        )
    if "workers_tree_peak_rss_bytes" in n:
        rows.append(
            (
                "   peak RSS, all processes (one worker)",
                f"{n['workers_tree_peak_rss_bytes'] / 2**20:,.0f} MiB ({n['worker_peak_rss_bytes'] / 2**20:,.0f} MiB)",
            )
        )
    return rows


def _load_rows(ld: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    rows.append(
        (
            f"2. load {ld['articles']:,} articles/s (read_json)",
            f"{ld['load_stage_articles_per_s']:,.0f} ({ld['read_json_articles_per_s']:,.0f}): {ld['ratio_load_stage']:.2f}×",
        )
    )
    if "ratio_load_dedup" in ld:
        rows.append(
            (
                "   load + dedup, no search index",
                f"{ld['load_dedup_articles_per_s']:,.0f}: {ld['ratio_load_dedup']:.2f}×",
            )
        )
    rows.append(
        (
            "   load_landing alone (read_json)",
            f"{ld['load_landing_articles_per_s']:,.0f}: {ld['ratio_load_landing']:.2f}×",
        )
    )
    return rows


def _e2e_rows(e: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    first = e["runs"][0]
    rows.append((f"3. end to end, {e['articles']:,} articles", f"first run {e['first_run_s']:.0f} s"))
    rows.append(
        (
            "   poll / crawl / load",
            f"{first['poll_s']:.1f} / {first['crawl_s']:.1f} / {first['load_s']:.1f} s",
        )
    )
    rows.append(
        (
            f"   enrich ({first['enrich_sample']} sampled, extrapolated)",
            f"{first['enrich_extrapolated_s']:.0f} s",
        )
    )
    rows.append(
        (
            "   peak RSS pipeline process (crawl process; all)",
            f"{e['peak_rss_bytes'] / 2**20:,.0f} MiB ({e['crawl_process_peak_rss_bytes'] / 2**20:,.0f} MiB; "
            f"{e.get('tree_peak_rss_bytes', 0) / 2**20:,.0f} MiB)",
        )
    )
    rows.append(
        (
            "   crawl requests/s (politeness ceiling)",
            f"{e['crawl_requests_per_s']:.0f} ({e['politeness_ceiling_requests_per_s']:.0f})",
        )
    )
    rows.append(
        (
            "4. second run, nothing new / first run",
            f"{e['second_run_s']:.1f} s / {e['first_run_s']:.0f} s = {100 * e['second_vs_first']:.1f} %",
        )
    )
    return rows


def _addition_rows(growth: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for a in growth["additions"]:
        rows.append(
            (
                f"   {a['added']} new articles at {a['stored']:,} stored",
                f"{a['load_stage_s']:.2f} s, median of "
                + " / ".join(f"{t:.2f}" for t in a.get("tries_s", [a["load_stage_s"]]))
                + f" (index {a['index']})",
            )
        )
    if growth["addition_spread"]:
        rows.append(("   slowest / fastest of those", f"{growth['addition_spread']:.2f}×"))
    return rows


def _startup_rows(s: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    rows.append(("5. start-up (python -c duckdb …)", f"{s['median_s']['baseline']:.2f} s"))
    for name in ("sql", "status", "help"):
        rows.append((f"   stanwire {name}", f"{s['median_s'][name]:.2f} s: {s['ratio'][name]:.1f}×"))
    return rows


def _scale_rows(growth: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for st in growth["steps"]:
        rows.append(
            (
                f"6. at {st['stored']:,} stored: load / enrich",
                f"{st['load_ms_per_article']:.2f} / {st['enrich_ms_per_article']:.0f} ms per article",
            )
        )
    return rows


STAGES = ("nlp", "load", "e2e", "startup", "growth")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small corpus (CI): under two minutes")
    parser.add_argument("--out", type=Path, help="results JSON (default: bench/results.json or -quick)")
    parser.add_argument(
        "--only",
        help=f"comma-separated stages to run again ({', '.join(STAGES)}); the others are kept from --out",
    )
    parser.add_argument("--e2e-child", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.e2e_child:
        print(json.dumps(e2e_child(json.loads(options.e2e_child))))
        return 0
    mode = "quick" if options.quick else "full"
    sizes = SIZES[mode]
    out = options.out or REPO / "bench" / ("results-quick.json" if options.quick else "results.json")
    stages = STAGES
    results: dict[str, Any] = {}
    if options.only:
        stages = tuple(s.strip() for s in options.only.split(",") if s.strip())
        unknown = sorted(set(stages) - set(STAGES))
        if unknown:
            parser.error(f"--only: unknown stage {', '.join(unknown)} (stages: {', '.join(STAGES)})")
        if out.exists():
            results = json.loads(out.read_text(encoding="utf-8"))
            if results.get("mode") != mode:
                parser.error(f"--only: {out} holds a {results.get('mode')} run, not a {mode} one")
    results.update(mode=mode, sizes=sizes, machine=machine())
    outlets = corpus.make_outlets()
    with tempfile.TemporaryDirectory(prefix="stanwire-bench-") as tmp:
        work = Path(tmp)
        if "nlp" in stages:
            print("1. enrich against plain nlp.pipe …", flush=True)
            results["nlp"] = bench_nlp(options.quick)
        if "load" in stages:
            print("2. load against read_json …", flush=True)
            results["load"] = bench_load(sizes["load"], work, outlets)
        if "e2e" in stages:
            print(
                f"3. end to end at {sizes['e2e']:,} articles (enrich on a sample of {sizes['enrich_sample']}) …",
                flush=True,
            )
            results["e2e"] = bench_e2e(sizes["e2e"], work, outlets, sizes)
        if "startup" in stages:
            print("5. start-up …", flush=True)
            home = work / "home"
            if not (home / "warehouse.duckdb").exists():  # without the end-to-end run: an empty warehouse
                from warehouse.db import connect

                home.mkdir(parents=True, exist_ok=True)
                connect(home / "warehouse.duckdb").close()
            results["startup"] = bench_startup(home, sizes["startup_runs"])
        if "growth" in stages:
            print(f"4./6. a warehouse growing to {sizes['scale'][-1]:,} articles …", flush=True)
            results["growth"] = bench_growth(work, outlets, sizes)
    if "growth" in stages:
        png = REPO / "docs" / "bench-scaling.png" if mode == "full" else out.with_suffix(".png")
        plot(results["growth"], png)
        results["plot"] = str(png.relative_to(REPO)) if png.is_relative_to(REPO) else str(png)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\nenrich figures of (3) and (6) are measured on a sample and extrapolated; results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
