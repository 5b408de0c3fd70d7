from fanloop.inbox.models.choices import (
    AlertScope,
    AlertStatus,
    DeliveryState,
    Direction,
    MessageKind,
    MessageSource,
    ThreadStatus,
    TicketStatus,
)
from fanloop.inbox.models.classifier import LabelCorrection, WorkspaceClassifier
from fanloop.inbox.models.crisis import CrisisAlert
from fanloop.inbox.models.messages import Author, Message, Thread
from fanloop.inbox.models.setup import (
    AssignmentRule,
    InboxSettings,
    OperatorPresence,
    PollCursor,
    SavedReply,
    Tag,
    Team,
    WebhookDelivery,
    WebhookEndpoint,
)
from fanloop.inbox.models.work import Note, Ticket

__all__ = [
    "AlertScope",
    "AlertStatus",
    "AssignmentRule",
    "Author",
    "CrisisAlert",
    "DeliveryState",
    "Direction",
    "InboxSettings",
    "LabelCorrection",
    "Message",
    "MessageKind",
    "MessageSource",
    "Note",
    "OperatorPresence",
    "PollCursor",
    "SavedReply",
    "Tag",
    "Team",
    "Thread",
    "ThreadStatus",
    "Ticket",
    "TicketStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkspaceClassifier",
]
