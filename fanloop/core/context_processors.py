from typing import Any

from django.http import HttpRequest

from fanloop.core import notifications, queries
from fanloop.core.permissions import Role, allowed_actions


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the app shell needs on every page: the workspace, its switcher, the role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    workspace = getattr(request, "workspace", None)
    role = getattr(request, "role", None)
    return {
        "workspace": workspace,
        "role": role,
        "role_label": Role(role).label if role else "",
        "can": allowed_actions(role),
        "my_workspaces": queries.workspaces_for(user),
        "unread_notifications": notifications.unread_count(user),
    }
