"""REST API for workspaces, members, invitations, audit log and API tokens.

Thin over ``services`` (writes) and ``queries`` (reads); a workspace the caller is not a
member of is a 404, an action the caller's role may not do is a 403.
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.core import queries, services
from fanloop.core.api_support import ErrorSerializer
from fanloop.core.models import ApiToken, AuditEntry, Invitation, Membership, User, Workspace
from fanloop.core.permissions import Action, Role, allowed_actions

_M = TypeVar("_M", bound=Model)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; see error.field_errors"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    403: OpenApiResponse(ErrorSerializer, description="Your role does not allow this"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not yours"),
}


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


# Serializers -----------------------------------------------------------------------------


class UserSummarySerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email"]


class WorkspaceSerializer(serializers.ModelSerializer[Workspace]):
    role = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "currency",
            "timezone",
            "created_at",
            "role",
            "permissions",
        ]
        read_only_fields = ["slug", "currency", "created_at"]

    def _role(self, workspace: Workspace) -> str | None:
        return services.role_of(self.context["request"].user, workspace)

    def get_role(self, workspace: Workspace) -> str | None:
        return self._role(workspace)

    def get_permissions(self, workspace: Workspace) -> list[str]:
        return sorted(allowed_actions(self._role(workspace)))


class WorkspaceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    timezone = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class WorkspaceUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    timezone = serializers.CharField(required=False, max_length=64)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]


class MemberAddSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=254, help_text="Username or email of an existing user")
    role = serializers.ChoiceField(choices=Role.choices)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created_at", "expires_at"]


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
        ]


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it safely")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)


class MeSerializer(serializers.ModelSerializer[User]):
    workspaces = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "workspaces"]

    @extend_schema(exclude=True)
    def get_workspaces(self, user: User) -> list[dict[str, Any]]:
        return [
            {
                "id": m.workspace_id,
                "name": m.workspace.name,
                "slug": m.workspace.slug,
                "role": m.role,
            }
            for m in Membership.objects.filter(user=user).select_related("workspace")
        ]


# Views -----------------------------------------------------------------------------------


@extend_schema(responses={200: MeSerializer, 401: ERRORS[401]}, tags=["account"])
@api_view(["GET"])
def me(request: Request) -> Response:
    return Response(MeSerializer(_user(request)).data)


@extend_schema(tags=["workspaces"])
class WorkspaceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Workspace]
):
    serializer_class = WorkspaceSerializer

    def get_queryset(self) -> QuerySet[Workspace]:
        return queries.workspaces_for(self.request.user)

    @extend_schema(
        request=WorkspaceCreateSerializer, responses={201: WorkspaceSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        data = WorkspaceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = services.create_workspace(
            actor=_user(request),
            name=data.validated_data["name"],
            description=data.validated_data["description"],
            timezone_name=data.validated_data["timezone"],
        )
        body = WorkspaceSerializer(workspace, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WorkspaceUpdateSerializer, responses={200: WorkspaceSerializer, **ERRORS}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        workspace = self.get_object()
        data = WorkspaceUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = services.update_workspace(
            actor=_user(request), workspace=workspace, **data.validated_data
        )
        return Response(WorkspaceSerializer(workspace, context={"request": request}).data)


class WorkspaceScopedViewSet(viewsets.GenericViewSet[_M]):
    """Resolves ``workspace_pk`` from the URL to a workspace the caller belongs to."""

    view_action: Action = Action.WORKSPACE_VIEW

    @property
    def workspace(self) -> Workspace:
        if not hasattr(self, "_workspace"):
            self._workspace = queries.workspace_for(
                self.request.user, pk=self.kwargs["workspace_pk"]
            )
        return self._workspace

    def check_view(self) -> None:
        services.require_action(self.request.user, self.workspace, self.view_action)


WORKSPACE_PARAM = OpenApiParameter("workspace_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema(tags=["members"], parameters=[WORKSPACE_PARAM])
class MemberViewSet(WorkspaceScopedViewSet[Membership]):
    serializer_class = MembershipSerializer
    view_action = Action.MEMBER_VIEW

    def get_queryset(self) -> QuerySet[Membership]:
        return queries.members(self.workspace)

    @extend_schema(responses={200: MembershipSerializer(many=True), **ERRORS})
    def list(self, request: Request, workspace_pk: str) -> Response:
        self.check_view()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(request=MemberAddSerializer, responses={201: MembershipSerializer, **ERRORS})
    def create(self, request: Request, workspace_pk: str) -> Response:
        data = MemberAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.require_action(request.user, self.workspace, Action.MEMBER_MANAGE)
        user = services.find_user(data.validated_data["user"])
        membership = services.add_member(
            actor=_user(request),
            workspace=self.workspace,
            user=user,
            role=data.validated_data["role"],
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RoleSerializer,
        responses={200: MembershipSerializer, **ERRORS},
        parameters=[ID_PARAM],
    )
    def partial_update(self, request: Request, workspace_pk: str, pk: str) -> Response:
        membership = queries.member(self.workspace, int(pk))
        data = RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.change_role(
            actor=_user(request), membership=membership, role=data.validated_data["role"]
        )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(responses={204: None, **ERRORS}, parameters=[ID_PARAM])
    def destroy(self, request: Request, workspace_pk: str, pk: str) -> Response:
        membership = queries.member(self.workspace, int(pk))
        services.remove_member(actor=_user(request), membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["members"], parameters=[WORKSPACE_PARAM])
class InvitationViewSet(WorkspaceScopedViewSet[Invitation]):
    serializer_class = InvitationSerializer
    view_action = Action.MEMBER_MANAGE

    def get_queryset(self) -> QuerySet[Invitation]:
        return queries.open_invitations(self.workspace)

    @extend_schema(responses={200: InvitationSerializer(many=True), **ERRORS})
    def list(self, request: Request, workspace_pk: str) -> Response:
        self.check_view()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(
        request=InvitationCreateSerializer, responses={201: InvitationSerializer, **ERRORS}
    )
    def create(self, request: Request, workspace_pk: str) -> Response:
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _raw = services.invite_member(
            actor=_user(request), workspace=self.workspace, **data.validated_data
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **ERRORS}, parameters=[ID_PARAM])
    def destroy(self, request: Request, workspace_pk: str, pk: str) -> Response:
        invitation = queries.invitation(self.workspace, int(pk))
        services.revoke_invitation(actor=_user(request), invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditFilterSerializer(serializers.Serializer):
    actor = serializers.CharField(required=False, allow_blank=True)
    action = serializers.CharField(required=False, allow_blank=True)
    object_type = serializers.CharField(required=False, allow_blank=True)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


@extend_schema(tags=["audit"], parameters=[WORKSPACE_PARAM])
class AuditEntryViewSet(WorkspaceScopedViewSet[AuditEntry]):
    serializer_class = AuditEntrySerializer
    view_action = Action.AUDIT_VIEW

    @extend_schema(
        parameters=[AuditFilterSerializer],
        responses={200: AuditEntrySerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: str) -> Response:
        self.check_view()
        filters = AuditFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        entries = queries.audit_entries(self.workspace, **filters.validated_data)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)


@extend_schema(tags=["account"])
class ApiTokenViewSet(viewsets.GenericViewSet[ApiToken]):
    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return queries.tokens_of(_user(self.request))

    @extend_schema(responses={200: ApiTokenSerializer(many=True), **ERRORS})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ApiTokenSerializer(page, many=True).data)

    @extend_schema(
        request=TokenCreateSerializer, responses={201: ApiTokenCreatedSerializer, **ERRORS}
    )
    def create(self, request: Request) -> Response:
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = services.create_api_token(
            actor=_user(request), name=data.validated_data["name"]
        )
        body = dict(ApiTokenSerializer(token).data, key=raw)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **ERRORS}, parameters=[ID_PARAM])
    def destroy(self, request: Request, pk: str) -> Response:
        token = queries.token_of(_user(request), int(pk))
        services.revoke_api_token(actor=_user(request), token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
