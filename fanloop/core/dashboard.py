"""Panels that domain apps add to the workspace dashboard (core imports no domain app)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from fanloop.core.models import Workspace

Panel = Callable[[HttpRequest, Workspace], tuple[str, dict[str, Any]] | None]
_panels: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def dashboard_panels(
    request: HttpRequest, workspace: Workspace
) -> list[tuple[str, dict[str, Any]]]:
    shown = []
    for panel in _panels:
        rendered = panel(request, workspace)
        if rendered is not None:
            shown.append(rendered)
    return shown
