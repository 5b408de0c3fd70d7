from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.fields import EncryptedTextField
from fanloop.core.models import Workspace
from fanloop.tracking.models.clicks import Click
from fanloop.tracking.models.links import Partner, PromoCode, TrackingLink


class ShopPlatform(models.TextChoices):
    TAOBAO = "taobao", _("Taobao / Tmall")
    JD = "jd", _("JD")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    YOUZAN = "youzan", _("Youzan")
    DOUYIN = "douyin", _("Douyin shop")
    OTHER = "other", _("Other shop")


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", _("Closed / cancelled")


class AttributionRule(models.TextChoices):
    CODE = "code", _("Coupon / KOL code")
    CLICK = "click", _("Last tracking-link click within the window")
    NONE = "none", _("Unattributed")


class OrderImport(models.Model):
    """One imported order file: progress while it runs, the row-error report after."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    profile = models.CharField(max_length=80)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    orders_created = models.PositiveIntegerField(default=0)
    orders_updated = models.PositiveIntegerField(default=0)
    orders_unchanged = models.PositiveIntegerField(default=0)
    # [{"row": 7, "reason": "..."}], the first few thousand
    errors = models.JSONField(default=list, blank=True)
    orders_skipped = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    shop_platform = models.CharField(max_length=20, choices=ShopPlatform.choices, blank=True)
    # the profile key or the custom mapping chosen at upload, so a queued run reads the
    # file the way the user asked even if profiles change meanwhile
    spec = models.JSONField(default=dict, blank=True)
    stored_name = models.CharField(max_length=300, blank=True)
    # why the whole file was refused (unreadable, missing columns); empty otherwise
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.profile}: {self.file_name}"


class Order(models.Model):
    """One shop order, refunds netted. Money in fen. The buyer is only a salted hash."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    shop_platform = models.CharField(max_length=20, choices=ShopPlatform.choices)
    shop_name = models.CharField(max_length=200, blank=True)
    order_no = models.CharField(max_length=100)
    buyer_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    ordered_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    gross_fen = models.BigIntegerField(default=0)  # what the buyer owed (goods + postage)
    paid_fen = models.BigIntegerField(default=0)  # what the buyer actually paid
    refund_fen = models.BigIntegerField(default=0)
    # paid minus refunds; 0 for closed, cancelled or fully refunded orders
    net_fen = models.BigIntegerField(default=0)
    item_count = models.IntegerField(default=0)
    title = models.CharField(max_length=500, blank=True)
    promo_text = models.CharField(max_length=200, blank=True)  # codes as the shop exported them
    visitor_id = models.CharField(max_length=64, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)
    # attribution, recomputed by tracking.services.attribution
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    link = models.ForeignKey(
        TrackingLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    promo = models.ForeignKey(
        PromoCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    click = models.ForeignKey(
        Click, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attribution_rule = models.CharField(
        max_length=10, choices=AttributionRule.choices, default=AttributionRule.NONE
    )
    attribution_note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, default="import")  # import | webhook | manual
    import_batch = models.ForeignKey(
        OrderImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "shop_platform", "order_no"], name="tracking_order_no"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "ordered_at"]),
            models.Index(fields=["workspace", "campaign", "ordered_at"]),
            models.Index(fields=["workspace", "buyer_hash"]),
        ]

    def __str__(self) -> str:
        return self.order_no


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    title = models.CharField(max_length=500, blank=True)
    sku = models.CharField(max_length=120, blank=True)
    quantity = models.IntegerField(default=1)  # negative for a returned quantity
    unit_price_fen = models.BigIntegerField(default=0)
    amount_fen = models.BigIntegerField(default=0)
    refund_fen = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="tracking_order_line_no")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"


class OrderWebhook(models.Model):
    """A signed endpoint a shop system pushes orders to; the secret is encrypted at rest."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(max_length=40, unique=True)
    secret = EncryptedTextField()
    shop_platform = models.CharField(
        max_length=20, choices=ShopPlatform.choices, default=ShopPlatform.OTHER
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class OrderWebhookDelivery(models.Model):
    """Delivery ids seen recently: a replayed request is refused, not stored twice."""

    endpoint = models.ForeignKey(OrderWebhook, on_delete=models.CASCADE, related_name="+")
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "delivery_id"], name="tracking_webhook_delivery_unique"
            )
        ]

    def __str__(self) -> str:
        return self.delivery_id
