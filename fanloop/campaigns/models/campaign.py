from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNED = "planned", _("Planned")
    LAUNCHING = "launching", _("Launching")
    LIVE = "live", _("Live")
    WRAPPING_UP = "wrapping_up", _("Wrapping up")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class AudienceGender(models.TextChoices):
    ALL = "all", _("All")
    FEMALE = "female", _("Mostly female")
    MALE = "male", _("Mostly male")


class Campaign(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=120)
    state = models.CharField(
        _("state"), max_length=20, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_campaigns",
        verbose_name=_("owner"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    # Theme (创意主题)
    theme = models.CharField(_("creative theme"), max_length=200, blank=True)
    key_message = models.TextField(_("key message"), blank=True)
    visual_notes = models.TextField(_("visual and copy notes"), blank=True)
    background = models.TextField(_("background"), blank=True)
    # Target audience
    audience_age_bands = models.JSONField(_("age bands"), default=list, blank=True)
    audience_gender = models.CharField(
        _("gender"), max_length=10, choices=AudienceGender.choices, default=AudienceGender.ALL
    )
    audience_regions = models.CharField(_("regions"), max_length=300, blank=True)
    audience_interests = models.CharField(_("interests"), max_length=300, blank=True)
    audience_habits = models.TextField(_("consumption habits"), blank=True)
    # [{"platform": "xiaohongshu", "role": "种草 seeding"}, ...]
    platforms = models.JSONField(_("platforms and their role"), default=list, blank=True)
    products = models.JSONField(_("products featured"), default=list, blank=True)
    source_campaign = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived",
        verbose_name=_("started from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["workspace", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.state not in {CampaignState.CLOSED, CampaignState.CANCELLED}


class StateChange(models.Model):
    """The campaign's lifecycle history, newest last."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=20, choices=CampaignState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=CampaignState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.from_state} -> {self.to_state}"
