"""Choices of the inbox's tables, declared once."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MessageKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")
    DM = "dm", _("Direct message")
    MENTION = "mention", _("Mention")
    REVIEW = "review", _("Review")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From a fan")
    OUTBOUND = "outbound", _("From us")


class ThreadStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("conversation status", "Open")
    PENDING = "pending", pgettext_lazy("conversation status", "Pending")
    CLOSED = "closed", pgettext_lazy("conversation status", "Closed")


class DeliveryState(models.TextChoices):
    """How one of our replies reached the platform."""

    SENT = "sent", _("Sent through the platform")
    MANUAL = "manual", _("Replied by hand on the platform")
    FAILED = "failed", _("Sending failed")


class MessageSource(models.TextChoices):
    CONNECTOR = "connector", _("Platform connector")
    WEBHOOK = "webhook", _("Webhook")
    IMPORT = "import", _("File import")
    MANUAL = "manual", _("Entered by hand")


class AlertStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("alert status", "Active")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class AlertScope(models.TextChoices):
    ACCOUNT = "account", _("Account")
    POST = "post", _("Post")
    CAMPAIGN = "campaign", _("Campaign")


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")
