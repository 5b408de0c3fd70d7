"""The periodic jobs: the daily metrics rollup and the WeCom sync."""

import pytest

from fanloop.community import tasks
from fanloop.community.models import GroupDay
from fanloop.community.services.common import workspace_today
from fanloop.community.tests.conftest import IMMEDIATE, run_file

pytestmark = pytest.mark.django_db


def test_the_daily_rollup_writes_today_and_yesterday_for_every_active_group(
    settings, operator, group, make_group
):
    settings.TASKS = IMMEDIATE
    archived = make_group("旧群", archived=True)
    run_file(operator, group, "members", [["用户ID", "入群时间"], ["u1", "2025-01-01 09:00"]])
    GroupDay.objects.all().delete()

    result = tasks.rollup_community_metrics.enqueue()

    assert result.return_value == {"days": 2}
    today = workspace_today(group.workspace)
    assert GroupDay.objects.get(group=group, day=today).members == 1
    assert not GroupDay.objects.filter(group=archived).exists()


def test_the_sync_job_reports_what_it_did(settings):
    settings.TASKS = IMMEDIATE

    result = tasks.sync_wecom_groups.enqueue()

    assert result.return_value["groups"] == 0
    assert result.return_value["errors"] == []
