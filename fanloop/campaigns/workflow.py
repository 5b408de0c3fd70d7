"""The campaign lifecycle, declared in one place.

draft -> planned -> launching -> live -> wrapping up -> closed, and cancelled from any
open state. Each transition names the checks that must pass before it may happen.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fanloop.campaigns.models import Campaign, CampaignState

S = CampaignState
OPEN_STATES = frozenset({S.DRAFT, S.PLANNED, S.LAUNCHING, S.LIVE, S.WRAPPING_UP})

Check = Callable[[Campaign], list[str]]


def _needs_measurable_goal_and_budget(campaign: Campaign) -> list[str]:
    from fanloop.campaigns.goals import goal_problems

    problems = []
    goals = list(campaign.goals.all())
    if not goals:
        problems.append(gettext("Add at least one measurable goal."))
    for goal in goals:
        for problem in goal_problems(goal, campaign).values():
            problems.append(
                gettext("Goal %(goal)s: %(problem)s") % {"goal": goal, "problem": problem}
            )
    if not campaign.budget_lines.filter(planned_fen__gt=0).exists():
        problems.append(gettext("Add a budget with at least one planned amount."))
    return problems


def _needs_phase_owners(campaign: Campaign) -> list[str]:
    phases = list(campaign.phases.all())
    if not phases:
        return [gettext("Add the campaign's phases.")]
    return [
        gettext("Phase %(phase)s has no owner.") % {"phase": phase.name}
        for phase in phases
        if phase.owner_id is None
    ]


def _needs_retrospective(campaign: Campaign) -> list[str]:
    retro = getattr(campaign, "retrospective", None)
    if retro is None or not retro.is_complete:
        return [gettext("Complete the retrospective first.")]
    return []


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    checks: tuple[Check, ...] = ()
    needs_note: bool = False

    def problems(self, campaign: Campaign) -> list[str]:
        return [problem for check in self.checks for problem in check(campaign)]


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "plan",
        _("Mark as planned"),
        frozenset({S.DRAFT}),
        S.PLANNED,
        (_needs_measurable_goal_and_budget,),
    ),
    Transition("reopen", _("Back to draft"), frozenset({S.PLANNED}), S.DRAFT),
    Transition(
        "launch",
        _("Start warm-up / launch"),
        frozenset({S.PLANNED}),
        S.LAUNCHING,
        (_needs_measurable_goal_and_budget,),
    ),
    Transition("go_live", _("Go live"), frozenset({S.LAUNCHING}), S.LIVE, (_needs_phase_owners,)),
    Transition("wrap_up", _("Start wrap-up"), frozenset({S.LIVE}), S.WRAPPING_UP),
    Transition("close", _("Close"), frozenset({S.WRAPPING_UP}), S.CLOSED, (_needs_retrospective,)),
    Transition("cancel", _("Cancel"), OPEN_STATES, S.CANCELLED, needs_note=True),
)
BY_NAME = {transition.name: transition for transition in TRANSITIONS}


def available(campaign: Campaign) -> list[Transition]:
    return [t for t in TRANSITIONS if campaign.state in t.sources]
