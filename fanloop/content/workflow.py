"""The variant review and publishing lifecycle, declared in one place.

draft -> in review -> (changes requested ->) approved -> scheduled -> published, with
failed and archived on the side. Each transition names who may take it and whether it
needs a note; the services enforce the checks that need data (review steps, compliance
findings, planned times). Editing an approved or scheduled variant is not a transition
a person picks: the edit itself sends the variant back to review (``EDIT_RESETS``).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fanloop.content.models import VariantState
from fanloop.core.permissions import Action

S = VariantState

# States whose copy may be edited at all; editing in these states re-opens review.
EDITABLE_STATES = frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.IN_REVIEW, S.APPROVED, S.SCHEDULED})
EDIT_RESETS = frozenset({S.IN_REVIEW, S.APPROVED, S.SCHEDULED})
# States that count towards the calendar's plan (and the hard-ad share).
PLANNED_STATES = frozenset({S.APPROVED, S.SCHEDULED, S.PUBLISHED})


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    action: Action
    needs_note: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "submit",
        _("Submit for review"),
        frozenset({S.DRAFT, S.CHANGES_REQUESTED}),
        S.IN_REVIEW,
        Action.CONTENT_EDIT,
    ),
    # One approval per review step; the last one moves the variant to approved.
    Transition(
        "approve", _("Approve"), frozenset({S.IN_REVIEW}), S.APPROVED, Action.CONTENT_REVIEW
    ),
    Transition(
        "request_changes",
        _("Request changes"),
        frozenset({S.IN_REVIEW}),
        S.CHANGES_REQUESTED,
        Action.CONTENT_REVIEW,
        needs_note=True,
    ),
    Transition("schedule", _("Schedule"), frozenset({S.APPROVED}), S.SCHEDULED, Action.PUBLISH),
    Transition("unschedule", _("Unschedule"), frozenset({S.SCHEDULED}), S.APPROVED, Action.PUBLISH),
    Transition(
        "mark_published",
        _("Mark as published"),
        frozenset({S.SCHEDULED, S.FAILED}),
        S.PUBLISHED,
        Action.PUBLISH,
    ),
    Transition(
        "mark_failed",
        _("Mark as failed"),
        frozenset({S.SCHEDULED}),
        S.FAILED,
        Action.PUBLISH,
        needs_note=True,
    ),
    Transition("retry", _("Schedule again"), frozenset({S.FAILED}), S.SCHEDULED, Action.PUBLISH),
    Transition(
        "archive",
        _("Archive"),
        frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.APPROVED, S.PUBLISHED, S.FAILED}),
        S.ARCHIVED,
        Action.CONTENT_EDIT,
    ),
    Transition(
        "restore", _("Restore to draft"), frozenset({S.ARCHIVED}), S.DRAFT, Action.CONTENT_EDIT
    ),
)
BY_NAME = {transition.name: transition for transition in TRANSITIONS}


def available(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.sources]
