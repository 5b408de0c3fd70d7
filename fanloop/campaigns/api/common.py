"""Plumbing shared by the campaign API: scoping, scoped id fields, flat validation errors."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from fanloop.campaigns import queries
from fanloop.campaigns.models import Campaign, ImprovementItem, Phase, Task
from fanloop.core.api import ERRORS, WORKSPACE_PARAM, WorkspaceScopedViewSet
from fanloop.core.models import User
from fanloop.core.permissions import Action

__all__ = [
    "CAMPAIGN_PARAM",
    "ERRORS",
    "ID_PARAM",
    "WORKSPACE_PARAM",
    "CampaignField",
    "CampaignScopedViewSet",
    "FirstRenderer",
    "ImprovementField",
    "MemberField",
    "PhaseField",
    "TaskField",
    "flat_errors",
    "user_of",
    "validated",
]

_M = TypeVar("_M", bound=Model)

CAMPAIGN_PARAM = OpenApiParameter("campaign_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
BIGINT = 9_223_372_036_854_775_807


def user_of(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def flat_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as ``{"platforms.0.platform": [...]}``, the documented flat shape."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(flat_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(isinstance(entry, str) for entry in detail):
            return {prefix or "non_field_errors": list(detail)} if detail else {}
        flat = {}
        for index, value in enumerate(detail):
            flat.update(flat_errors(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [detail]}


def validated(
    serializer_class: type[serializers.BaseSerializer[Any]],
    data: Any,
    *,
    context: dict[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Validate input with ``serializer_class``; a 400 with flat field errors otherwise."""
    serializer = serializer_class(data=data, context=context or {}, partial=partial)
    if not serializer.is_valid():
        raise serializers.ValidationError(flat_errors(serializer.errors))
    return dict(serializer.validated_data)


class FirstRenderer(BaseContentNegotiation):
    """For file responses: ignore ``Accept`` and ``?format=`` (the view picks the type)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, first.media_type


# Ids that must name something inside the caller's workspace or campaign ------------------


def _context_value(field: serializers.Field[Any, Any, Any, Any], key: str) -> Any:
    value = field.context.get(key)
    assert value is not None, f"serializer context needs {key!r}"
    return value


class MemberField(serializers.PrimaryKeyRelatedField[User]):
    """A user id; only members of the workspace are found (others: does not exist)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.all())
        kwargs.setdefault("help_text", "User id of a member of this workspace")
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.filter(memberships__workspace=_context_value(self, "workspace"))


class CampaignField(serializers.PrimaryKeyRelatedField[Campaign]):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Campaign.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Campaign]:
        return Campaign.objects.filter(workspace=_context_value(self, "workspace"))


class ImprovementField(serializers.PrimaryKeyRelatedField[ImprovementItem]):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", ImprovementItem.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[ImprovementItem]:
        return ImprovementItem.objects.filter(
            retrospective__campaign__workspace=_context_value(self, "workspace")
        )


class PhaseField(serializers.PrimaryKeyRelatedField[Phase]):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Phase.objects.all())
        kwargs.setdefault("help_text", "Id of a phase of this campaign")
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Phase]:
        return Phase.objects.filter(campaign=_context_value(self, "campaign"))


class TaskField(serializers.PrimaryKeyRelatedField[Task]):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Task.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Task]:
        return Task.objects.filter(campaign=_context_value(self, "campaign"))


# Views ------------------------------------------------------------------------------------


class CampaignScopedViewSet(WorkspaceScopedViewSet[_M]):
    """Resolves ``campaign_pk`` to a campaign of the caller's workspace, else 404."""

    view_action = Action.CAMPAIGN_VIEW

    @property
    def campaign(self) -> Campaign:
        if not hasattr(self, "_campaign"):
            self._campaign = queries.campaign(self.workspace, int(self.kwargs["campaign_pk"]))
        return self._campaign

    def context(self) -> dict[str, Any]:
        return {"request": self.request, "workspace": self.workspace, "campaign": self.campaign}

    def paginated(self, items: Any, serializer: type[serializers.BaseSerializer[Any]]) -> Any:
        page = self.paginate_queryset(items)
        return self.get_paginated_response(serializer(page, many=True, context=self.context()).data)
