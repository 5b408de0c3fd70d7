"""Fixtures shared by the channels tests: accounts and variants scheduled to publish."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from fanloop.channels.models import ChannelAccount, PublishJob
from fanloop.channels.services import accounts
from fanloop.content import services as content
from fanloop.content.models import Variant
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Role

CLEAN_BODY = "春季新品上市，轻薄透气，适合通勤穿搭。欢迎来店里看看。"


@pytest.fixture
def operator(member_with_role) -> User:
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def writer(member_with_role) -> User:
    return member_with_role(Role.CONTENT)


@pytest.fixture
def make_account(operator, workspace) -> Callable[..., ChannelAccount]:
    def make(
        platform: str = "weibo",
        name: str = "",
        *,
        simulated: bool = True,
        workspace: Workspace = workspace,
        actor: User = operator,
        **extra: object,
    ) -> ChannelAccount:
        return accounts.connect_account(
            actor=actor,
            workspace=workspace,
            platform=platform,
            display_name=name or f"{platform} account",
            simulated=simulated,
            **extra,  # type: ignore[arg-type]
        )

    return make


@pytest.fixture
def schedule_variant(writer, operator, workspace) -> Callable[..., Variant]:
    """An approved variant scheduled ``in_minutes`` from now on ``platform``."""

    def make(
        platform: str = "weibo",
        *,
        title: str = "春季新品",
        body: str = CLEAN_BODY,
        in_minutes: int = 60,
        link: str = "",
    ) -> Variant:
        item = content.create_item(
            actor=writer,
            workspace=workspace,
            data={"title": title, "content_type": "image_text", "purpose": "product_intro"},
            platforms=[platform],
        )
        variant = content.update_variant(
            actor=writer, variant=item.variants.get(), data={"body": body, "link": link}
        )
        content.transition(actor=writer, variant=variant, name="submit")
        variant, _warnings = content.transition(
            actor=operator,
            variant=variant,
            name="schedule",
            planned_at=timezone.now() + timedelta(minutes=in_minutes),
        )
        return variant

    return make


def make_due(job: PublishJob, seconds_ago: int = 1) -> PublishJob:
    """Test set-up only: move a job's due time into the past."""
    PublishJob.objects.filter(pk=job.pk).update(
        due_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    job.refresh_from_db()
    return job
