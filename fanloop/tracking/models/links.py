from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace
from fanloop.core.platforms import Platform


class PartnerKind(models.TextChoices):
    KOL = "kol", _("KOL / influencer")
    KOC = "koc", _("KOC")
    CHANNEL = "channel", _("Channel")
    PARTNER = "partner", _("Partner / affiliate")


class Partner(models.Model):
    """A KOL, channel or partner that links, codes, orders and costs can be credited to."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=PartnerKind.choices)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, blank=True)
    handle = models.CharField(_("account / handle"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tracking_partner_name")
        ]

    def __str__(self) -> str:
        return self.name


class TrackingLink(models.Model):
    """A short link for one (campaign, channel, content variant, partner) context.

    ``code`` is unique across the installation because ``/l/<code>`` carries no workspace.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("short code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    destination_url = models.URLField(_("destination"), max_length=1000)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tracking_links",
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=100, blank=True)
    variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tracking_links",
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "campaign"])]

    def __str__(self) -> str:
        return self.code


class PromoKind(models.TextChoices):
    COUPON = "coupon", _("Coupon code")
    KOL = "kol", _("KOL code")
    CHANNEL = "channel", _("Channel code")


class PromoCode(models.Model):
    """A coupon or channel/KOL code printed in posts; an order carrying it is credited
    to its campaign and source before any click is considered."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=PromoKind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="promo_codes"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="codes"
    )
    link = models.ForeignKey(
        TrackingLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="codes"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, blank=True)
    # what one redemption costs the brand (coupon face value or KOL commission), in fen
    cost_per_use_fen = models.BigIntegerField(_("cost per use (fen)"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="tracking_promo_code")
        ]

    def __str__(self) -> str:
        return self.code
