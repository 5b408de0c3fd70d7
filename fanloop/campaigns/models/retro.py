from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models.campaign import Campaign


class Retrospective(models.Model):
    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="retrospective"
    )
    highlights = models.TextField(_("highlights (亮点)"), blank=True)
    shortfalls = models.TextField(_("shortfalls (不足)"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.campaign} retrospective"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class ImprovementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ADOPTED = "adopted", _("Adopted by a campaign")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ImprovementItem(models.Model):
    """A lesson turned into an action; open items are offered to the next campaign."""

    retrospective = models.ForeignKey(
        Retrospective, on_delete=models.CASCADE, related_name="improvements"
    )
    text = models.CharField(_("improvement"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    apply_to_next = models.BooleanField(_("apply to next campaign"), default=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ImprovementStatus.choices,
        default=ImprovementStatus.OPEN,
    )
    adopted_by = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_improvements",
        verbose_name=_("adopted by"),
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
