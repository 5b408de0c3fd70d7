from django.db import models
from django.utils.translation import gettext_lazy as _

from fanloop.core.platforms import Platform


class ContentType(models.TextChoices):
    IMAGE_TEXT = "image_text", _("Image-text (图文)")
    SHORT_VIDEO = "short_video", _("Short video (短视频)")
    LIVE_PLAN = "live_plan", _("Live session plan (直播)")
    ARTICLE = "article", _("Article (长文)")
    NOTE = "note", _("Note (笔记)")


class Purpose(models.TextChoices):
    PRODUCT_INTRO = "product_intro", _("Product introduction")
    TUTORIAL = "tutorial", _("Tutorial / review (测评)")
    SCENARIO = "scenario", _("Scenario / holiday")
    UGC_STORY = "ugc_story", _("User story / UGC repost")
    HARD_AD = "hard_ad", _("Hard ad")
    KNOWLEDGE = "knowledge", _("Knowledge / value content")


class ProductKind(models.TextChoices):
    """What the promoted product legally is; the medical-claims rules depend on it."""

    GENERAL = "general", _("General goods")
    COSMETICS = "cosmetics", _("Cosmetics")
    HEALTH_FOOD = "health_food", _("Health food (保健食品)")
    FOOD = "food", _("Food")
    MEDICAL = "medical", _("Drug or medical device")


class VariantState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    ARCHIVED = "archived", _("Archived")


# The platforms content is written for (shops and offline are not publishing targets).
TARGET_PLATFORMS = [
    Platform.WECHAT_OA,
    Platform.WECOM,
    Platform.WEIBO,
    Platform.DOUYIN,
    Platform.XIAOHONGSHU,
    Platform.BILIBILI,
    Platform.ZHIHU,
    Platform.KUAISHOU,
]
TARGET_PLATFORM_CHOICES = [(p.value, p.label) for p in TARGET_PLATFORMS]


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
