"""The rollup job: dirty days are claimed once, rebuilt, and failures stay dirty."""

from datetime import date

import pytest

from fanloop.analytics import rollups, tasks
from fanloop.analytics.models import DailyFact, RollupDirty
from fanloop.analytics.tests import rollup_fixtures as f

pytestmark = pytest.mark.django_db

D = date(2026, 6, 10)


def test_a_claimed_day_cannot_be_claimed_again(workspace):
    rollups.mark_dirty([(workspace.pk, D)])
    dirty = RollupDirty.objects.get()
    assert rollups.claim_dirty(dirty.pk) is True
    assert rollups.claim_dirty(dirty.pk) is False  # the second claimer gets nothing
    assert not RollupDirty.objects.exists()


def test_marking_twice_keeps_one_dirty_row(workspace):
    rollups.mark_dirty([(workspace.pk, D), (workspace.pk, D)])
    rollups.mark_dirty([(workspace.pk, D)])
    assert RollupDirty.objects.count() == 1


def test_process_dirty_builds_the_day_and_clears_the_mark(workspace):
    link = f.link(workspace, "j1")
    f.click(link, f.local(2026, 6, 10, 9, 0))
    rollups.mark_dirty([(workspace.pk, D)])
    result = rollups.process_dirty()
    assert result["days"] == 1
    assert result["failed"] == 0
    assert DailyFact.objects.get(workspace=workspace, day=D).clicks == 1
    assert not RollupDirty.objects.exists()


def test_a_failing_day_stays_dirty_and_others_go_on(workspace, other_workspace, monkeypatch):
    rollups.mark_dirty([(workspace.pk, D), (other_workspace.pk, D)])
    real = rollups.rebuild_day

    def broken(ws, day):
        if ws.pk == workspace.pk:
            raise RuntimeError("disk full")
        return real(ws, day)

    monkeypatch.setattr(rollups, "rebuild_day", broken)
    result = rollups.process_dirty()
    assert (result["days"], result["failed"]) == (1, 1)
    assert list(RollupDirty.objects.values_list("workspace_id", flat=True)) == [workspace.pk]


def test_the_periodic_job_marks_and_processes(workspace, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    link = f.link(workspace, "j2")
    f.click(link, f.local(2026, 6, 10, 9, 0))
    rollups.mark_dirty([(workspace.pk, D)])
    result = tasks.run_rollups.enqueue().return_value
    assert result["days"] >= 1
    assert DailyFact.objects.filter(workspace=workspace, day=D).exists()
