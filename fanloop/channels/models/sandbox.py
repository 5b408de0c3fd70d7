from django.db import models
from django.utils import timezone

from fanloop.channels.models.accounts import ChannelAccount


class SandboxPost(models.Model):
    """What a simulated account 'published': the key -> remote id ledger, so a repeated
    publish is the same post and a lookup finds it across processes and restarts.
    Metrics and comments are computed from the remote id, never stored."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=64)
    remote_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="one_sandbox_post_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.remote_id
