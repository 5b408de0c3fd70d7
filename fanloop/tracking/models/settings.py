from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace

DEFAULT_CLICK_WINDOW_DAYS = 7
MAX_CLICK_WINDOW_DAYS = 90


class AttributionSettings(models.Model):
    """How a workspace credits orders: the look-back window of the last-click rule.

    A workspace without a row uses the defaults, so the row only exists once someone
    changed a setting."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="attribution_settings"
    )
    click_window_days = models.PositiveSmallIntegerField(
        _("click window (days)"),
        default=DEFAULT_CLICK_WINDOW_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CLICK_WINDOW_DAYS)],
        help_text=_(
            "An order is credited to the last tracking-link click this many days before it."
        ),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attribution settings")

    def __str__(self) -> str:
        return f"{self.workspace_id}: {self.click_window_days} d"
