"""The sandbox's memory in the database: one row per (simulated account, key)."""

from django.db import IntegrityError, transaction

from fanloop.channels.models import ChannelAccount, SandboxPost


class DbLedger:
    """A :class:`SandboxLedger` scoped to one account; the first write for a key wins."""

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account

    def find(self, namespace: str, key: str) -> str | None:
        return (
            SandboxPost.objects.filter(account=self.account, idempotency_key=key)
            .values_list("remote_id", flat=True)
            .first()
        )

    def record(self, namespace: str, key: str, remote_id: str) -> str:
        try:
            with transaction.atomic():
                SandboxPost.objects.create(
                    account=self.account, idempotency_key=key, remote_id=remote_id
                )
        except IntegrityError:
            # Someone recorded this key first: theirs is the post.
            found = self.find(namespace, key)
            assert found is not None
            return found
        return remote_id

    def remote_ids(self, namespace: str) -> list[str]:
        return list(
            SandboxPost.objects.filter(account=self.account).values_list("remote_id", flat=True)
        )
