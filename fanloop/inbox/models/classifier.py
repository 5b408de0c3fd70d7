"""Operators' label corrections and the per-workspace models retrained from them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from fanloop.core.models import Workspace
from fanloop.inbox.labels import Intent, Sentiment


class LabelCorrection(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "inbox.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    # Blank: this correction did not touch that label.
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    intent = models.CharField(max_length=20, choices=Intent.choices, blank=True)
    previous_sentiment = models.CharField(max_length=10, blank=True)
    previous_intent = models.CharField(max_length=20, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class WorkspaceClassifier(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    model = models.BinaryField()
    corrections_used = models.PositiveIntegerField(default=0)
    sentiment_accuracy_before = models.FloatField(null=True, blank=True)
    sentiment_accuracy_after = models.FloatField(null=True, blank=True)
    intent_accuracy_before = models.FloatField(null=True, blank=True)
    intent_accuracy_after = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "version"], name="inbox_classifier_version_unique"
            ),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(active=True),
                name="inbox_classifier_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"
