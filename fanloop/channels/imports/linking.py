"""Linking imported rows to the content variants Fanloop published.

A row is linked when, on the same platform and in the same workspace:

1. its post id equals a publish job's ``remote_id`` (what the connector got back), or
2. its post id equals the variant's ``published_url`` (WeChat exports give the article
   URL as the id), or
3. its title equals the variant's title — or starts its body, since Douyin and
   Xiaohongshu exports put the caption where the title goes — and the publish times are
   within :data:`WINDOW` of each other.

Rows that match several variants by title and time are left unlinked rather than guessed.
Three queries per import, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from fanloop.channels.imports.writes import PostFigures
from fanloop.channels.models import PublishJob
from fanloop.content.models import Variant
from fanloop.core.models import Workspace

WINDOW = timedelta(minutes=30)
MIN_BODY_PREFIX = 8


def _norm(text: str) -> str:
    return "".join(text.split()).casefold()


def link_variants(
    workspace: Workspace, platform: str, items: Sequence[PostFigures]
) -> tuple[list[PostFigures], int]:
    """``items`` with ``variant_id`` set where a published variant matches, and how many."""
    variants = list(
        Variant.objects.filter(
            workspace=workspace, platform=platform, published_at__isnull=False
        ).values_list("id", "title", "body", "published_url", "published_at")
    )
    if not variants:
        return list(items), 0
    by_remote = dict(
        PublishJob.objects.filter(workspace=workspace, variant__platform=platform)
        .exclude(remote_id="")
        .values_list("remote_id", "variant_id")
    )
    by_url = {url: pk for pk, _t, _b, url, _p in variants if url}
    by_day: dict[tuple[int, int, int], list[tuple[int, str, str, datetime]]] = defaultdict(list)
    for pk, title, body, _url, published in variants:
        if published is None:
            continue
        local = published.date()
        for offset in (-1, 0, 1):
            day = local + timedelta(days=offset)
            by_day[(day.year, day.month, day.day)].append(
                (pk, _norm(title), _norm(body), published)
            )
    linked: list[PostFigures] = []
    count = 0
    for item in items:
        # Title-keyed posts ("title|time") have no platform id to look up.
        identity = "" if "|" in item.post_key else item.post_key
        variant_id = (by_remote.get(identity) or by_url.get(identity)) if identity else None
        if variant_id is None and item.published_at is not None and item.title:
            title = _norm(item.title)
            moment = item.published_at.date()
            candidates = {
                pk
                for pk, v_title, v_body, published in by_day.get(
                    (moment.year, moment.month, moment.day), []
                )
                if abs(published - item.published_at) <= WINDOW
                and (
                    (v_title and v_title == title)
                    or (len(title) >= MIN_BODY_PREFIX and v_body.startswith(title))
                )
            }
            if len(candidates) == 1:
                variant_id = candidates.pop()
        if variant_id is not None:
            count += 1
            linked.append(replace(item, variant_id=variant_id))
        else:
            linked.append(item)
    return linked, count
