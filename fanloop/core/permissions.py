"""Roles and the permission matrix: the one place that decides who may do what.

Services call :func:`require`; templates ask :func:`allowed` to hide what a member may
not do. The matrix follows the division of work in the seed documents: marketing owns
strategy, research, campaigns and budgets; content creates; operators publish and talk
to fans; analysts own metrics and reports; reviewers own review and compliance.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MARKETING = "marketing", _("Marketing")
    CONTENT = "content", _("Content")
    OPERATOR = "operator", _("Operator")
    ANALYST = "analyst", _("Analyst")
    REVIEWER = "reviewer", _("Reviewer / compliance")
    VIEWER = "viewer", _("Viewer")


class Action(models.TextChoices):
    # Workspace administration (core).
    WORKSPACE_VIEW = "workspace.view", _("View the workspace")
    WORKSPACE_UPDATE = "workspace.update", _("Change workspace settings")
    MEMBER_VIEW = "member.view", _("See the member list")
    MEMBER_MANAGE = "member.manage", _("Add, invite, change and remove members")
    AUDIT_VIEW = "audit.view", _("Browse the audit log")
    JOBS_VIEW = "jobs.view", _("See background job failures")
    # Domain areas; each app's services check these.
    CAMPAIGN_VIEW = "campaign.view", _("View campaigns")
    CAMPAIGN_EDIT = "campaign.edit", _("Plan and edit campaigns, goals and research")
    BUDGET_EDIT = "budget.edit", _("Edit budgets and costs")
    CONTENT_EDIT = "content.edit", _("Create and edit content")
    CONTENT_REVIEW = "content.review", _("Review and approve content")
    PUBLISH = "publish", _("Schedule and publish")
    CHANNEL_MANAGE = "channel.manage", _("Connect platform accounts")
    INBOX_REPLY = "inbox.reply", _("Reply to comments and messages")
    COMMUNITY_MANAGE = "community.manage", _("Run fan groups, giveaways and coupons")
    ANALYTICS_VIEW = "analytics.view", _("View analytics")
    ANALYTICS_MANAGE = "analytics.manage", _("Manage KPIs, alerts, imports and reports")
    TRACKING_MANAGE = "tracking.manage", _("Create tracking links, partners and promo codes")


_EVERYONE = frozenset(Role)

MATRIX: dict[Action, frozenset[Role]] = {
    Action.WORKSPACE_VIEW: _EVERYONE,
    Action.WORKSPACE_UPDATE: frozenset({Role.ADMIN}),
    Action.MEMBER_VIEW: _EVERYONE,
    Action.MEMBER_MANAGE: frozenset({Role.ADMIN}),
    Action.AUDIT_VIEW: frozenset({Role.ADMIN}),
    Action.JOBS_VIEW: frozenset({Role.ADMIN}),
    Action.CAMPAIGN_VIEW: _EVERYONE,
    Action.CAMPAIGN_EDIT: frozenset({Role.ADMIN, Role.MARKETING}),
    Action.BUDGET_EDIT: frozenset({Role.ADMIN, Role.MARKETING}),
    Action.CONTENT_EDIT: frozenset({Role.ADMIN, Role.MARKETING, Role.CONTENT}),
    Action.CONTENT_REVIEW: frozenset({Role.ADMIN, Role.REVIEWER}),
    Action.PUBLISH: frozenset({Role.ADMIN, Role.OPERATOR}),
    Action.CHANNEL_MANAGE: frozenset({Role.ADMIN, Role.OPERATOR}),
    Action.INBOX_REPLY: frozenset({Role.ADMIN, Role.OPERATOR}),
    Action.COMMUNITY_MANAGE: frozenset({Role.ADMIN, Role.OPERATOR}),
    Action.ANALYTICS_VIEW: _EVERYONE,
    Action.ANALYTICS_MANAGE: frozenset({Role.ADMIN, Role.ANALYST}),
    Action.TRACKING_MANAGE: frozenset({Role.ADMIN, Role.MARKETING, Role.OPERATOR, Role.ANALYST}),
}

assert set(MATRIX) == set(Action), "every action needs a row in the matrix"


def allowed(role: str | None, action: Action | str) -> bool:
    if role is None:
        return False
    return Role(role) in MATRIX[Action(action)]


def allowed_actions(role: str | None) -> frozenset[str]:
    if role is None:
        return frozenset()
    return frozenset(str(action) for action, roles in MATRIX.items() if Role(role) in roles)


def require(role: str | None, action: Action) -> None:
    if not allowed(role, action):
        raise PermissionDenied(
            _("Your role does not allow this: %(action)s.") % {"action": action.label}
        )


def roles_allowed(action: Action) -> Iterable[Role]:
    return sorted(MATRIX[action], key=list(Role).index)
