"""The inbox REST API: conversations with the list's filters, one conversation with its
messages, the operators' actions, saved replies, and label corrections.

Thin over ``fanloop.inbox.queries`` (reads) and the inbox services (writes): the same
rules, refusals and audit entries as the pages. Another workspace's conversation is a
404; an action the caller's role may not do is a 403 (checked before the body is read).
"""

from typing import Any, TypeVar

from django.db.models import Model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from fanloop.core import services as core_services
from fanloop.core.api import ERRORS, ID_PARAM, WORKSPACE_PARAM, WorkspaceScopedViewSet
from fanloop.core.models import User
from fanloop.core.permissions import Action
from fanloop.inbox import queries
from fanloop.inbox.api_serializers import (
    AssignSerializer,
    EscalateSerializer,
    LabelSerializer,
    MarkRepliedSerializer,
    MessageSerializer,
    NoteCreateSerializer,
    ReplySerializer,
    SavedReplySerializer,
    StatusSerializer,
    TagActionSerializer,
    ThreadDetailSerializer,
    ThreadFilterSerializer,
    ThreadSerializer,
    TicketSerializer,
)
from fanloop.inbox.models import (
    Message,
    SavedReply,
    Thread,
)
from fanloop.inbox.services import actions

_M = TypeVar("_M", bound=Model)
TAGS = ["inbox"]
MAX_ID = 9_223_372_036_854_775_807


def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _refuse(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


# Views ----------------------------------------------------------------------------------


class InboxViewSet(WorkspaceScopedViewSet[_M]):
    view_action = Action.WORKSPACE_VIEW

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # An id no database column can hold names nothing: 404, not a driver overflow.
        if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in self.kwargs.values()):
            raise NotFound()
        super().initial(request, *args, **kwargs)

    def actor(self) -> User:
        assert isinstance(self.request.user, User)
        return self.request.user

    def acting(self) -> None:
        core_services.require_action(self.request.user, self.workspace, Action.INBOX_REPLY)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class ThreadViewSet(InboxViewSet[Thread]):
    serializer_class = ThreadSerializer

    def thread(self, pk: int) -> Thread:
        return queries.thread(self.workspace, pk)

    def acting_on(self, pk: int) -> Thread:
        self.acting()
        return self.thread(pk)

    def respond(self, thread: Thread, code: int = status.HTTP_200_OK) -> Response:
        return Response(ThreadDetailSerializer(self.thread(thread.pk)).data, status=code)

    @extend_schema(
        description="Conversations, by default open or pending, highest priority (a "
        "negative complaint from a VIP first) then longest waiting.",
        parameters=[ThreadFilterSerializer],
        responses={200: ThreadSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        query = _validated(ThreadFilterSerializer, request.query_params)
        filters = queries.ThreadFilters(
            view=query.get("view", "all"),
            status=query.get("status", queries.STATUS_ACTIVE),
            platform=query.get("platform", ""),
            account=query.get("account"),
            campaign=query.get("campaign"),
            tag=query.get("tag"),
            team=query.get("team"),
            intent=query.get("intent", ""),
            q=query.get("q", "").strip(),
            sort=query.get("sort", "priority"),
        )
        found = queries.threads(self.workspace, filters, self.actor())
        page = self.paginate_queryset(found)
        return self.get_paginated_response(ThreadSerializer(page, many=True).data)

    @extend_schema(parameters=[ID_PARAM], responses={200: ThreadDetailSerializer, **ERRORS})
    def retrieve(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.check_view()
        return self.respond(self.thread(pk))

    @extend_schema(
        description="Post a reply through the platform. Where the platform's API cannot "
        "(can_reply_through_platform false) this is a 400: reply by hand, then mark-replied.",
        parameters=[ID_PARAM],
        request=ReplySerializer,
        responses={201: ThreadDetailSerializer, **ERRORS},
    )
    def reply(self, request: Request, workspace_pk: int, pk: int) -> Response:
        thread = self.acting_on(pk)
        data = _validated(ReplySerializer, request.data)
        saved = None
        if data.get("saved_reply"):
            saved = queries.saved_replies(self.workspace).filter(pk=data["saved_reply"]).first()
            if saved is None:
                raise _refuse("saved_reply", _("No such saved reply in this workspace."))
        actions.reply(actor=self.actor(), thread=thread, text=data["text"], saved_reply=saved)
        return self.respond(thread, status.HTTP_201_CREATED)

    @extend_schema(
        description="The reply was made by hand on the platform; it counts as ours.",
        parameters=[ID_PARAM],
        request=MarkRepliedSerializer,
        responses={201: ThreadDetailSerializer, **ERRORS},
    )
    def mark_replied(self, request: Request, workspace_pk: int, pk: int) -> Response:
        thread = self.acting_on(pk)
        data = _validated(MarkRepliedSerializer, request.data)
        actions.mark_replied(actor=self.actor(), thread=thread, text=data["text"])
        return self.respond(thread, status.HTTP_201_CREATED)

    @extend_schema(
        description="Assign to a person and/or a team; both null unassigns.",
        parameters=[ID_PARAM],
        request=AssignSerializer,
        responses={200: ThreadDetailSerializer, **ERRORS},
    )
    def assign(self, request: Request, workspace_pk: int, pk: int) -> Response:
        thread = self.acting_on(pk)
        data = _validated(AssignSerializer, request.data)
        user = team = None
        if data["user"] is not None:
            user = next(
                (u for u in queries.operators(self.workspace) if u.pk == data["user"]), None
            )
            if user is None:
                raise _refuse("user", _("Nobody who answers fans here has that id."))
        if data["team"] is not None:
            team = queries.teams(self.workspace).filter(pk=data["team"]).first()
            if team is None:
                raise _refuse("team", _("No such team in this workspace."))
        actions.assign(actor=self.actor(), threads=[thread], user=user, team=team)
        return self.respond(thread)

    @extend_schema(
        parameters=[ID_PARAM],
        request=StatusSerializer,
        responses={200: ThreadDetailSerializer, **ERRORS},
    )
    def set_status(self, request: Request, workspace_pk: int, pk: int) -> Response:
        thread = self.acting_on(pk)
        data = _validated(StatusSerializer, request.data)
        actions.set_status(actor=self.actor(), threads=[thread], status=data["status"])
        return self.respond(thread)

    @extend_schema(
        description="Add a tag (or take it off with remove true).",
        parameters=[ID_PARAM],
        request=TagActionSerializer,
        responses={200: ThreadDetailSerializer, **ERRORS},
    )
    def tag(self, request: Request, workspace_pk: int, pk: int) -> Response:
        thread = self.acting_on(pk)
        data = _validated(TagActionSerializer, request.data)
        tag = queries.tags(self.workspace).filter(pk=data["tag"]).first()
        if tag is None:
            raise _refuse("tag", _("No such tag in this workspace."))
        if data["remove"]:
            actions.remove_tag(actor=self.actor(), threads=[thread], tag=tag)
        else:
            actions.add_tag(actor=self.actor(), threads=[thread], tag=tag)
        return self.respond(thread)

    @extend_schema(
        parameters=[ID_PARAM],
        request=NoteCreateSerializer,
        responses={201: ThreadDetailSerializer, **ERRORS},
    )
    def note(self, request: Request, workspace_pk: int, pk: int) -> Response:
        thread = self.acting_on(pk)
        data = _validated(NoteCreateSerializer, request.data)
        actions.add_note(actor=self.actor(), thread=thread, text=data["text"])
        return self.respond(thread, status.HTTP_201_CREATED)

    @extend_schema(
        description="Open an after-sales ticket for the conversation (message: the one it "
        "is about; default the fan's latest).",
        parameters=[ID_PARAM],
        request=EscalateSerializer,
        responses={201: TicketSerializer, **ERRORS},
    )
    def escalate(self, request: Request, workspace_pk: int, pk: int) -> Response:
        thread = self.acting_on(pk)
        data = _validated(EscalateSerializer, request.data)
        message = None
        if data.get("message"):
            message = queries.messages(thread).filter(pk=data["message"]).first()
            if message is None:
                raise _refuse("message", _("That message is not part of this conversation."))
        ticket = actions.escalate(
            actor=self.actor(),
            thread=thread,
            message=message,
            subject=data["subject"],
            details=data["details"],
        )
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        description="The fan's waiting messages need no answer; they leave the reply rate.",
        parameters=[ID_PARAM],
        request=None,
        responses={200: ThreadDetailSerializer, **ERRORS},
    )
    def no_reply(self, request: Request, workspace_pk: int, pk: int) -> Response:
        thread = self.acting_on(pk)
        actions.no_reply_needed(actor=self.actor(), threads=[thread])
        return self.respond(thread)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class MessageLabelViewSet(InboxViewSet[Message]):
    serializer_class = MessageSerializer

    @extend_schema(
        description="Correct a fan message's sentiment and/or intent; the workspace's "
        "model learns from corrections.",
        parameters=[ID_PARAM],
        request=LabelSerializer,
        responses={200: MessageSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, workspace_pk: int, pk: int) -> Response:
        self.acting()
        message = queries.message(self.workspace, pk)
        data = _validated(LabelSerializer, request.data)
        actions.correct_label(
            actor=self.actor(), message=message, sentiment=data["sentiment"], intent=data["intent"]
        )
        return Response(MessageSerializer(queries.message(self.workspace, pk)).data)


@extend_schema(tags=TAGS, parameters=[WORKSPACE_PARAM])
class SavedReplyViewSet(InboxViewSet[SavedReply]):
    serializer_class = SavedReplySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("thread", int, description="Fill {昵称}/{商品} for this conversation"),
            OpenApiParameter("platform", str, description="Only those usable on this platform"),
        ],
        responses={200: SavedReplySerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, workspace_pk: int) -> Response:
        self.check_view()
        thread = None
        raw = request.query_params.get("thread", "")
        if raw:
            if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
                raise _refuse("thread", _("A conversation id is a positive number."))
            thread = queries.thread(self.workspace, int(raw))
        platform = request.query_params.get("platform", "") or (thread.platform if thread else "")
        found = queries.saved_replies(self.workspace, platform)
        page = self.paginate_queryset(found)
        data = SavedReplySerializer(page, many=True, context={"thread": thread}).data
        return self.get_paginated_response(data)
