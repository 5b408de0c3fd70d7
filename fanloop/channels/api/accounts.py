"""The platform accounts REST API: list, retrieve, connect, change details or credentials,
disconnect. Thin over ``services.account_admin`` and ``services.accounts``.

Credentials are write-only: reads show which keys are saved and, to people who manage
accounts, their last four characters; never a whole value.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.campaigns.api.common import ID_PARAM, user_of, validated
from fanloop.channels.connectors.base import Capability
from fanloop.channels.models import ACCOUNT_PLATFORM_CHOICES, AccountStatus, ChannelAccount
from fanloop.channels.services import account_admin, accounts
from fanloop.core.api import ERRORS, WORKSPACE_PARAM, WorkspaceScopedViewSet
from fanloop.core.models import User
from fanloop.core.permissions import Action, allowed
from fanloop.core.services import require_action, role_of

TAGS = ["channels"]
MAX_ID = 9_223_372_036_854_775_807
CREDENTIALS_HELP = (
    "Named credential values of the platform (write-only), e.g. Douyin: client_key, "
    "client_secret, access_token, refresh_token, open_id. Empty values are ignored."
)


class AccountSerializer(serializers.ModelSerializer[ChannelAccount]):
    platform_label = serializers.CharField(source="get_platform_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    # Empty when the platform's default address is used: not a "uri" in the schema.
    api_base_url = serializers.CharField(read_only=True)
    credentials = serializers.SerializerMethodField(
        help_text="Saved keys, masked: the last four characters for people who manage "
        "accounts, only that a key is set for everyone else"
    )
    capabilities = serializers.SerializerMethodField(
        help_text="What the platform's API connector declares; empty: assisted only"
    )
    publishes_by_api = serializers.SerializerMethodField()

    class Meta:
        model = ChannelAccount
        fields = [
            "id",
            "platform",
            "platform_label",
            "display_name",
            "platform_account_id",
            "status",
            "status_label",
            "simulated",
            "publishes_by_api",
            "capabilities",
            "credentials",
            "token_expires_at",
            "last_error",
            "last_error_at",
            "api_base_url",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_credentials(self, account: ChannelAccount) -> dict[str, str]:
        return account_admin.masked_for(account, full=bool(self.context.get("full")))

    def get_capabilities(self, account: ChannelAccount) -> list[str]:
        return [c.value for c in account_admin.capabilities(account.platform)]

    def get_publishes_by_api(self, account: ChannelAccount) -> bool:
        return account.uses_api and Capability.PUBLISH in account_admin.capabilities(
            account.connector_platform
        )


def _credentials_field(**options: Any) -> serializers.DictField:
    options.setdefault("help_text", CREDENTIALS_HELP)
    return serializers.DictField(
        child=serializers.CharField(
            allow_blank=True, max_length=account_admin.MAX_CREDENTIAL_LENGTH
        ),
        write_only=True,
        **options,
    )


class AccountCreateSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=ACCOUNT_PLATFORM_CHOICES)
    display_name = serializers.CharField(max_length=100)
    platform_account_id = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    credentials = _credentials_field(required=False, default=dict)
    token_expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    api_base_url = serializers.URLField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    simulated = serializers.BooleanField(required=False, default=False)


class MemberField(serializers.PrimaryKeyRelatedField[User]):
    """A user id; only members of the account's workspace are found."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.all())  # the schema's type; see below
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.filter(memberships__workspace=self.context["workspace"])


class AccountUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100, required=False)
    platform_account_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    api_base_url = serializers.URLField(max_length=300, required=False, allow_blank=True)
    token_expires_at = serializers.DateTimeField(required=False, allow_null=True)
    owner = MemberField(
        required=False, allow_null=True, help_text="User id of a member of this workspace"
    )
    credentials = _credentials_field(
        required=False,
        help_text=CREDENTIALS_HELP + " Keys left out keep their saved values.",
    )


class AccountFilterSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=ACCOUNT_PLATFORM_CHOICES, required=False)
    status = serializers.ChoiceField(choices=AccountStatus.choices, required=False)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class AccountViewSet(WorkspaceScopedViewSet[ChannelAccount]):
    serializer_class = AccountSerializer
    view_action = Action.WORKSPACE_VIEW

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # An id no database column can hold names nothing: 404, not a driver overflow.
        if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in self.kwargs.values()):
            raise NotFound()
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ChannelAccount]:
        return account_admin.workspace_accounts(self.workspace)

    def _context(self) -> dict[str, Any]:
        role = role_of(self.request.user, self.workspace)
        return {"full": allowed(role, Action.CHANNEL_MANAGE), "workspace": self.workspace}

    def _manage(self) -> None:
        require_action(self.request.user, self.workspace, Action.CHANNEL_MANAGE)

    def _body(self, account: ChannelAccount) -> Any:
        return AccountSerializer(account, context=self._context()).data

    @extend_schema(
        parameters=[AccountFilterSerializer],
        responses={200: AccountSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        filters = validated(AccountFilterSerializer, request.query_params)
        found = self.get_queryset().filter(**filters)
        page = self.paginate_queryset(found)
        context = self._context()
        return self.get_paginated_response(AccountSerializer(page, many=True, context=context).data)

    @extend_schema(parameters=[ID_PARAM], responses={200: AccountSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return Response(self._body(account_admin.workspace_account(self.workspace, pk)))

    @extend_schema(
        description="Connect an account. Without credentials (or on a platform without an "
        "API connector) it publishes by assisted publishing; a simulated account publishes "
        "to the sandbox and takes no credentials.",
        request=AccountCreateSerializer,
        responses={201: AccountSerializer, **ERRORS},
    )
    def create(self, request: Request, workspace_pk: int) -> Response:
        self._manage()
        data = validated(AccountCreateSerializer, request.data)
        account = account_admin.add_account(
            actor=user_of(request), workspace=self.workspace, **data
        )
        return Response(self._body(account), status=status.HTTP_201_CREATED)

    @extend_schema(
        description="Change details and/or replace credentials (keys left out keep their "
        "saved values). All or nothing.",
        parameters=[ID_PARAM],
        request=AccountUpdateSerializer,
        responses={200: AccountSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        account = account_admin.workspace_account(self.workspace, pk)
        self._manage()
        data = validated(
            AccountUpdateSerializer, request.data, context=self._context(), partial=True
        )
        account = account_admin.edit_account(actor=user_of(request), account=account, **data)
        return Response(self._body(account))

    @extend_schema(
        description="Disconnect: refused (400) while posts wait to be published on it. An "
        "account with published history is kept, without credentials, marked disconnected.",
        parameters=[ID_PARAM],
        responses={204: None, **ERRORS},
    )
    def destroy(self, request: Request, workspace_pk: int, pk: int) -> Response:
        account = account_admin.workspace_account(self.workspace, pk)
        accounts.disconnect_account(actor=user_of(request), account=account)
        return Response(status=status.HTTP_204_NO_CONTENT)
