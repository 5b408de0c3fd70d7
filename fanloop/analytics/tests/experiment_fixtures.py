"""Builders shared by the A/B test tests: posts, tracking links, a ready experiment."""

import itertools
from datetime import date
from typing import Any

from fanloop.analytics.experiments import services
from fanloop.analytics.models import DailyFact, Experiment
from fanloop.content.models import ContentItem, Variant
from fanloop.core.models import User, Workspace
from fanloop.tracking.models import TrackingLink

_codes = itertools.count(1)

DESIGN: dict[str, Any] = {
    "name": "Cover test",
    "hypothesis": "A face on the cover gets more clicks",
    "kind": "cover",
    "primary_metric": "ctr",
    "alpha": "0.05",
    "power": "0.8",
    "baseline_rate": "2",
    "mde": "20",
    "mde_kind": "relative",
}


def make_post(workspace: Workspace, title: str) -> Variant:
    item = ContentItem.objects.create(
        workspace=workspace, title=title, content_type="image_text", purpose="product_intro"
    )
    return Variant.objects.create(
        item=item, workspace=workspace, platform="xiaohongshu", title=title
    )


def make_link(workspace: Workspace, code: str, post: Variant | None = None) -> TrackingLink:
    return TrackingLink.objects.create(
        workspace=workspace,
        code=code,
        destination_url="https://shop.example.com/p/1",
        variant=post,
    )


def make_experiment(
    actor: User, workspace: Workspace, shares: tuple[int, ...] = (50, 50), **design: Any
) -> Experiment:
    variants = []
    for index, share in enumerate(shares):
        name = "ABCDEFGH"[index]
        post = make_post(workspace, f"Post {name}")
        variants.append(
            {
                "name": name,
                "is_control": index == 0,
                "planned_share": share,
                "link": make_link(workspace, f"{workspace.slug}-{name}-{next(_codes)}", post),
                "content_variant": post,
            }
        )
    return services.create_experiment(
        actor=actor, workspace=workspace, data={**DESIGN, **design}, variants=variants
    )


def add_facts(
    experiment: Experiment, day: date, counts: dict[str, tuple[int, int]], metric: str = "ctr"
) -> None:
    """Rollup rows as the rebuild writes them: exposure/engagement on the post's row,
    clicks/orders on the link's row. ``counts`` maps variant name -> (trials, successes)."""
    for variant in experiment.variants.select_related("link"):
        if variant.name not in counts:
            continue
        trials, successes = counts[variant.name]
        common = {"workspace_id": experiment.workspace_id, "day": day}
        if metric == "ctr":
            DailyFact.objects.create(
                **common,
                variant=variant.content_variant,
                platform="xiaohongshu",
                impressions=trials,
            )
            DailyFact.objects.create(
                **common, link=variant.link, clicks=successes + 3, unique_clicks=successes
            )
        elif metric == "conversion_rate":
            DailyFact.objects.create(
                **common,
                link=variant.link,
                clicks=trials,
                unique_clicks=trials,
                orders=successes,
            )
        else:
            DailyFact.objects.create(
                **common,
                variant=variant.content_variant,
                platform="xiaohongshu",
                impressions=trials,
                likes=successes,
            )
