from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models.campaign import Campaign


class BudgetCategory(models.TextChoices):
    CONTENT_PRODUCTION = "content_production", _("Content production")
    ADS_SEARCH = "ads_search", _("Paid ads: search")
    ADS_SOCIAL = "ads_social", _("Paid ads: social")
    ADS_ECOMMERCE = "ads_ecommerce", _("Paid ads: e-commerce platform")
    ADS_APP = "ads_app", _("Paid ads: app")
    KOL = "kol", _("KOL and influencer fees")
    PRIZES = "prizes", _("Prizes, coupons and red packets")
    OFFLINE = "offline", _("Offline events")
    TOOLS = "tools", _("Tools")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=30, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    planned_fen = models.BigIntegerField(_("planned (fen)"))
    currency = models.CharField(max_length=3, default="CNY")
    vendor = models.CharField(_("vendor"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["category", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_fen__gte=0), name="planned_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.description}".strip()


class SpendSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported")


class BudgetSpend(models.Model):
    """Actual spend on a line on a day; refunds are negative."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="spends")
    spent_on = models.DateField(_("date"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    source = models.CharField(
        max_length=10, choices=SpendSource.choices, default=SpendSource.MANUAL
    )
    # Set by imports so the same file row is never counted twice.
    external_ref = models.CharField(max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["spent_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="spend_imported_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.amount_fen}"
