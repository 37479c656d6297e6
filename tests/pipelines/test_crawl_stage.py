"""The crawl stage: sources shared out between crawl processes, and the same landing files as one process."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from pipelines import stages
from pipelines.clock import make_clock
from pipelines.demo import DEMO_DIR, DEMO_NOW, DemoServer
from pipelines.settings import load_settings
from pipelines.sources import Source, load_sources


def _source(name: str, sections: int = 0) -> Source:
    demo = load_sources(DEMO_DIR / "sources.yaml")[0]
    return dataclasses.replace(demo, name=name, sections=tuple(f"http://x.test/{i}" for i in range(sections)))


def _queued(**counts: int) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [{"url": f"http://x.test/{name}/{i}", "source": name} for i in range(n)]
        for name, n in counts.items()
    }


def test_sources_are_shared_out_by_their_work_each_in_one_group() -> None:
    sources = [_source("a"), _source("b", sections=2), _source("c"), _source("d"), _source("idle")]
    queued = _queued(a=10, b=4, c=5, d=1)
    groups = stages._crawl_groups(sources, queued, True, 2)
    # work: a 10, b 4 + 2 sections, c 5, d 1; the largest first onto the least loaded: a, d | b, c = 11 | 11
    assert [[s.name for s in group] for group in groups] == [["a", "d", "idle"], ["b", "c"]]
    # without sections b weighs 4: a | c, b, d = 10 | 10 (d onto the 9, not the 10)
    assert [[s.name for s in g] for g in stages._crawl_groups(sources, queued, False, 2)] == [
        ["a", "idle"],
        ["c", "b", "d"],
    ]
    # never more groups than sources with work, never fewer than one
    assert len(stages._crawl_groups(sources, queued, True, 16)) == 4
    assert [[s.name for s in g] for g in stages._crawl_groups(sources, {}, False, 4)] == [
        ["a", "b", "c", "d", "idle"]
    ]


def _landed(home: Path) -> dict[str, dict[str, Any]]:
    """Each landing article by URL, without the fetch time (each process keeps its own clock)."""
    found = {}
    for path in (home / "landing" / "articles").rglob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        record.pop("fetched_at")
        found[record["url"]] = record | {"file": path.name}
    return found


def test_several_crawl_processes_land_what_one_lands(tmp_path: Path) -> None:
    processes = 3
    sources = load_sources(DEMO_DIR / "sources.yaml")
    reports, homes = {}, {}
    with DemoServer(DEMO_DIR / "site") as server:
        for count in (1, processes):
            settings = load_settings(
                config_file=None,
                home=str(tmp_path / f"home-{count}"),
                sources=str(DEMO_DIR / "sources.yaml"),
                now=DEMO_NOW,
                proxy=server.proxy,
                download_delay=0.0,
                autothrottle=False,
                crawl_processes=count,
            )
            clock = make_clock(settings.now)
            stages.poll(settings, sources, clock=clock)
            reports[count] = stages.crawl(settings, sources, clock=clock)
            homes[count] = settings.home
    one, several = reports[1], reports[processes]
    assert (one.processes, several.processes) == (1, processes)
    assert one.pages_fetched > 20
    for field in ("queued_urls", "sections", "pages_fetched", "articles_written", "errors", "listing_pages"):
        assert getattr(several, field) == getattr(one, field), field
    assert _landed(homes[processes]) == _landed(homes[1])
    # each part crawled its own sources, and together all of them
    parts = sorted(several.job_dir.glob("part-*/job.json"))
    assert len(parts) == processes
    names = [[s["name"] for s in json.loads(p.read_text())["sources"]] for p in parts]
    assert sorted(n for group in names for n in group) == sorted(s.name for s in sources)
    assert all(group for group in names)
    assert all((p.parent / "report.json").is_file() for p in parts)


def test_when_one_crawl_process_fails_the_others_finish_and_its_error_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import spiders.run
    from spiders.errors import CrawlError

    finished = []

    def run(path: Path, *, timeout: float) -> dict[str, int]:
        if path.parent.name != "part-2":
            raise CrawlError(f"crawl process exited with code 1 ({path.parent.name})")
        finished.append(path)
        return {"pages_fetched": 3}

    monkeypatch.setattr(spiders.run, "run_crawl_subprocess", run)
    paths = [tmp_path / f"part-{i}" / "job.json" for i in (1, 2, 3)]
    with pytest.raises(CrawlError, match=r"\(part-1\)"):
        stages._crawl_in_parallel(paths, 60)
    assert finished == [paths[1]]  # the one that worked ran to its end
    assert "part-3/job.json failed too: crawl process exited with code 1 (part-3)" in caplog.text  # not lost
