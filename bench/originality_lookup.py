"""Originality lookup: MinHash + LSH index in the database vs brute-force exact Jaccard.

Synthesises ~1,000-character posts from the review corpus's sentences, bulk-indexes
100,000 of them into a temporary SQLite database (FANLOOP_DATA_DIR in a temp dir, then
``migrate``), and times 200 lookups (half near-duplicates of indexed posts with a few
sentences changed, half fresh posts); prints p50/p95 and the near-duplicate recall. The
baseline, measured in the same run, is brute-force exact Jaccard over 3-gram shingle sets
against 5,000 posts, extrapolated per post to the full index size.

Run: ``.venv/bin/python bench/originality_lookup.py [--posts N]``.
"""

import argparse
import csv
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "reviews"
_tmp = tempfile.TemporaryDirectory(prefix="fanloop-bench-")
os.environ["FANLOOP_DATA_DIR"] = _tmp.name
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanloop.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from fanloop.compliance import originality  # noqa: E402
from fanloop.core.models import Workspace  # noqa: E402


def sentences() -> list[str]:
    files = sorted(DATA.glob("*.csv"))
    if not files:
        sys.exit(f"No review corpus found: expected CSV files in {DATA}")
    found: list[str] = []
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for part in re.split(r"(?<=[。！？!?；;])", row.get("review") or ""):
                    if 8 <= len(part.strip()) <= 120:
                        found.append(part.strip())
    if not found:
        sys.exit(f"No 'review' sentences found in {DATA}")
    return found


def make_post(pool: list[str], rng: random.Random, length: int = 1000) -> list[str]:
    parts: list[str] = []
    size = 0
    while size < length:
        part = rng.choice(pool)
        parts.append(part)
        size += len(part)
    return parts


def near_duplicate(parts: list[str], pool: list[str], rng: random.Random) -> str:
    changed = list(parts)
    for _ in range(max(1, len(changed) // 10)):  # replace ~10 % of the sentences
        changed[rng.randrange(len(changed))] = rng.choice(pool)
    return "".join(changed)


def shingle_set(text: str) -> set[str]:
    norm = originality.normalise(text)
    return {norm[i : i + 3] for i in range(max(1, len(norm) - 2))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--baseline-posts", type=int, default=5_000)
    args = parser.parse_args()

    rng = random.Random(7)
    pool = sentences()
    print(f"sentence pool: {len(pool):,}")
    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(name="Bench", slug="bench")

    posts = [make_post(pool, rng) for _ in range(args.posts)]
    texts = ["".join(parts) for parts in posts]
    t0 = time.perf_counter()
    originality.index_many(
        workspace, ((f"post:{i}", text, f"post {i}") for i, text in enumerate(texts))
    )
    build = time.perf_counter() - t0
    mean_len = statistics.mean(len(t) for t in texts[:1000])
    print(
        f"indexed {args.posts:,} posts (~{mean_len:.0f} chars) in {build:.1f} s "
        f"({args.posts / build:,.0f} posts/s)"
    )

    queries: list[tuple[str, str | None]] = []
    for i in range(args.lookups):
        if i % 2 == 0:
            target = rng.randrange(args.posts)
            queries.append((near_duplicate(posts[target], pool, rng), f"post:{target}"))
        else:
            queries.append(("".join(make_post(pool, rng)), None))
    originality.check_originality(workspace, queries[0][0])  # warm up
    timings: list[float] = []
    found = 0
    for text, wanted in queries:
        t0 = time.perf_counter()
        result = originality.check_originality(workspace, text)
        timings.append((time.perf_counter() - t0) * 1000)
        if wanted is not None and result.similar and result.similar[0].key == wanted:
            found += 1
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"LSH lookup over {args.posts:,} posts: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"near-duplicates found as the top match: {found}/{len(queries[::2])}")

    history = [shingle_set(text) for text in texts[: args.baseline_posts]]
    sample = [text for text, _target in queries[:20]]
    t0 = time.perf_counter()
    for text in sample:
        query = shingle_set(text)
        max(len(query & other) / len(query | other) for other in history)
    brute = (time.perf_counter() - t0) / len(sample)
    per_post = brute / len(history)
    extrapolated = per_post * args.posts * 1000
    print(
        f"brute-force exact Jaccard: {brute * 1000:.1f} ms per lookup over "
        f"{len(history):,} posts -> {extrapolated:,.0f} ms extrapolated to {args.posts:,}"
    )
    print(f"ratio brute force / LSH (p50): {extrapolated / p50:,.0f}x")


if __name__ == "__main__":
    main()
