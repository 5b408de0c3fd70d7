"""What operators add to a thread: internal notes and after-sales tickets."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.core.models import Workspace
from fanloop.inbox.models.choices import TicketStatus
from fanloop.inbox.models.messages import Message, Thread


class Note(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Ticket(models.Model):
    """An after-sales case opened from the inbox. A stand-in until the service issue brings
    the real ticketing; the link to the thread and message is what must survive."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20)
    thread = models.ForeignKey(Thread, on_delete=models.RESTRICT, related_name="tickets")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(
        max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="inbox_ticket_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"
