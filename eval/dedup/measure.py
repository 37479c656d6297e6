"""Choose the story-cluster threshold by measurement: precision/recall/F1 of "same story" per threshold.

    python eval/dedup/measure.py

Labelled pairs: every pair of the demo corpus's articles (a syndicated copy and its original, or two copies of one
original, are the same story; every other pair, same-topic stories and the two languages included, is not), plus
the hand-written pairs of eval/dedup/pairs.yaml. Similarity is the MinHash estimate warehouse.dedup uses; the
exact Jaccard of word shingles of other sizes is shown for comparison.
"""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
for extra in (REPO, REPO / "demo"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from build_site import load_corpus  # noqa: E402

from warehouse.dedup import DEFAULT_THRESHOLD, SHINGLE_WORDS, shingles, signature  # noqa: E402

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def labelled_pairs() -> list[tuple[str, str, bool, str]]:
    """(text a, text b, same story?, name) for every pair measured."""
    _, articles = load_corpus(REPO / "demo" / "corpus")
    story = {
        f"{a.outlet.name}/{a.slug}": (a.syndicated_from or f"{a.outlet.name}/{a.slug}") for a in articles
    }
    texts = {f"{a.outlet.name}/{a.slug}": a.body or "" for a in articles}
    pairs = [
        (texts[x], texts[y], story[x] == story[y], f"{x} ~ {y}") for x, y in combinations(sorted(texts), 2)
    ]
    extra = yaml.safe_load((Path(__file__).with_name("pairs.yaml")).read_text(encoding="utf-8"))
    pairs += [(p["a"], p["b"], bool(p["same"]), p["name"]) for p in extra["pairs"]]
    return pairs


def exact_jaccard(a: str, b: str, size: int) -> float:
    x, y = shingles(a, size), shingles(b, size)
    return len(x & y) / len(x | y) if x | y else 0.0


def scores(similarities: list[float], labels: list[bool], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for s, same in zip(similarities, labels, strict=True) if s >= threshold and same)
    fp = sum(1 for s, same in zip(similarities, labels, strict=True) if s >= threshold and not same)
    fn = sum(1 for s, same in zip(similarities, labels, strict=True) if s < threshold and same)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    pairs = labelled_pairs()
    labels = [same for _, _, same, _ in pairs]
    print(f"{len(pairs)} labelled pairs, {sum(labels)} of them the same story")
    cache: dict[str, object] = {}

    def sig(text: str):
        if text not in cache:
            cache[text] = signature(text)
        return cache[text]

    minhash = [float(sig(a).jaccard(sig(b))) for a, b, _, _ in pairs]  # type: ignore[attr-defined]
    columns = {f"minhash w{SHINGLE_WORDS} (used)": minhash}
    for size in (2, 3, 5):
        columns[f"exact w{size}"] = [exact_jaccard(a, b, size) for a, b, _, _ in pairs]
    print(f"{'threshold':>9}  " + "  ".join(f"{name:>22}" for name in columns))
    for t in THRESHOLDS:
        cells = []
        for values in columns.values():
            p, r, f = scores(values, labels, t)
            cells.append(f"P {p:.2f} R {r:.2f} F1 {f:.2f}")
        print(f"{t:>9.1f}  " + "  ".join(f"{c:>22}" for c in cells))
    same = sorted(s for s, label in zip(minhash, labels, strict=True) if label)
    other = sorted((s for s, label in zip(minhash, labels, strict=True) if not label), reverse=True)
    print(f"same-story pairs: lowest similarity {same[0]:.2f}; other pairs: highest {other[0]:.2f}")
    p, r, f = scores(minhash, labels, DEFAULT_THRESHOLD)
    print(
        f"chosen threshold {DEFAULT_THRESHOLD} (warehouse.dedup.DEFAULT_THRESHOLD): P {p:.2f} R {r:.2f} F1 {f:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
