"""Polling comments through connectors: new comments once, cursors, failures recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanloop.channels.connectors.base import ConnectorError
from fanloop.channels.models import JobState, PublishJob
from fanloop.channels.sandbox.comments import comments_between
from fanloop.channels.sandbox.connector import make_remote_id, post_for
from fanloop.core.permissions import Role
from fanloop.inbox.models import Message, PollCursor
from fanloop.inbox.services import polling
from fanloop.inbox.tests.factories import sandbox_account


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def make_variant(member_with_role, workspace):
    from fanloop.content import services as content

    writer = member_with_role(Role.CONTENT)

    def make():
        item = content.create_item(
            actor=writer,
            workspace=workspace,
            data={"title": "春季新品", "content_type": "image_text", "purpose": "product_intro"},
            platforms=["weibo"],
        )
        return item.variants.get()

    return make


@pytest.fixture
def published(workspace, operator, make_variant):
    """A post the sandbox published two days ago, with its comments since."""
    account = sandbox_account(actor=operator, workspace=workspace)
    when = timezone.now() - timedelta(days=2)
    # The simulator decides each post's comments from its id: take one that has some.
    key = next(
        f"k-poll-{n}"
        for n in range(100)
        if len(
            comments_between(
                post_for(0, make_remote_id(f"k-poll-{n}", when, "short_video")), timezone.now()
            )
        )
        >= 3
    )
    variant = make_variant()
    job = PublishJob.objects.create(
        workspace=workspace,
        variant=variant,
        account=account,
        state=JobState.PUBLISHED,
        due_at=when,
        published_at=when,
        remote_id=make_remote_id(key, when, "short_video"),
        idempotency_key=key,
    )
    return account, job


def test_polling_stores_each_comment_once_and_links_the_post(published, workspace):
    account, job = published
    first = polling.poll_account(account)
    assert first.posts == 1
    assert first.created > 0
    stored = Message.objects.filter(workspace=workspace)
    assert stored.count() == first.created
    thread = stored.first().thread
    assert thread.variant == job.variant
    assert thread.campaign_id == job.variant.item.campaign_id

    second = polling.poll_account(account)
    assert second.created == 0
    assert Message.objects.filter(workspace=workspace).count() == first.created
    assert PollCursor.objects.get(account=account).fetched_until is not None


def test_a_failing_post_is_recorded_and_nothing_half_stored(published, monkeypatch):
    account, _job = published

    def broken(self, post_remote_id, *, since=None):
        raise ConnectorError("platform down", transient=True)

    monkeypatch.setattr(
        "fanloop.channels.sandbox.connector.SandboxConnector.fetch_comments", broken
    )
    result = polling.poll_account(account)
    assert result.created == 0
    assert "platform down" in result.errors[0]
    assert "platform down" in PollCursor.objects.get(account=account).last_error
    assert not Message.objects.exists()
