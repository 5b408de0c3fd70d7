"""The analytics scale benchmark at a tiny scale, so it cannot rot silently: the
generator still writes a valid workspace, and the rollup read through
``analytics.queries`` still equals pandas over the raw rows, cell for cell."""

import pytest

from bench.analytics_data import Scale
from bench.analytics_scale import (
    build_world,
    compare,
    fanloop_answers,
    load_raw,
    pandas_answers,
    prepare,
)
from fanloop.analytics.rollups import rebuild_range
from fanloop.tracking.models import Click, Order

TINY = Scale(clicks=2_000, orders=300, posts=30, links=25, partners=8, promos=8, campaigns=4)


@pytest.mark.django_db
def test_bench_generator_and_pandas_agree_with_the_rollup():
    # given a tiny generated workspace, rolled up over the big campaign and the period before
    world = build_world(TINY, log=lambda _line: None)
    start, end = world.big_period
    length = (end - start).days + 1
    rebuild_range(world.workspace, start.fromordinal(start.toordinal() - length), end)

    # when pandas and fanloop answer the campaign's questions
    frame = prepare(load_raw(world.workspace.pk))
    expected = pandas_answers(frame, world, whole_workspace=False)
    got = fanloop_answers(world, whole_workspace=False)

    # then every number matches, and the campaign actually had clicks and orders
    check = compare(expected, got)
    assert check.differences == []
    assert check.cells > 100
    assert expected["big campaign"]["unique_clicks"] > 0
    assert expected["big campaign"]["orders"] > 0
    assert Click.objects.filter(workspace=world.workspace).count() == TINY.clicks
    assert Order.objects.filter(workspace=world.workspace).count() == TINY.orders
