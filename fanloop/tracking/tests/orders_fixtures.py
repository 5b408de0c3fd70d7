"""Fixtures of the order and cost tests (kept apart from the shared conftest)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fanloop.core.models import Workspace
from fanloop.tracking.order_profiles import BUILTIN, OrderProfile
from fanloop.tracking.services.order_imports import ImportOutcome, import_orders

DATA = Path(__file__).parent / "data"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def data_file(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture(name="immediate_tasks")
def immediate_tasks_fixture(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture(name="media_dir")
def media_dir_fixture(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(name="run_import")
def run_import_fixture(workspace: Workspace) -> Callable[..., ImportOutcome]:
    """Import a file of tests/data with a profile (a key or an OrderProfile)."""

    def run(name: str, profile: str | OrderProfile = "taobao", **kwargs: Any) -> ImportOutcome:
        chosen = BUILTIN[profile] if isinstance(profile, str) else profile
        _batch, outcome = import_orders(
            actor=kwargs.pop("actor", None),
            workspace=kwargs.pop("in_workspace", workspace),
            profile=chosen,
            file_name=name,
            data=data_file(name),
            **kwargs,
        )
        return outcome

    return run
