"""The publishing REST API: the job queue and log, and the operators' actions on a job.

Thin over ``fanloop.channels.queries`` (reads) and ``services.publishing`` (writes): the
same rules, refusals and audit entries as the web pages. A job of another workspace is a
404; an action the caller's role may not do is a 403 (checked before the body is read).
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.channels import queries
from fanloop.channels.models import (
    ACCOUNT_PLATFORM_CHOICES,
    ChannelAccount,
    JobState,
    PublishAttempt,
    PublishJob,
)
from fanloop.channels.services import publishing
from fanloop.core import services as core_services
from fanloop.core.api import ERRORS, ID_PARAM, WORKSPACE_PARAM, WorkspaceScopedViewSet
from fanloop.core.models import User
from fanloop.core.permissions import Action

TAGS = ["publishing"]
MAX_ID = 9_223_372_036_854_775_807


# Serializers ----------------------------------------------------------------------------


class JobAccountSerializer(serializers.ModelSerializer[ChannelAccount]):
    class Meta:
        model = ChannelAccount
        fields = ["id", "platform", "display_name", "status", "simulated"]


class PublishAttemptSerializer(serializers.ModelSerializer[PublishAttempt]):
    class Meta:
        model = PublishAttempt
        fields = ["id", "worker", "started_at", "finished_at", "outcome", "detail"]


class JobSerializer(serializers.ModelSerializer[PublishJob]):
    variant = serializers.IntegerField(source="variant_id", read_only=True)
    item = serializers.IntegerField(source="variant.item_id", read_only=True)
    title = serializers.SerializerMethodField()
    platform = serializers.CharField(source="variant.platform", read_only=True)
    account = JobAccountSerializer(read_only=True, allow_null=True)
    assisted = serializers.SerializerMethodField(
        help_text="Published by a person (no API publishing for the account)"
    )
    lateness_seconds = serializers.SerializerMethodField(
        help_text="published_at - due_at in seconds; null until published"
    )

    class Meta:
        model = PublishJob
        fields = [
            "id",
            "variant",
            "item",
            "title",
            "platform",
            "account",
            "assisted",
            "state",
            "due_at",
            "attempts",
            "next_attempt_at",
            "last_error",
            "remote_id",
            "remote_url",
            "published_at",
            "lateness_seconds",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_title(self, job: PublishJob) -> str:
        return job.variant.title or job.variant.item.title

    def get_assisted(self, job: PublishJob) -> bool:
        return queries.is_assisted(job)

    def get_lateness_seconds(self, job: PublishJob) -> int | None:
        late = queries.lateness(job)
        return None if late is None else round(late.total_seconds())


class JobDetailSerializer(JobSerializer):
    log = PublishAttemptSerializer(many=True, read_only=True)

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "log"]
        read_only_fields = fields


class JobFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=JobState.choices, required=False)
    platform = serializers.ChoiceField(choices=ACCOUNT_PLATFORM_CHOICES, required=False)
    account = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    due_after = serializers.DateTimeField(required=False, help_text="due_at >= this")
    due_before = serializers.DateTimeField(required=False, help_text="due_at < this")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("due_after"), attrs.get("due_before")
        if after and before and after >= before:
            raise serializers.ValidationError({"due_before": [_("Must be later than due_after.")]})
        return attrs


class JobRetrySerializer(serializers.Serializer):
    planned_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When to publish; omitted: now"
    )


class JobRescheduleSerializer(serializers.Serializer):
    planned_at = serializers.DateTimeField()


class JobAccountChangeSerializer(serializers.Serializer):
    account = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        help_text="An account of the post's platform; null: publish by hand",
    )


class JobCompleteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="The published post's address")


class JobResolveSerializer(serializers.Serializer):
    published = serializers.BooleanField(
        help_text="true: the post is on the platform (give url); false: publish again"
    )
    url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# Views ----------------------------------------------------------------------------------


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class JobViewSet(WorkspaceScopedViewSet[PublishJob]):
    serializer_class = JobSerializer
    view_action = Action.WORKSPACE_VIEW

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # An id no database column can hold names nothing: 404, not a driver overflow.
        if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in self.kwargs.values()):
            raise NotFound()
        super().initial(request, *args, **kwargs)

    def actor(self) -> User:
        assert isinstance(self.request.user, User)
        return self.request.user

    def job(self, pk: int) -> PublishJob:
        return queries.job(self.workspace, pk)

    def acting_on(self, pk: int) -> PublishJob:
        core_services.require_action(self.request.user, self.workspace, Action.PUBLISH)
        return self.job(pk)

    def respond(self, job: PublishJob) -> Response:
        fresh = self.job(job.pk)
        return Response(JobDetailSerializer(fresh).data)

    @extend_schema(
        description="Jobs newest due first; with state scheduled, publishing or "
        "awaiting_operator, soonest due first.",
        parameters=[JobFilterSerializer],
        responses={200: JobSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        query = _validated(JobFilterSerializer, request.query_params)
        filters = queries.JobFilters(
            state=query.get("state", ""),
            platform=query.get("platform", ""),
            account=query.get("account"),
            due_from=query.get("due_after"),
            due_before=query.get("due_before"),
        )
        page = self.paginate_queryset(queries.jobs(self.workspace, filters))
        return self.get_paginated_response(JobSerializer(page, many=True).data)

    @extend_schema(
        parameters=[ID_PARAM], responses={200: JobDetailSerializer, **ERRORS}, summary="A job"
    )
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return self.respond(self.job(pk))

    @extend_schema(
        description="A failed job goes out again (now, or at planned_at) with the same "
        "idempotency key.",
        parameters=[ID_PARAM],
        request=JobRetrySerializer,
        responses={200: JobDetailSerializer, **ERRORS},
    )
    def retry(self, request: Request, workspace_pk: int, pk: int) -> Response:
        job = self.acting_on(pk)
        data = _validated(JobRetrySerializer, request.data)
        done = publishing.retry_job(actor=self.actor(), job=job, when=data.get("planned_at"))
        return self.respond(done)

    @extend_schema(
        description="Move a scheduled, waiting or failed job to another time.",
        parameters=[ID_PARAM],
        request=JobRescheduleSerializer,
        responses={200: JobDetailSerializer, **ERRORS},
    )
    def reschedule(self, request: Request, workspace_pk: int, pk: int) -> Response:
        job = self.acting_on(pk)
        data = _validated(JobRescheduleSerializer, request.data)
        done = publishing.reschedule_job(actor=self.actor(), job=job, when=data["planned_at"])
        return self.respond(done)

    @extend_schema(
        description="Stop a scheduled or waiting job; the variant returns to approved.",
        parameters=[ID_PARAM],
        request=None,
        responses={200: JobDetailSerializer, **ERRORS},
    )
    def cancel(self, request: Request, workspace_pk: int, pk: int) -> Response:
        job = self.acting_on(pk)
        return self.respond(publishing.cancel_job(actor=self.actor(), job=job))

    @extend_schema(
        description="Publish on another account of the same platform, or by hand (null).",
        parameters=[ID_PARAM],
        request=JobAccountChangeSerializer,
        responses={200: JobDetailSerializer, **ERRORS},
    )
    def account(self, request: Request, workspace_pk: int, pk: int) -> Response:
        job = self.acting_on(pk)
        data = _validated(JobAccountChangeSerializer, request.data)
        account = None
        if data["account"] is not None:
            account = queries.accounts(self.workspace).filter(pk=data["account"]).first()
            if account is None:
                raise serializers.ValidationError(
                    {"account": [_("No such account in this workspace.")]}
                )
        done = publishing.change_account(actor=self.actor(), job=job, account=account)
        return self.respond(done)

    @extend_schema(
        description="Assisted publishing: the operator posted by hand; url is the post's "
        "address on the job's platform.",
        parameters=[ID_PARAM],
        request=JobCompleteSerializer,
        responses={200: JobDetailSerializer, **ERRORS},
    )
    def complete(self, request: Request, workspace_pk: int, pk: int) -> Response:
        job = self.acting_on(pk)
        data = _validated(JobCompleteSerializer, request.data)
        done = publishing.complete_assisted(actor=self.actor(), job=job, url=data["url"])
        return self.respond(done)

    @extend_schema(
        description="Settle a needs_check job after looking on the platform: published "
        "true with the post's url, or false to publish again.",
        parameters=[ID_PARAM],
        request=JobResolveSerializer,
        responses={200: JobDetailSerializer, **ERRORS},
    )
    def resolve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        job = self.acting_on(pk)
        data = _validated(JobResolveSerializer, request.data)
        done = publishing.resolve_needs_check(
            actor=self.actor(), job=job, published=data["published"], url=data["url"]
        )
        return self.respond(done)
