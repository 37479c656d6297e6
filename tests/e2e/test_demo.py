"""`stanwire demo` end to end: local server, Prefect flow, warehouse, digest — twice, to check idempotency."""

import json
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import Cli, sql_json

pytestmark = pytest.mark.e2e

COUNTS = """
SELECT (SELECT count(*) FROM articles) AS articles,
       (SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL) AS duplicates,
       (SELECT count(DISTINCT canonical_url) FROM articles) AS canonical_urls,
       (SELECT count(*) FROM organizations) AS organizations,
       (SELECT count(*) FROM article_organizations) AS article_organizations,
       (SELECT count(*) FROM article_countries) AS article_countries,
       (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM event_parties) AS event_parties
"""


def test_demo_runs_the_whole_pipeline_and_a_second_run_adds_nothing(demo_cli: Cli) -> None:
    cli = demo_cli
    out = cli.first_run.stdout  # type: ignore[attr-defined]
    assert "stanwire run summary" in out
    assert "feeds ok / failed" in out
    assert "ghost-gazette" in out
    assert "HTML page" in out
    assert "stanwire" in out
    assert "sql" in out

    counts = sql_json(cli, COUNTS)[0]
    assert counts["articles"] >= 60
    assert counts["canonical_urls"] == counts["articles"]
    assert counts["organizations"] > 20
    assert counts["article_countries"] > 30
    assert counts["events"] > 5

    by_source = {
        r["source"]: r["n"] for r in sql_json(cli, "SELECT source, count(*) AS n FROM articles GROUP BY 1")
    }
    assert set(by_source) == {"steppe-dispatch", "silk-wire", "toolor", "dala"}
    languages = {
        r["language"]: r["n"]
        for r in sql_json(cli, "SELECT language, count(*) AS n FROM articles GROUP BY 1")
    }
    assert languages.get("ru", 0) >= 20
    assert languages.get("en", 0) >= 40

    polls = sql_json(cli, "SELECT source, error FROM feed_polls ORDER BY source")
    failed = {r["source"] for r in polls if r["error"]}
    assert failed == {"ghost-gazette"}
    assert len(polls) == 5

    # The corpus has five syndicated copies (`syndicated_from:` in demo/corpus), each of its own original.
    stories = sql_json(
        cli,
        "SELECT story_cluster_id, count(DISTINCT source) AS outlets, count(*) AS n FROM articles "
        "GROUP BY story_cluster_id HAVING count(*) > 1",
    )
    assert len(stories) == 5
    assert all(s["outlets"] == 2 and s["n"] == 2 for s in stories)

    digests = list((cli.home / "digests").glob("2026-W*.md"))  # type: ignore[attr-defined]
    assert len(digests) == 1
    text = digests[0].read_text(encoding="utf-8")
    assert "## Agreements" in text
    assert "## Censorship and shutdowns" in text
    assert "(http://stanwire.test/" in text  # links to the articles, at the outlets' stable address

    first_run_polls = sql_json(cli, "SELECT max(id) AS last FROM feed_polls")[0]["last"]
    second = cli("demo")
    assert "stanwire run summary" in second.stdout
    assert sql_json(cli, COUNTS)[0] == counts
    assert len(sql_json(cli, "SELECT * FROM feed_polls")) == 10  # every poll is recorded...
    new_in_second = sql_json(
        cli,
        f"SELECT sum(new_entries) AS n FROM feed_polls WHERE id > {int(first_run_polls)}",
    )
    assert new_in_second[0]["n"] in (0, None)  # ...but nothing is queued twice


def test_views_search_and_exports_on_the_demo(demo_cli: Cli, tmp_path: Path) -> None:
    cli = demo_cli
    syndicated = sql_json(cli, "SELECT outlet_count FROM v_stories WHERE outlet_count > 1")
    assert [row["outlet_count"] for row in syndicated] == [2] * 5
    weekly = sql_json(
        cli, "SELECT week, name, articles FROM v_org_mentions_weekly ORDER BY articles DESC LIMIT 3"
    )
    assert all(row["week"].startswith("2026-W") and row["articles"] >= 1 for row in weekly)
    assert sql_json(cli, "SELECT count(*) AS n FROM v_country_mentions_weekly WHERE code = 'KG'")[0]["n"] >= 3

    hits = json.loads(cli("search", "Huawei 5G", "--format", "json", "--limit", "5").stdout)
    assert hits
    assert all("huawei" in (h["title"] + h["snippet"]).lower() for h in hits[:3])
    russian = json.loads(cli("search", "VPN", "--source", "toolor", "--format", "json").stdout)
    assert russian
    assert all(h["source"] == "toolor" for h in russian)

    query = tmp_path / "q.sql"
    query.write_text("SELECT source, count(*) AS n FROM articles GROUP BY source", encoding="utf-8")
    parquet = tmp_path / "by_source.parquet"
    cli("sql", "--file", str(query), "--format", "parquet", "--out", str(parquet))
    assert dict(duckdb.sql(f"SELECT source, n FROM '{parquet}'").fetchall())["toolor"] == 14
    assert cli("sql", "SELECT 1", "--format", "parquet", check=False).returncode == 1

    cli("export", "--to", str(tmp_path / "export"))
    exported = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/export/articles/*/*.parquet', hive_partitioning = true)"
    ).fetchone()
    assert exported == (68,)


def test_sql_and_status_answer_after_a_run(demo_cli: Cli) -> None:
    cli = demo_cli
    assert cli("sql", "select count(*) as n from articles").returncode == 0
    csv_out = cli(
        "sql", "SELECT source FROM articles ORDER BY source LIMIT 2", "--format", "csv"
    ).stdout.splitlines()
    assert csv_out[0] == "source"
    assert len(csv_out) == 3
    from_stdin = cli("sql", "-", "--format", "json", stdin="SELECT 41 + 1 AS answer")
    assert '"answer": 42' in from_stdin.stdout

    bad = cli("sql", "SELEC nonsense", check=False)
    assert bad.returncode != 0
    assert "error:" in bad.stderr
    assert "syntax error" in bad.stderr.lower()
    assert len(bad.stderr.strip().splitlines()) == 1

    write = cli("sql", "DELETE FROM articles", check=False)
    assert write.returncode != 0
    assert "read-only" in write.stderr.lower()

    status = cli("status").stdout
    assert "ghost-gazette" in status
    assert "steppe-dispatch" in status
    assert "due now" not in status  # just polled: every feed's next poll lies ahead
    two_days_later = cli("status", now="2026-12-02T06:00:00+06:00").stdout
    feeds = [line for line in two_days_later.splitlines() if "stanwire.test/" in line and "feed" in line]
    assert len(feeds) == 5
    assert all("due now" in line for line in feeds)  # the longest interval is a day


def test_commands_fail_with_one_line_reasons(cli: Cli, tmp_path: Path) -> None:
    missing = cli("--sources", str(tmp_path / "nope.yaml"), "poll", check=False)
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n  - name: x\n    title: X\n    language: fr\n    feeds: [http://127.0.0.1:9/x]\n"
    )
    invalid = cli("--sources", str(bad), "poll", check=False)
    assert invalid.returncode == 1
    assert "bad.yaml:4: key 'language'" in invalid.stderr
    week = cli("digest", "--week", "2026-47", check=False)
    assert week.returncode == 1
    assert "ISO week" in week.stderr
    nothing_yet = cli("digest", check=False)
    assert nothing_yet.returncode == 1
    assert "no warehouse" in nothing_yet.stderr
    assert not (cli.home / "warehouse.duckdb").exists()  # type: ignore[attr-defined]  # failed commands create nothing
    status = cli("status", check=False)
    assert status.returncode == 1
    assert "no warehouse" in status.stderr


COOKBOOK = Path(__file__).resolve().parents[2] / "docs" / "queries.md"


def test_every_query_of_the_cookbook_runs_and_the_views_answer(demo_cli: Cli) -> None:
    text = COOKBOOK.read_text(encoding="utf-8")
    queries = [block.split("```", 1)[0] for block in text.split("```sql\n")[1:]]
    assert len(queries) >= 10
    answered = 0
    for query in queries:
        result = demo_cli("sql", "-", "--format", "json", stdin=query, check=False)
        assert result.returncode == 0, f"{query}\n{result.stderr}"
        answered += bool(json.loads(result.stdout))
    assert answered >= len(queries) - 2  # on the demo, nearly every question has an answer
