"""Serializers of the content API: thin shapes over models; the services validate."""

from typing import Any

from rest_framework import serializers

from fanloop.compliance.engine import Severity
from fanloop.content import workflow
from fanloop.content.models import (
    TARGET_PLATFORM_CHOICES,
    ContentItem,
    ContentType,
    MediaAsset,
    ProductKind,
    Purpose,
    ReviewDecision,
    Variant,
    VariantComment,
    VariantState,
    VariantVersion,
)


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    start = serializers.IntegerField(help_text="Character offset into the field, inclusive")
    end = serializers.IntegerField(help_text="Character offset, exclusive")
    matched = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    suggestion = serializers.CharField(allow_blank=True)
    field = serializers.CharField()


class RuleProblemSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()
    limit = serializers.FloatField(allow_null=True)
    actual = serializers.FloatField(allow_null=True)


class VariantSerializer(serializers.ModelSerializer[Variant]):
    media = serializers.SerializerMethodField()
    findings = FindingSerializer(many=True, read_only=True)
    rule_problems = RuleProblemSerializer(many=True, read_only=True)
    transitions = serializers.SerializerMethodField()
    topics = serializers.ListField(child=serializers.CharField())
    mentions = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Variant
        fields = [
            "id",
            "item",
            "platform",
            "state",
            "transitions",
            "version",
            "review_step",
            "title",
            "body",
            "topics",
            "mentions",
            "link",
            "cover",
            "media",
            "planned_at",
            "findings",
            "rule_problems",
            "originality",
            "checked_at",
            "compliance_override",
            "published_url",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_media(self, variant: Variant) -> list[int]:
        return [link.asset_id for link in variant.media_links.all()]

    def get_transitions(self, variant: Variant) -> list[str]:
        return [t.name for t in workflow.available(variant.state)]


class VariantWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    topics = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=50
    )
    mentions = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=50
    )
    link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    cover = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Media id"
    )
    media = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=50,
        help_text="Media ids in order",
    )
    planned_at = serializers.DateTimeField(required=False, allow_null=True)
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version the edit was made on; refused if someone saved since",
    )


class VariantCreateSerializer(VariantWriteSerializer):
    platform = serializers.ChoiceField(choices=TARGET_PLATFORM_CHOICES)


class ItemSerializer(serializers.ModelSerializer[ContentItem]):
    variants = VariantSerializer(many=True, read_only=True)
    tags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ContentItem
        fields = [
            "id",
            "title",
            "campaign",
            "content_type",
            "purpose",
            "key_message",
            "tags",
            "owner",
            "sponsored",
            "product_kind",
            "special_cosmetic",
            "variants",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ItemWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    campaign = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    content_type = serializers.ChoiceField(choices=ContentType.choices, required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
    key_message = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )
    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    sponsored = serializers.BooleanField(required=False)
    product_kind = serializers.ChoiceField(choices=ProductKind.choices, required=False)
    special_cosmetic = serializers.BooleanField(required=False)


class ItemCreateSerializer(ItemWriteSerializer):
    title = serializers.CharField(max_length=200)
    content_type = serializers.ChoiceField(choices=ContentType.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=TARGET_PLATFORM_CHOICES),
        required=False,
        max_length=8,
        help_text="One empty variant is created per platform",
    )
    template = serializers.IntegerField(required=False, min_value=1, help_text="Template id")


class ItemFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True)
    campaign = serializers.IntegerField(required=False, min_value=1)
    content_type = serializers.ChoiceField(choices=ContentType.choices, required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
    platform = serializers.ChoiceField(choices=TARGET_PLATFORM_CHOICES, required=False)
    state = serializers.ChoiceField(choices=VariantState.choices, required=False)
    tag = serializers.CharField(required=False, allow_blank=True)


class TransitionRequestSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=[(t.name, str(t.label)) for t in workflow.TRANSITIONS])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Required to approve despite blocking compliance findings",
    )
    planned_at = serializers.DateTimeField(required=False, allow_null=True)


class TransitionResultSerializer(serializers.Serializer):
    variant = VariantSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class VersionSerializer(serializers.ModelSerializer[VariantVersion]):
    class Meta:
        model = VariantVersion
        fields = [
            "number",
            "title",
            "body",
            "topics",
            "mentions",
            "link",
            "media_ids",
            "cover_id",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer[ReviewDecision]):
    class Meta:
        model = ReviewDecision
        fields = [
            "id",
            "version",
            "step_position",
            "step_name",
            "decision",
            "comment",
            "override_reason",
            "reviewer",
            "created_at",
        ]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer[VariantComment]):
    class Meta:
        model = VariantComment
        fields = ["id", "parent", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, min_value=1
    )


class MediaSerializer(serializers.ModelSerializer[MediaAsset]):
    aspect_ratio = serializers.CharField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = MediaAsset
        fields = [
            "id",
            "kind",
            "original_name",
            "title",
            "tags",
            "mime",
            "size_bytes",
            "sha256",
            "width",
            "height",
            "aspect_ratio",
            "duration_seconds",
            "created_at",
        ]
        read_only_fields = fields


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20, default=list
    )


class MediaUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )


class CheckRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=100_000, allow_blank=True)
    platform = serializers.ChoiceField(choices=TARGET_PLATFORM_CHOICES, required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
    sponsored = serializers.BooleanField(required=False, default=False)
    product_kind = serializers.ChoiceField(
        choices=ProductKind.choices, required=False, default=ProductKind.GENERAL
    )
    special_cosmetic = serializers.BooleanField(required=False, default=False)


class CheckResponseSerializer(serializers.Serializer):
    findings = FindingSerializer(many=True)
    blocking = serializers.BooleanField()


class CalendarQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    platform = serializers.ChoiceField(choices=TARGET_PLATFORM_CHOICES, required=False)
    campaign = serializers.IntegerField(required=False, min_value=1)
    state = serializers.ChoiceField(choices=VariantState.choices, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["end must be after start."]})
        if (attrs["end"] - attrs["start"]).days > 100:
            raise serializers.ValidationError({"end": ["At most 100 days at a time."]})
        return attrs


class RescheduleSerializer(serializers.Serializer):
    planned_at = serializers.DateTimeField()


class BestTimesQuerySerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=TARGET_PLATFORM_CHOICES)


class BestTimesSerializer(serializers.Serializer):
    platform = serializers.CharField()
    from_history = serializers.BooleanField(
        help_text="False: not enough history, the seed defaults (noon, evening) apply"
    )
    posts = serializers.IntegerField()
    min_posts = serializers.IntegerField()
    grid = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True)),
        help_text="7 x 24, Monday first: engagement rate % per weekday and hour",
    )
    suggestions = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="[weekday (0 = Monday), hour], best first",
    )
