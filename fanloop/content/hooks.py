"""What other apps may react to without content importing them.

Publishing (channels) turns scheduled variants into publish jobs; it listens here, so
the content services stay the one write path and content never imports channels.
"""

from collections.abc import Callable

from fanloop.content.models import Variant

# event: "scheduled" (approved -> scheduled), "rescheduled" (planned time moved),
# "unscheduled" (back to approved), "pulled" (edited after scheduling: back to review)
ScheduleListener = Callable[[Variant, str], None]
_listeners: list[ScheduleListener] = []


def on_schedule_change(listener: ScheduleListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def schedule_changed(variant: Variant, event: str) -> None:
    """Called by the content services inside their transaction: a listener that fails
    rolls the whole change back, so a variant is never scheduled without its job."""
    for listener in _listeners:
        listener(variant, event)
