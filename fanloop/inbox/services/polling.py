"""Polling: fetch new comments on each account's recent posts through its connector.

A cursor per post remembers up to when comments were fetched, so each poll asks only
for newer ones; the ingest's unique ids make an overlap harmless. A failing post is
recorded on its cursor and the others go on."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from fanloop.channels.connectors.base import REGISTRY, Capability, ConnectorError, RemoteComment
from fanloop.channels.models import ChannelAccount, JobState, PublishJob
from fanloop.inbox.models import MessageKind, MessageSource, PollCursor
from fanloop.inbox.services.ingest import IncomingMessage, ingest

log = logging.getLogger(__name__)

# Comments arrive mostly in a post's first weeks; older posts are not polled.
LOOKBACK = timedelta(days=30)
# Ask again a little before the cursor: platforms index new comments with some delay.
OVERLAP = timedelta(minutes=5)


@dataclass
class PollResult:
    posts: int = 0
    created: int = 0
    errors: list[str] = field(default_factory=list)


def to_incoming(account: ChannelAccount, comment: RemoteComment) -> IncomingMessage:
    return IncomingMessage(
        platform=account.platform,
        remote_id=comment.remote_id,
        kind=MessageKind.REPLY if comment.parent_remote_id else MessageKind.COMMENT,
        text=comment.text,
        author_id=comment.author_id,
        author_name=comment.author_name,
        sent_at=comment.created_at,
        account=account,
        parent_remote_id=comment.parent_remote_id,
        post_remote_id=comment.post_remote_id,
    )


def pollable(account: ChannelAccount) -> bool:
    connector_class = REGISTRY.get(account.connector_platform)
    return (
        connector_class is not None
        and account.uses_api
        and Capability.FETCH_COMMENTS in connector_class.capabilities
    )


def poll_account(account: ChannelAccount) -> PollResult:
    from fanloop.channels.services.accounts import connector_for

    result = PollResult()
    if not pollable(account):
        return result
    since = timezone.now() - LOOKBACK
    posts = (
        PublishJob.objects.filter(
            account=account, state=JobState.PUBLISHED, published_at__gte=since
        )
        .exclude(remote_id="")
        .values_list("remote_id", flat=True)
    )
    connector = connector_for(account)
    for post_remote_id in posts:
        result.posts += 1
        cursor, _created = PollCursor.objects.get_or_create(
            account=account, post_remote_id=post_remote_id
        )
        started = timezone.now()
        ask_from = cursor.fetched_until - OVERLAP if cursor.fetched_until else None
        try:
            comments = connector.fetch_comments(post_remote_id, since=ask_from)
        except ConnectorError as error:
            cursor.last_error = str(error)[:500]
            cursor.save(update_fields=["last_error"])
            result.errors.append(f"{post_remote_id}: {error}")
            if error.auth:
                break  # every post would fail the same way; the account shows the problem
            continue
        stored = ingest(
            workspace=account.workspace,
            messages=[to_incoming(account, c) for c in comments],
            source=MessageSource.CONNECTOR,
        )
        result.created += len(stored.created)
        cursor.fetched_until = started
        cursor.last_error = ""
        cursor.save(update_fields=["fetched_until", "last_error"])
    return result


def poll_all() -> int:
    created = 0
    for account in ChannelAccount.objects.select_related("workspace"):
        if not pollable(account):
            continue
        try:
            created += poll_account(account).created
        except Exception:  # one broken account must not stop the others
            log.exception("polling comments of account %s failed", account.pk)
    return created
