from fanloop.content.models.choices import (
    TARGET_PLATFORM_CHOICES,
    TARGET_PLATFORMS,
    ContentType,
    MediaKind,
    ProductKind,
    Purpose,
    VariantState,
)
from fanloop.content.models.items import (
    ContentItem,
    Variant,
    VariantMedia,
    VariantStateChange,
    VariantVersion,
)
from fanloop.content.models.media import MediaAsset
from fanloop.content.models.review import (
    ContentSettings,
    ContentTemplate,
    Decision,
    ReviewDecision,
    ReviewStep,
    VariantComment,
)

__all__ = [
    "TARGET_PLATFORMS",
    "TARGET_PLATFORM_CHOICES",
    "ContentItem",
    "ContentSettings",
    "ContentTemplate",
    "ContentType",
    "Decision",
    "MediaAsset",
    "MediaKind",
    "ProductKind",
    "Purpose",
    "ReviewDecision",
    "ReviewStep",
    "Variant",
    "VariantComment",
    "VariantMedia",
    "VariantState",
    "VariantStateChange",
    "VariantVersion",
]
