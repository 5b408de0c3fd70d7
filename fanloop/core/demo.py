"""The demo workspace: one user per role, so every part of the app can be tried."""

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db import transaction

from fanloop.core import services
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Role

DEMO_PASSWORD = os.environ.get("FANLOOP_DEMO_PASSWORD", "fanloop-demo-2026")
DEMO_WORKSPACE = ("demo", "示例品牌 Demo Brand")
SECOND_WORKSPACE = ("demo-outdoor", "示例品牌·户外线 Outdoor Line")
DEMO_EMAIL_DOMAIN = "demo.fanloop.invalid"


Seeder = Callable[[Workspace, dict[str, User]], None]
_seeders: list[Seeder] = []


def register_seeder(seeder: Seeder) -> None:
    """Domain apps add their demo data; each seeder must be safe to run again."""
    if seeder not in _seeders:
        _seeders.append(seeder)


@dataclass
class DemoResult:
    workspace: Workspace
    users: dict[str, str]  # username -> role
    created_users: list[str]
    password: str


def demo_usernames() -> list[str]:
    return [f"demo-{role}" for role in Role.values]


@transaction.atomic
def reset() -> None:
    for slug in (DEMO_WORKSPACE[0], SECOND_WORKSPACE[0]):
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is not None:
            services.delete_workspace_as_operator(workspace=workspace)
    for user in User.objects.filter(username__in=demo_usernames()):
        services.delete_user_as_operator(user=user)


def _user(username: str, role: str, created: list[str], password: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.create_user(
            actor=None,
            username=username,
            password=password,
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            display_name=f"{Role(role).label} (demo)",
        )
        created.append(username)
    return user


@transaction.atomic
def seed(password: str = DEMO_PASSWORD, *, only: Collection[str] | None = None) -> DemoResult:
    """Create what is missing of the demo; existing users and data are left as they are.

    ``only``: the apps (``"content"``, ``"inbox"``...) whose demo data to seed; a test of
    one app's demo need not pay for every other app's."""
    created: list[str] = []
    admin = _user("demo-admin", Role.ADMIN, created, password)
    workspace = Workspace.objects.filter(slug=DEMO_WORKSPACE[0]).first()
    if workspace is None:
        workspace = services.create_workspace(
            actor=admin,
            name=DEMO_WORKSPACE[1],
            slug=DEMO_WORKSPACE[0],
            description="演示数据：一个美妆个护品牌在淘宝、小红书、抖音和微信上的营销团队。",
        )
    services.grant_membership_as_operator(workspace=workspace, user=admin, role=Role.ADMIN)
    users = {"demo-admin": Role.ADMIN.value}
    for role in Role.values:
        if role == Role.ADMIN:
            continue
        username = f"demo-{role}"
        user = _user(username, role, created, password)
        if not workspace.memberships.filter(user=user).exists():
            services.add_member(actor=admin, workspace=workspace, user=user, role=role)
        users[username] = role
    second = Workspace.objects.filter(slug=SECOND_WORKSPACE[0]).first()
    if second is None:
        second = services.create_workspace(
            actor=admin,
            name=SECOND_WORKSPACE[1],
            slug=SECOND_WORKSPACE[0],
            description="第二个品牌，用来试工作区切换。",
        )
        marketing = User.objects.get(username="demo-marketing")
        services.add_member(actor=admin, workspace=second, user=marketing, role=Role.VIEWER)
    members = {name: User.objects.get(username=name) for name in users}
    for seeder in _seeders:
        if only is None or seeder.__module__.split(".")[1] in only:
            seeder(workspace, members)
    return DemoResult(workspace=workspace, users=users, created_users=created, password=password)
