from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models.campaign import Campaign
from fanloop.core.permissions import Role


class PhaseKind(models.TextChoices):
    PREPARATION = "preparation", _("Preparation (筹备)")
    LAUNCH = "launch", _("Warm-up / launch (预热/启动)")
    EXECUTION = "execution", _("Execution (执行)")
    WRAP_UP = "wrap_up", _("Wrap-up (总结)")
    CUSTOM = "custom", _("Custom")


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="phase_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=120)
    due_date = models.DateField(_("date"))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")


class Task(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(
        Phase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("phase"),
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_tasks",
        verbose_name=_("owner"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="blocks", verbose_name=_("depends on")
    )
    # [{"text": "...", "done": false}, ...]
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status != TaskStatus.DONE and self.due_date is not None and self.due_date < today
        )
