"""Fixtures shared by the tracking tests: roles, a campaign with content, partners, links."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from fanloop.campaigns import services as campaign_services
from fanloop.campaigns.models import Campaign
from fanloop.content import services as content_services
from fanloop.content.models import Variant
from fanloop.core.models import Membership, User, Workspace
from fanloop.core.permissions import Role
from fanloop.tracking.models import Partner, PartnerKind, TrackingLink
from fanloop.tracking.services import links as link_service
from fanloop.tracking.services import partners as partner_service

LANDING = "https://shop.example.com/item/42"


@pytest.fixture
def marketer(member_with_role: Callable[[str], User]) -> User:
    return member_with_role(Role.MARKETING)


@pytest.fixture
def operator(member_with_role: Callable[[str], User]) -> User:
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def viewer(member_with_role: Callable[[str], User]) -> User:
    return member_with_role(Role.VIEWER)


@pytest.fixture
def outsider(other_workspace: Workspace) -> User:
    """The admin of the other workspace, who is no member of ``workspace``."""
    return Membership.objects.select_related("user").get(workspace=other_workspace).user


@pytest.fixture
def make_campaign(admin_user: User) -> Callable[..., Campaign]:
    def make(
        name: str = "双11 预售", *, workspace: Workspace, actor: User = admin_user
    ) -> Campaign:
        return campaign_services.create_campaign(
            actor=actor,
            workspace=workspace,
            data={"name": name, "start_date": date(2026, 10, 20), "end_date": date(2026, 11, 12)},
        )

    return make


@pytest.fixture
def campaign(make_campaign: Callable[..., Campaign], workspace: Workspace) -> Campaign:
    return make_campaign(workspace=workspace)


@pytest.fixture
def make_variant(admin_user: User) -> Callable[..., Variant]:
    """The first platform variant of a new content item, optionally in a campaign."""

    def make(
        *,
        workspace: Workspace,
        campaign: Campaign | None = None,
        platform: str = "xiaohongshu",
        actor: User = admin_user,
    ) -> Variant:
        item = content_services.create_item(
            actor=actor,
            workspace=workspace,
            data={
                "title": "春季新品",
                "content_type": "image_text",
                "purpose": "product_intro",
                "campaign": campaign,
            },
            platforms=[platform],
        )
        return item.variants.get()

    return make


@pytest.fixture
def variant(
    make_variant: Callable[..., Variant], workspace: Workspace, campaign: Campaign
) -> Variant:
    return make_variant(workspace=workspace, campaign=campaign)


@pytest.fixture
def make_partner(admin_user: User, workspace: Workspace) -> Callable[..., Partner]:
    def make(
        name: str = "李佳琦",
        kind: str = PartnerKind.KOL,
        *,
        workspace: Workspace = workspace,
        actor: User = admin_user,
        **data: Any,
    ) -> Partner:
        return partner_service.create_partner(
            actor=actor, workspace=workspace, data={"name": name, "kind": kind, **data}
        )

    return make


@pytest.fixture
def make_link(admin_user: User, workspace: Workspace) -> Callable[..., TrackingLink]:
    def make(
        *, workspace: Workspace = workspace, actor: User = admin_user, **data: Any
    ) -> TrackingLink:
        data.setdefault("destination_url", LANDING)
        return link_service.create_link(actor=actor, workspace=workspace, data=data)

    return make
