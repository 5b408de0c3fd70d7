from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace
from fanloop.core.platforms import Platform
from fanloop.tracking.models.links import Partner


class CostCategory(models.TextChoices):
    AD_SPEND = "ad_spend", _("Ad spend")
    KOL_FEE = "kol_fee", _("KOL fee")
    PRIZES = "prizes", _("Prizes and giveaways")
    COUPONS = "coupons", _("Coupons redeemed")
    PRODUCTION = "production", _("Production")
    OTHER = "other", _("Other")


class CostSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported file")
    BUDGET = "budget", _("Campaign budget actual")
    COUPON = "coupon", _("Coupon redemptions")


class CostEntry(models.Model):
    """Money spent on one day for one campaign / platform / partner.

    Entries with source ``budget`` mirror a campaign's budget actuals (one per
    ``BudgetSpend``), so costs entered in the budget are not typed twice.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, blank=True)
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="costs"
    )
    variant = models.ForeignKey(
        "content.Variant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=CostSource.choices)
    budget_spend = models.OneToOneField(
        "campaigns.BudgetSpend",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cost_entry",
    )
    # re-imports of the same spend report replace, not add
    external_ref = models.CharField(max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["workspace", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="tracking_cost_external_ref",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category} {self.amount_fen}"
