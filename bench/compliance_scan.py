"""Compliance dictionary scan: Aho-Corasick vs one compiled regex alternation.

Reads the review corpus (/work/shared/data/reviews/*.csv, ``review`` column), repeats it
to at least 20 MB, then in the same run measures

* the engine's dictionary stage (one Aho-Corasick pass over all shipped terms),
* the baseline: ONE compiled ``re`` alternation of the same terms, longest first,
* the full ``check_text`` (dictionary + exceptions + privacy regexes) for honesty.

Raw hit counts are compared on non-overlapping leftmost-longest matches, which is what a
longest-first alternation returns. Run: ``.venv/bin/python bench/compliance_scan.py``.
"""

import csv
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")

import django

django.setup()

from fanloop.compliance import dictionary  # noqa: E402
from fanloop.compliance.engine import CheckContext, check_text  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "reviews"
TARGET_BYTES = 20 * 1024 * 1024


def load_corpus() -> str:
    files = sorted(DATA.glob("*.csv"))
    if not files:
        sys.exit(f"No review corpus found: expected CSV files in {DATA}")
    texts: list[str] = []
    csv.field_size_limit(10_000_000)
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if "review" not in (reader.fieldnames or []):
                continue
            texts.extend(row["review"] or "" for row in reader)
    corpus = "\n".join(texts)
    size = len(corpus.encode("utf-8"))
    if size == 0:
        sys.exit(f"The CSV files in {DATA} have no 'review' text.")
    repeat = max(1, -(-TARGET_BYTES // size))
    return "\n".join([corpus] * repeat)


def timed[T](fn: Callable[..., T], *args: object) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main() -> None:
    corpus = load_corpus()
    megabytes = len(corpus.encode("utf-8")) / 1e6
    shipped = dictionary.load()
    terms = shipped.terms
    print(f"corpus: {megabytes:.1f} MB ({len(corpus):,} chars), {len(terms)} terms")

    norm, t_norm = timed(dictionary.normalise, corpus)

    matcher = dictionary.Matcher(terms)  # terms only, as the regex has
    t0 = time.perf_counter()
    ac_hits = matcher.count_longest(norm)
    t_ac = time.perf_counter() - t0

    keys = sorted({term.key for term in terms}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(key) for key in keys))
    t0 = time.perf_counter()
    re_hits = sum(1 for _ in pattern.finditer(norm))
    t_re = time.perf_counter() - t0

    # The engine's dictionary stage: terms + exceptions, all overlapping hits
    base = dictionary.base_matcher()
    t0 = time.perf_counter()
    stage_hits, stage_spans = base.scan(norm)
    t_stage = time.perf_counter() - t0 + t_norm

    # Full engine on the same text, post by post as it would be used (1/4 of the corpus)
    sample = corpus[: len(corpus) // 4]
    posts = sample.split("\n")
    sample_mb = len(sample.encode("utf-8")) / 1e6
    context = CheckContext(platform="xiaohongshu")
    t0 = time.perf_counter()
    findings = sum(len(check_text(post, context)) for post in posts)
    t_full = time.perf_counter() - t0

    ac_rate, re_rate = megabytes / t_ac, megabytes / t_re
    print(f"normalise (same for both, not in the rates below): {megabytes / t_norm:8.1f} MB/s")
    print(f"aho-corasick (leftmost-longest): {ac_rate:8.1f} MB/s  hits {ac_hits:,}")
    print(f"regex alternation (baseline):    {re_rate:8.1f} MB/s  hits {re_hits:,}")
    print(f"ratio aho-corasick / regex:      {ac_rate / re_rate:8.1f}x")
    print(f"hit counts agree:                {ac_hits == re_hits}")
    print(
        f"engine dictionary stage incl. normalise (all hits + exception spans): "
        f"{megabytes / t_stage:.1f} MB/s ({len(stage_hits):,} hits, "
        f"{len(stage_spans):,} exception spans)"
    )
    print(
        f"full check_text per post (dictionary, exceptions, privacy regexes): "
        f"{sample_mb / t_full:.1f} MB/s over {len(posts):,} posts, {findings:,} findings"
    )


if __name__ == "__main__":
    main()
