"""Repeat clicks: a click on a link that the same visitor clicked within ``REPEAT_WINDOW``.

"The same visitor" is the same first-party visitor id when the click carries one, and
otherwise the same IP hash (any earlier click from that IP, with or without an id).
"Earlier" orders by ``clicked_at`` and then by id, so two clicks at the same instant
make the second stored one the repeat.

Why here and not in the click log: the flags depend on clicks that other web processes
may still hold in their buffers, and working them out on every flush cost the redirect
its latency budget (the queries and the Python run on the web process, holding the GIL
the request threads need). The rollup job, which rebuilds a day from its raw clicks
anyway, calls :func:`flag_day` first; the flags of a day settle when it is rolled up.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from fanloop.tracking.models import Click

REPEAT_WINDOW = timedelta(minutes=30)
_UPDATE_CHUNK = 500


def flag_day(workspace_id: int, start: datetime, end: datetime) -> bool:
    """Set ``is_repeat`` on the workspace's clicks from ``start`` up to ``end`` and on the
    following ``REPEAT_WINDOW``, which clicks of [start, end) can make repeats.

    Returns whether a click at or after ``end`` changed, i.e. whether the next day's
    facts are now stale.
    """
    rows = (
        Click.objects.filter(
            workspace_id=workspace_id,
            clicked_at__gte=start - REPEAT_WINDOW,
            clicked_at__lt=end + REPEAT_WINDOW,
        )
        .order_by("link_id", "clicked_at", "id")
        .values_list("id", "link_id", "clicked_at", "visitor_id", "ip_hash", "is_repeat")
    )
    become_repeat: list[int] = []
    become_first: list[int] = []
    next_day_changed = False
    current_link = None
    last_by_visitor: dict[str, datetime] = {}
    last_by_ip: dict[str, datetime] = {}
    for click_id, link_id, clicked_at, visitor_id, ip_hash, stored in rows.iterator(2000):
        if link_id != current_link:
            current_link = link_id
            last_by_visitor = {}
            last_by_ip = {}
        previous = last_by_visitor.get(visitor_id) if visitor_id else last_by_ip.get(ip_hash)
        repeat = previous is not None and clicked_at - previous <= REPEAT_WINDOW
        if visitor_id:
            last_by_visitor[visitor_id] = clicked_at
        last_by_ip[ip_hash] = clicked_at
        # clicks before start are only context: their own flags belong to the day before
        if clicked_at < start or repeat == stored:
            continue
        (become_repeat if repeat else become_first).append(click_id)
        next_day_changed = next_day_changed or clicked_at >= end
    _set(become_repeat, True)
    _set(become_first, False)
    return next_day_changed


def _set(ids: list[int], repeat: bool) -> None:
    for lo in range(0, len(ids), _UPDATE_CHUNK):
        Click.objects.filter(Q(id__in=ids[lo : lo + _UPDATE_CHUNK])).update(is_repeat=repeat)
