from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanloop.content.models import TARGET_PLATFORM_CHOICES
from fanloop.core.fields import EncryptedTextField
from fanloop.core.models import Workspace

SANDBOX = "sandbox"
# Publishing targets plus the clearly labelled simulator used by the demo and tests.
ACCOUNT_PLATFORM_CHOICES = [*TARGET_PLATFORM_CHOICES, (SANDBOX, _("Sandbox (simulated)"))]


class AccountStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    TOKEN_EXPIRED = "token_expired", _("Token expired")
    ERROR = "error", _("Error")
    ASSISTED = "assisted", _("Assisted publishing (no API)")


class ChannelAccount(models.Model):
    """One account on one platform; credentials are encrypted at rest."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    platform = models.CharField(_("platform"), max_length=20, choices=ACCOUNT_PLATFORM_CHOICES)
    display_name = models.CharField(_("display name"), max_length=100)
    platform_account_id = models.CharField(_("platform account id"), max_length=120, blank=True)
    # JSON: app id/secret, access/refresh tokens; never shown back in full.
    credentials = EncryptedTextField(blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.ASSISTED
    )
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # A simulated account: it "publishes" to the sandbox model instead of the platform, so
    # the whole loop can be shown without credentials. Always labelled as simulated.
    simulated = models.BooleanField(_("simulated (sandbox)"), default=False)
    # Base URL override: the local fake servers in tests, a proxy in some deployments.
    api_base_url = models.URLField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["platform", "display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "display_name"], name="account_name_per_platform"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_platform_display()})"

    @property
    def uses_api(self) -> bool:
        return self.status != AccountStatus.ASSISTED

    @property
    def connector_platform(self) -> str:
        """Which connector serves this account: the sandbox for simulated accounts."""
        return SANDBOX if self.simulated else self.platform


class RateWindow(models.Model):
    """Calls made by one account to one rate-limited API in the current window.

    Taken with a conditional UPDATE (``calls < limit``) so several workers share a limit
    without a broker.
    """

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    api = models.CharField(max_length=60)
    window_start = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "api"], name="one_window_per_api"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.api}: {self.calls}"
