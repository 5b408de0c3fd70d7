"""The labels the classifier gives every incoming message, shared by the inbox, the
community moderation and the CLI. Stored values are stable English codes; the labels
people read are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Intent(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry (咨询)")
    COMPLAINT = "complaint", _("Complaint (投诉)")
    PRAISE = "praise", _("Praise (表扬)")
    PURCHASE_INTENT = "purchase_intent", _("Purchase intent (购买意向)")
    AFTER_SALES = "after_sales", _("After-sales (售后)")
    OTHER = "other", _("Other (其他)")
