"""Fixtures shared by the community tests."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from fanloop.community.models import FanGroup, GroupPlatform, GroupType
from fanloop.community.services import groups, imports
from fanloop.core.models import User, Workspace
from fanloop.core.permissions import Role

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def community_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def operator(member_with_role: Callable[[str], User]) -> User:
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def viewer(member_with_role: Callable[[str], User]) -> User:
    return member_with_role(Role.VIEWER)


@pytest.fixture
def make_group(operator: User, workspace: Workspace) -> Callable[..., FanGroup]:
    def make(name: str = "福利群 1", *, actor: User = operator, **data: Any) -> FanGroup:
        values: dict[str, Any] = {
            "name": name,
            "platform": GroupPlatform.WECHAT,
            "group_type": GroupType.WELFARE,
            "owner": operator,
            **data,
        }
        return groups.create_group(actor=actor, workspace=workspace, data=values)

    return make


@pytest.fixture
def group(make_group: Callable[..., FanGroup]) -> FanGroup:
    return make_group()


def as_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def run_file(
    actor: User, group: FanGroup, kind: str, rows: list[list[Any]], name: str = "f.csv"
) -> Any:
    run = imports.start_import(actor=actor, group=group, kind=kind, file_name=name)
    return imports.run_import(run, as_csv(rows))
