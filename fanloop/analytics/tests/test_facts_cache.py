"""Cached reads over the rollup: served again without aggregating, never older than the
facts, separate per workspace, and labels that follow renames at once."""

from datetime import date

import pytest

from fanloop.analytics import queries, rollups
from fanloop.analytics.models import FactsVersion
from fanloop.analytics.tests import rollup_fixtures as f

pytestmark = pytest.mark.django_db

D = date(2026, 6, 10)


def _scope(workspace) -> queries.Scope:
    return queries.Scope(workspace_id=workspace.pk, start=D, end=D)


@pytest.fixture
def clicked_link(workspace):
    camp = f.campaign(workspace)
    link = f.link(workspace, "cache1", campaign=camp, platform="weibo", name="Spring post")
    f.click(link, f.local(2026, 6, 10, 9, 0), ip_hash="a")
    f.click(link, f.local(2026, 6, 10, 11, 0), ip_hash="b")
    rollups.rebuild_day(workspace, D)
    return link


def test_a_second_read_costs_one_version_lookup(workspace, clicked_link, django_assert_num_queries):
    # given a first read that aggregated the facts
    first = queries.totals(_scope(workspace))
    assert first.clicks == 2

    # when the same totals are read again, only the version is looked up
    with django_assert_num_queries(1):
        again = queries.totals(_scope(workspace))

    # then they are the same totals
    assert again == first


def test_breakdowns_are_cached_but_labels_are_read_fresh(workspace, clicked_link):
    # given a cached breakdown by link
    assert [row.label for row in queries.breakdown(_scope(workspace), "link")] == ["Spring post"]

    # when the link is renamed (no facts change)
    clicked_link.name = "Spring post (renamed)"
    clicked_link.save()

    # then the cached sums come back under the new name
    rows = queries.breakdown(_scope(workspace), "link")
    assert [(row.label, row.totals.clicks) for row in rows] == [("Spring post (renamed)", 2)]


def test_a_rebuild_makes_the_next_read_see_the_new_facts(workspace, clicked_link):
    # given cached totals and breakdowns
    assert queries.totals(_scope(workspace)).clicks == 2
    assert queries.breakdown(_scope(workspace), "link")[0].totals.clicks == 2
    version = queries.facts_version(workspace.pk)

    # when a new click arrives and the rollup rebuilds the day
    f.click(clicked_link, f.local(2026, 6, 10, 15, 0), ip_hash="c")
    rollups.rebuild_day(workspace, D)

    # then the version moved on and every read counts the third click
    assert queries.facts_version(workspace.pk) == version + 1
    assert queries.totals(_scope(workspace)).clicks == 3
    assert queries.breakdown(_scope(workspace), "link")[0].totals.clicks == 3


def test_a_rebuild_that_fails_leaves_the_version_and_the_cache_alone(
    workspace, clicked_link, monkeypatch
):
    assert queries.totals(_scope(workspace)).clicks == 2
    version = FactsVersion.objects.get(workspace=workspace).version
    f.click(clicked_link, f.local(2026, 6, 10, 15, 0), ip_hash="c")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rollups.DailyFact.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        rollups.rebuild_day(workspace, D)

    # the old facts stand, and so do the cached sums that match them
    assert FactsVersion.objects.get(workspace=workspace).version == version
    assert queries.totals(_scope(workspace)).clicks == 2


def test_another_workspace_never_reads_this_ones_cached_sums(
    workspace, other_workspace, clicked_link
):
    assert queries.totals(_scope(workspace)).clicks == 2

    theirs = queries.totals(_scope(other_workspace))

    assert theirs.clicks == 0
