"""The one write path for content: items, variants, review, media, schedule, settings."""

from fanloop.content.services.checks import CheckResult, check_copy, run_checks
from fanloop.content.services.items import (
    add_variant,
    create_item,
    delete_template,
    delete_variant,
    save_template,
    update_item,
    update_variant,
)
from fanloop.content.services.media import delete_media, update_media, upload_media
from fanloop.content.services.review import (
    add_comment,
    can_review,
    current_step,
    publish_problems,
    record_publish_outcome,
    set_review_steps,
    steps_of,
    transition,
    update_content_settings,
)
from fanloop.content.services.scheduling import (
    BestTimes,
    PostEngagement,
    best_times,
    register_engagement_source,
    reschedule,
    slot_problems,
    suggested_slots,
    unregister_engagement_source,
)

__all__ = [
    "BestTimes",
    "CheckResult",
    "PostEngagement",
    "add_comment",
    "add_variant",
    "best_times",
    "can_review",
    "check_copy",
    "create_item",
    "current_step",
    "delete_media",
    "delete_template",
    "delete_variant",
    "publish_problems",
    "record_publish_outcome",
    "register_engagement_source",
    "reschedule",
    "run_checks",
    "save_template",
    "set_review_steps",
    "slot_problems",
    "steps_of",
    "suggested_slots",
    "transition",
    "unregister_engagement_source",
    "update_content_settings",
    "update_item",
    "update_media",
    "update_variant",
    "upload_media",
]
