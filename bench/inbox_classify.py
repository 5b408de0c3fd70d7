"""Inbox classification throughput on one core: real review texts, ours vs SnowNLP.

Takes ``--messages`` (default 50,000) real review texts from the shared corpora in
``../shared/data/reviews`` (beside the repository) as realistic messages, pins the
process to one CPU core, and measures in the same run:

* ``classify_many`` (sentiment + intent for every message; keywords are segmented
  lazily, only when read), in batches of ``--batch`` messages;
* the same with every message's keywords read as well (jieba segmentation);
* the baseline: ``SnowNLP(text).sentiments`` (sentiment only) over the first
  ``--baseline`` texts, its rate extrapolated to all of them.

Run: ``.venv/bin/python bench/inbox_classify.py [--messages 50000]``.
"""

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")

import django  # noqa: E402

django.setup()

from fanloop.inbox.nlp import classify_many, default_model  # noqa: E402
from fanloop.inbox.nlp.features import BOM  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "reviews"


def texts(limit: int) -> list[str]:
    out: list[str] = []
    for name in ("online_shopping_10_cats.csv", "ChnSentiCorp_htl_all.csv"):
        with open(DATA / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = (row.get("review") or "").replace(BOM, "").strip()
                if text:
                    out.append(text)
    # Every k-th text, so that all categories are represented.
    step = max(1, len(out) // limit)
    return out[::step][:limit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--baseline", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no review data at {DATA}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    messages = texts(args.messages)
    lengths = [len(t) for t in messages]
    print(
        f"{len(messages):,} real review texts, {statistics.mean(lengths):.0f} characters on "
        f"average (median {statistics.median(lengths):.0f}); one core; batches of {args.batch:,}"
    )
    model = default_model()
    classify_many(messages[:2_000], model)  # builds the automata once, as a server would

    def run(with_keywords: bool) -> float:
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            for i in range(0, len(messages), args.batch):
                results = classify_many(messages[i : i + args.batch], model)
                if with_keywords:
                    for result in results:
                        _ = result.keywords
            best = min(best, time.perf_counter() - started)
        return len(messages) / best

    ours = run(False)
    print(f"ours, classify_many (sentiment + intent):      {ours:>9,.0f} messages/s")
    with_kw = run(True)
    print(f"ours, also reading every message's keywords:   {with_kw:>9,.0f} messages/s")

    from snownlp import SnowNLP

    sample = messages[: args.baseline]
    started = time.perf_counter()
    for text in sample:
        _ = SnowNLP(text).sentiments
    baseline = len(sample) / (time.perf_counter() - started)
    print(
        f"baseline, SnowNLP sentiments ({len(sample):,} texts): {baseline:>9,.0f} messages/s "
        f"(~{len(messages) / baseline:,.0f} s for all {len(messages):,})"
    )
    print(
        f"ratio ours / SnowNLP: {ours / baseline:,.1f}x (with keywords {with_kw / baseline:,.1f}x)"
    )


if __name__ == "__main__":
    main()
