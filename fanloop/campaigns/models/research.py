from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models.campaign import Campaign


class Competitor(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="competitors")
    brand = models.CharField(_("brand"), max_length=120)
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    content_strategy = models.TextField(_("content strategy"), blank=True)
    interaction_style = models.TextField(_("interaction style"), blank=True)
    audience = models.TextField(_("audience"), blank=True)
    share_position = models.CharField(_("share / position"), max_length=200, blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)

    class Meta:
        ordering = ["brand", "id"]

    def __str__(self) -> str:
        return self.brand


class ResearchNoteKind(models.TextChoices):
    USER_RESEARCH = "user_research", _("User research")
    PERSONA = "persona", _("Persona")
    TREND = "trend", _("Trend")
    PLATFORM_RULE = "platform_rule", _("Platform rule / advertising law")


class ResearchNote(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="research_notes")
    kind = models.CharField(_("kind"), max_length=20, choices=ResearchNoteKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("notes"), blank=True)
    source_url = models.URLField(_("source"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-created_at"]

    def __str__(self) -> str:
        return self.title


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class Feasibility(models.Model):
    """Scores 1 (poor) to 5 (good) with the reasoning behind each."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="feasibility")
    market_demand = models.PositiveSmallIntegerField(_("market demand"), choices=SCORE_CHOICES)
    market_demand_rationale = models.TextField(_("why"), blank=True)
    user_acceptance = models.PositiveSmallIntegerField(_("user acceptance"), choices=SCORE_CHOICES)
    user_acceptance_rationale = models.TextField(_("why"), blank=True)
    cost = models.PositiveSmallIntegerField(_("cost (5 = affordable)"), choices=SCORE_CHOICES)
    cost_rationale = models.TextField(_("why"), blank=True)
    risk = models.PositiveSmallIntegerField(_("risk (5 = low risk)"), choices=SCORE_CHOICES)
    risk_rationale = models.TextField(_("why"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    market_demand__range=(1, 5),
                    user_acceptance__range=(1, 5),
                    cost__range=(1, 5),
                    risk__range=(1, 5),
                ),
                name="feasibility_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} feasibility"

    @property
    def overall(self) -> float:
        return (self.market_demand + self.user_acceptance + self.cost + self.risk) / 4


class RiskCategory(models.TextChoices):
    MARKET = "market", _("Market change")
    COMPETITOR = "competitor", _("Competitor move")
    PLATFORM_POLICY = "platform_policy", _("Platform policy change")
    NEGATIVE_PR = "negative_pr", _("Negative PR / crisis")
    INVENTORY = "inventory", _("Inventory / stock mismatch")
    TECHNICAL = "technical", _("Technical failure")
    COMPLIANCE = "compliance", _("Compliance")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MONITORING = "monitoring", _("Monitoring")
    MITIGATED = "mitigated", _("Mitigated")
    OCCURRED = "occurred", _("Occurred")
    CLOSED = "closed", _("Closed")


class Risk(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("risk"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    probability = models.PositiveSmallIntegerField(_("probability (1-5)"), choices=SCORE_CHOICES)
    impact = models.PositiveSmallIntegerField(_("impact (1-5)"), choices=SCORE_CHOICES)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    contingency = models.TextField(_("contingency"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )

    class Meta:
        ordering = ["-probability", "-impact", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__range=(1, 5), impact__range=(1, 5)),
                name="risk_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def priority(self) -> str:
        if self.score >= 15:
            return "high"
        if self.score >= 8:
            return "medium"
        return "low"
