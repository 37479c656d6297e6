"""Benchmarks: speed ratios against a baseline measured in the same run (never absolute limits).

    python bench/run.py            (make bench)

1. Story clustering: MinHash LSH (warehouse.dedup) against comparing every pair of signatures, on synthetic
   articles with syndicated copies; both must find the same clusters.
2. NLP: stanwire's full pipeline (gazetteer, rules, events) against a plain en_core_web_sm pass over the same
   English documents (the gold set), in documents per second.
3. Loading: `load_landing` (checks, dedup by hash, one transaction per batch) against a bare INSERT of the same
   rows, in articles per second.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from warehouse.dedup import DEFAULT_THRESHOLD, NUM_PERM, signature  # noqa: E402

WORDS = [
    "operator",
    "ministry",
    "signed",
    "contract",
    "fibre",
    "network",
    "tower",
    "mobile",
    "internet",
    "block",
    "regulator",
    "satellite",
    "licence",
    "Huawei",
    "ZTE",
    "Beeline",
    "Kcell",
    "Uztelecom",
    "Tcell",
    "Megacom",
    "Kazakhtelecom",
    "Bishkek",
    "Tashkent",
    "Dushanbe",
    "Almaty",
    "Astana",
    "agreement",
    "memorandum",
    "loan",
    "bank",
    "data",
    "centre",
    "cable",
    "provider",
    "users",
    "access",
    "VPN",
    "sites",
    "court",
    "fine",
    "law",
    "deputies",
]


def synthetic_articles(stories: int, copies: int, seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)
    texts = {f"s{i}": " ".join(rng.choice(WORDS) for _ in range(220)) for i in range(stories)}
    for j in range(copies):
        original = texts[f"s{rng.randrange(stories)}"].split()
        lead = " ".join(rng.choice(WORDS) for _ in range(25))
        texts[f"c{j}"] = lead + " " + " ".join(original[: int(len(original) * 0.85)])
    return texts


def clusters_lsh(signatures: dict) -> set[frozenset[str]]:  # type: ignore[type-arg]
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=DEFAULT_THRESHOLD, num_perm=NUM_PERM)
    pairs = set()
    for key, sig in signatures.items():
        for other in lsh.query(sig):
            if sig.jaccard(signatures[other]) >= DEFAULT_THRESHOLD:
                pairs.add(frozenset((key, other)))
        lsh.insert(key, sig)
    return pairs


def clusters_all_pairs(signatures: dict) -> set[frozenset[str]]:  # type: ignore[type-arg]
    keys = list(signatures)
    return {
        frozenset((a, b))
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if signatures[a].jaccard(signatures[b]) >= DEFAULT_THRESHOLD
    }


def timed(function, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def bench_clustering() -> None:
    texts = synthetic_articles(stories=1500, copies=300)
    signatures = {key: signature(text) for key, text in texts.items()}
    lsh_pairs, lsh_s = timed(clusters_lsh, signatures)
    naive_pairs, naive_s = timed(clusters_all_pairs, signatures)
    print(f"1. story clustering, {len(texts)} articles ({len(naive_pairs)} same-story pairs)")
    print(f"   all pairs (baseline) {naive_s:8.2f} s")
    print(
        f"   MinHash LSH          {lsh_s:8.2f} s   {naive_s / lsh_s:6.1f}× faster, same pairs: {lsh_pairs == naive_pairs}"
    )


def bench_nlp() -> None:
    import spacy

    import nlp
    from eval.nlp.gold_set import load_gold
    from pipelines.settings import Settings

    docs = [d for d in load_gold(REPO / "eval" / "nlp" / "gold") if d.language == "en"]
    inputs = [nlp.DocumentInput(d.id, d.title, d.text, d.published, d.language) for d in docs]
    pipes = nlp.build_pipeline()
    plain = spacy.load(Settings().model)  # the same model, without stanwire's components
    nlp.analyze_many(pipes, inputs[:2])  # warm up both
    list(plain.pipe([d.text for d in docs[:2]]))
    _, ours = timed(nlp.analyze_many, pipes, inputs)
    _, base = timed(lambda texts: list(plain.pipe(texts)), [f"{d.title}\n\n{d.text}" for d in docs])
    print(f"2. NLP on {len(docs)} English gold documents")
    print(f"   plain en_core_web_sm (baseline) {len(docs) / base:7.1f} docs/s")
    print(
        f"   stanwire pipeline               {len(docs) / ours:7.1f} docs/s   {ours / base:5.2f}× the baseline's time"
    )


def bench_load() -> None:
    import duckdb

    from tests.warehouse.conftest import write_article
    from warehouse.db import connect
    from warehouse.loader import load_landing

    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        texts = synthetic_articles(stories=1000, copies=0)
        for key, text in texts.items():
            write_article(landing, f"https://bench.example/{key}", text=text, title=f"Story {key}")
        conn = connect(Path(tmp) / "w.duckdb")
        report, ours = timed(load_landing, conn, landing)
        conn.close()
        bare = duckdb.connect()
        bare.execute("CREATE TABLE t (id VARCHAR PRIMARY KEY, url VARCHAR, text VARCHAR)")
        rows = [(key, f"https://bench.example/{key}", text) for key, text in texts.items()]
        _, base = timed(lambda r: bare.executemany("INSERT INTO t VALUES (?, ?, ?)", r), rows)
        bare.close()
    print(f"3. loading {report.articles_new} articles from landing files")
    print(f"   bare INSERT of the rows (baseline) {len(rows) / base:8.0f} articles/s")
    print(
        f"   load_landing                       {report.articles_new / ours:8.0f} articles/s   {ours / base:5.1f}× the baseline's time"
    )


if __name__ == "__main__":
    bench_clustering()
    bench_nlp()
    bench_load()
