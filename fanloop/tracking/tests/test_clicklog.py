"""The buffered click log: batches, bot flags, rollup days, retries, shutdown."""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import OperationalError

from fanloop.analytics.models import DailyFact, RollupDirty
from fanloop.analytics.rollups import process_dirty, rebuild_day
from fanloop.tracking import clicklog
from fanloop.tracking.clicklog import PendingClick
from fanloop.tracking.models import Click, TrackingLink
from fanloop.tracking.privacy import hash_ip

T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _buffered_without_thread(settings) -> Iterator[None]:
    """Clicks stay in the buffer until the test flushes (no background thread)."""
    settings.TRACKING_CLICKLOG_SYNC = False
    settings.TRACKING_CLICKLOG_BACKGROUND = False
    with clicklog._buffer_lock:
        clicklog._buffer.clear()
    yield
    with clicklog._buffer_lock:
        clicklog._buffer.clear()


@pytest.fixture
def link(workspace) -> TrackingLink:
    return TrackingLink.objects.create(
        workspace=workspace, code="c1", destination_url="https://shop.example.com/"
    )


@pytest.fixture
def click(link) -> Callable[..., PendingClick]:
    def make(at: datetime = T0, **fields: object) -> PendingClick:
        values: dict[str, object] = {
            "link_id": link.id,
            "workspace_id": link.workspace_id,
            "timezone": "Asia/Shanghai",
            "clicked_at": at,
            "referrer_host": "",
            "ua_class": "mobile",
            "ip_hash": hash_ip("198.51.100.1"),
            "visitor_id": "",
        }
        values.update(fields)
        return PendingClick(**values)  # type: ignore[arg-type]

    return make


def test_clicks_wait_in_the_buffer_until_flushed(db, click) -> None:
    clicklog.record(click())
    clicklog.record(click(T0 + timedelta(hours=1)))

    assert Click.objects.count() == 0
    assert clicklog.pending_count() == 2

    assert clicklog.flush() == 2
    assert Click.objects.count() == 2
    assert clicklog.pending_count() == 0


def test_a_large_backlog_is_written_in_several_batches(db, click, settings) -> None:
    settings.TRACKING_CLICKLOG_BATCH_SIZE = 7
    for i in range(30):
        clicklog.record(click(T0 + timedelta(seconds=i), ip_hash=f"h{i}"))

    assert clicklog.flush() == 30
    assert Click.objects.count() == 30


def test_the_shutdown_hook_writes_what_is_left(db, click) -> None:
    clicklog.record(click())
    clicklog.record(click(ip_hash="other"))

    clicklog.shutdown()

    assert Click.objects.count() == 2
    assert clicklog.pending_count() == 0


def test_a_full_buffer_is_flushed_by_the_request_instead_of_dropping(db, click, settings) -> None:
    settings.TRACKING_CLICKLOG_MAX_BUFFER = 5
    for i in range(5):
        clicklog.record(click(T0 + timedelta(seconds=i), ip_hash=f"h{i}"))

    assert Click.objects.count() == 5
    assert clicklog.pending_count() == 0


def test_a_failed_flush_keeps_the_batch_for_the_next_one(db, click, monkeypatch) -> None:
    clicklog.record(click())
    clicklog.record(click(ip_hash="other"))
    real = clicklog._insert

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(clicklog, "_insert", broken)
    with pytest.raises(OperationalError):
        clicklog.flush()
    assert clicklog.pending_count() == 2
    assert Click.objects.count() == 0
    assert not RollupDirty.objects.exists()  # nothing half-written

    monkeypatch.setattr(clicklog, "_insert", real)
    clicklog.record(click(T0 + timedelta(minutes=1), ip_hash="third"))
    assert clicklog.flush() == 3
    assert Click.objects.count() == 3


def test_a_failing_flush_never_fails_the_request(db, click, monkeypatch, settings) -> None:
    settings.TRACKING_CLICKLOG_SYNC = True

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(clicklog, "_insert", broken)
    clicklog.record(click())  # no exception

    assert clicklog.pending_count() == 1


def test_clicks_of_a_link_deleted_meanwhile_do_not_block_the_others(db, click, workspace) -> None:
    gone = TrackingLink.objects.create(
        workspace=workspace, code="gone", destination_url="https://x.example/"
    )
    clicklog.record(click(link_id=gone.id))
    clicklog.record(click(ip_hash="other"))
    gone.delete()

    clicklog.flush()

    assert Click.objects.count() == 1
    assert clicklog.pending_count() == 0


def test_bots_are_flagged_from_their_class(db, click) -> None:
    clicklog.record(click(ua_class="bot"))
    clicklog.record(click(ua_class="wechat", ip_hash="other"))
    clicklog.flush()

    assert dict(Click.objects.values_list("ua_class", "is_bot")) == {"bot": True, "wechat": False}


def test_a_flush_leaves_repeat_flags_to_the_rollup(db, click) -> None:
    clicklog.record(click(T0))
    clicklog.record(click(T0 + timedelta(minutes=1)))
    clicklog.flush()

    assert list(Click.objects.values_list("is_repeat", flat=True)) == [False, False]


# --- repeats: flagged by the rollup job ---------------------------------------------


def roll_up() -> None:
    """What the rollup job does every five minutes."""
    assert process_dirty()["failed"] == 0


def repeats() -> list[bool]:
    return list(Click.objects.order_by("clicked_at", "id").values_list("is_repeat", flat=True))


def test_repeat_within_the_window_in_one_batch(db, click) -> None:
    clicklog.record(click(T0))
    clicklog.record(click(T0 + timedelta(minutes=10)))
    clicklog.record(click(T0 + timedelta(minutes=10), ip_hash="someone-else"))
    clicklog.flush()
    roll_up()

    assert sorted(Click.objects.values_list("ip_hash", "is_repeat")) == sorted(
        [(hash_ip("198.51.100.1"), False), (hash_ip("198.51.100.1"), True), ("someone-else", False)]
    )


def test_a_click_outside_the_window_is_not_a_repeat(db, click) -> None:
    clicklog.record(click(T0))
    clicklog.record(click(T0 + timedelta(minutes=31)))
    clicklog.flush()
    roll_up()

    assert repeats() == [False, False]


def test_repeat_against_clicks_already_stored(db, click) -> None:
    clicklog.record(click(T0))
    clicklog.flush()
    roll_up()

    clicklog.record(click(T0 + timedelta(minutes=29)))
    clicklog.flush()
    roll_up()
    clicklog.record(click(T0 + timedelta(minutes=29 + 31)))
    clicklog.flush()
    roll_up()

    assert repeats() == [False, True, False]


def test_repeat_is_per_link(db, click, workspace) -> None:
    other = TrackingLink.objects.create(
        workspace=workspace, code="c2", destination_url="https://x.example/"
    )
    clicklog.record(click(T0))
    clicklog.record(click(T0 + timedelta(minutes=1), link_id=other.id))
    clicklog.flush()
    roll_up()

    assert repeats() == [False, False]


def test_a_visitor_id_identifies_the_visitor_across_ips(db, click) -> None:
    clicklog.record(click(T0, visitor_id="a" * 32, ip_hash="home"))
    clicklog.record(click(T0 + timedelta(minutes=5), visitor_id="a" * 32, ip_hash="office"))
    clicklog.record(click(T0 + timedelta(minutes=6), visitor_id="b" * 32, ip_hash="office"))
    clicklog.flush()
    roll_up()

    assert repeats() == [False, True, False]


def test_an_earlier_click_flushed_late_makes_the_stored_later_one_a_repeat(db, click) -> None:
    # Two web processes: the one holding the later click flushed first.
    clicklog.record(click(T0 + timedelta(minutes=3)))
    clicklog.flush()
    roll_up()
    assert repeats() == [False]

    clicklog.record(click(T0))
    clicklog.flush()
    roll_up()

    assert repeats() == [False, True]


def test_the_day_after_is_rebuilt_when_a_late_click_makes_its_first_click_a_repeat(
    db, click, workspace
) -> None:
    # 23:50 and 00:10 Shanghai time: the second repeats the first across midnight
    evening = datetime(2025, 3, 1, 15, 50, tzinfo=UTC)
    clicklog.record(click(evening + timedelta(minutes=20)))
    clicklog.flush()
    roll_up()
    assert unique_clicks(workspace, date(2025, 3, 2)) == 1

    clicklog.record(click(evening))  # another process flushed it late
    clicklog.flush()
    roll_up()  # rebuilds 1 March, flags the 00:10 click and marks 2 March again
    roll_up()

    assert repeats() == [False, True]
    assert unique_clicks(workspace, date(2025, 3, 1)) == 1
    assert unique_clicks(workspace, date(2025, 3, 2)) == 0
    assert not RollupDirty.objects.exists()


def test_a_click_that_no_longer_follows_another_is_no_longer_a_repeat(db, click) -> None:
    clicklog.record(click(T0))
    clicklog.record(click(T0 + timedelta(minutes=5)))
    clicklog.flush()
    roll_up()
    assert repeats() == [False, True]

    Click.objects.filter(clicked_at=T0).delete()
    rebuild_day(Click.objects.get().workspace_id, date(2025, 3, 1))

    assert repeats() == [False]


def unique_clicks(workspace, day: date) -> int:
    facts = DailyFact.objects.filter(workspace=workspace, day=day)
    return sum(facts.values_list("unique_clicks", flat=True))


# --- rollup days --------------------------------------------------------------------


def test_the_local_day_is_marked_dirty(db, click, workspace) -> None:
    # 23:30 UTC is 07:30 the next morning in Shanghai
    clicklog.record(click(datetime(2025, 3, 1, 23, 30, tzinfo=UTC)))
    clicklog.record(click(datetime(2025, 3, 1, 10, 0, tzinfo=UTC), ip_hash="other"))
    clicklog.flush()

    days = set(RollupDirty.objects.values_list("workspace_id", "day"))
    assert days == {(workspace.id, date(2025, 3, 2)), (workspace.id, date(2025, 3, 1))}


def test_the_workspaces_own_time_zone_decides_the_day(db, click, other_workspace) -> None:
    other_workspace.timezone = "UTC"
    other_workspace.save()
    theirs = TrackingLink.objects.create(
        workspace=other_workspace, code="c9", destination_url="https://x.example/"
    )

    clicklog.record(
        click(
            datetime(2025, 3, 1, 23, 30, tzinfo=UTC),
            link_id=theirs.id,
            workspace_id=other_workspace.id,
            timezone="UTC",
        )
    )
    clicklog.flush()

    assert list(RollupDirty.objects.values_list("workspace_id", "day")) == [
        (other_workspace.id, date(2025, 3, 1))
    ]
    assert Click.objects.get().workspace_id == other_workspace.id
