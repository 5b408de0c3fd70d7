"""The publishing REST API: the queue and log, a job with its log, the operators' actions,
with the same rules, error shape, permissions and workspace isolation as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanloop.channels.connectors.base import ConnectorError
from fanloop.channels.models import JobState, PublishJob
from fanloop.channels.tests.test_views_publishing import (
    Refusing,
    job_of,
    make_jobs,
    run_due,
    scheduled,
)
from fanloop.content.models import VariantState
from fanloop.core.models import AuditEntry, User
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
ACTIONS = ("retry", "reschedule", "cancel", "account", "complete", "resolve")


@pytest.fixture
def jobs(make_account, schedule_variant):
    return make_jobs(make_account, schedule_variant)


@pytest.fixture
def api(api_client_for, operator):
    return api_client_for(operator)


def base(workspace):
    return f"/api/v1/workspaces/{workspace.pk}/publishing/jobs/"


def action_url(job, action):
    return f"{base(job.workspace)}{job.pk}/{action}/"


def test_list_filters_by_state_platform_account_and_due_range(api, jobs):
    workspace = jobs["failed"].workspace

    def ids(**query):
        response = api.get(base(workspace), query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {job.pk for job in jobs.values()}
    assert ids(state="failed") == {jobs["failed"].pk}
    assert ids(platform="zhihu") == {jobs["waiting"].pk}
    assert ids(account=jobs["waiting"].account_id) == {jobs["waiting"].pk}
    tomorrow = timezone.now() + timedelta(hours=12)
    assert ids(due_after=tomorrow.isoformat()) == {jobs["upcoming"].pk}
    assert jobs["upcoming"].pk not in ids(due_before=tomorrow.isoformat())
    # one row carries what an operator needs
    row = api.get(base(workspace), {"state": "published"}).json()["results"][0]
    published = jobs["published"]
    assert row["remote_url"] == published.remote_url
    assert row["account"]["simulated"] is True
    assert row["assisted"] is False
    assert 0 <= row["lateness_seconds"] < 60
    assert row["platform"] == "weibo"


def test_bad_filters_are_a_400_with_field_errors(api, jobs):
    response = api.get(base(jobs["failed"].workspace), {"state": "lost", "due_after": "soon"})
    assert response.status_code == 400
    fields = response.json()["error"]["field_errors"]
    assert set(fields) == {"state", "due_after"}


def test_retrieve_includes_the_publishing_log(api, jobs):
    failed = jobs["failed"]
    body = api.get(f"{base(failed.workspace)}{failed.pk}/").json()
    assert body["state"] == "failed"
    assert body["last_error"] == "图片审核未通过"
    assert [(a["worker"], a["outcome"]) for a in body["log"]] == [("w1", "failed")]


def test_retry_and_refusals_in_the_error_shape(api, jobs):
    failed = jobs["failed"]
    response = api.post(action_url(failed, "retry"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "scheduled"
    # retrying again is refused, and says why
    again = api.post(action_url(failed, "retry"), {}, format="json")
    assert again.status_code == 400
    error = again.json()["error"]
    assert "Only failed jobs can be retried" in error["field_errors"]["non_field_errors"][0]


def test_reschedule_and_cancel(api, jobs):
    upcoming = jobs["upcoming"]
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    response = api.post(
        action_url(upcoming, "reschedule"), {"planned_at": when.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.json()
    upcoming.refresh_from_db()
    assert upcoming.due_at == when
    past = api.post(
        action_url(upcoming, "reschedule"),
        {"planned_at": (timezone.now() - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400
    assert "planned_at" in past.json()["error"]["field_errors"]
    upcoming.refresh_from_db()
    assert upcoming.due_at == when
    assert api.post(action_url(upcoming, "reschedule"), {}, format="json").status_code == 400
    response = api.post(action_url(upcoming, "cancel"), format="json")
    assert response.json()["state"] == "cancelled"
    assert PublishJob.objects.get(pk=upcoming.pk).variant.state == VariantState.APPROVED


def test_complete_an_assisted_post(api, jobs, operator):
    waiting = jobs["waiting"]
    bad = api.post(action_url(waiting, "complete"), {"url": "ftp://zhihu.com/p/1"}, format="json")
    assert bad.status_code == 400
    assert "url" in bad.json()["error"]["field_errors"]
    assert PublishJob.objects.get(pk=waiting.pk).state == JobState.AWAITING_OPERATOR
    good = api.post(
        action_url(waiting, "complete"), {"url": "https://www.zhihu.com/p/9"}, format="json"
    )
    assert good.status_code == 200, good.json()
    assert good.json()["remote_url"] == "https://www.zhihu.com/p/9"
    waiting.refresh_from_db()
    assert waiting.variant.state == VariantState.PUBLISHED
    assert AuditEntry.objects.filter(action="channels.job_assisted_done", actor=operator).exists()


def test_resolve_a_needs_check_job_both_ways(api, jobs, schedule_variant):
    check = jobs["check"]
    missing = api.post(action_url(check, "resolve"), {"published": True}, format="json")
    assert missing.status_code == 400
    assert "url" in missing.json()["error"]["field_errors"]
    done = api.post(
        action_url(check, "resolve"),
        {"published": True, "url": "https://m.weibo.cn/status/1"},
        format="json",
    )
    assert done.json()["state"] == "published"
    other = run_due(
        job_of(schedule_variant("weibo", title="又断了")),
        Refusing(ConnectorError("超时", code="outcome_unknown", transient=True)),
    )
    again = api.post(action_url(other, "resolve"), {"published": False}, format="json")
    assert again.json()["state"] == "scheduled"


def test_change_account_only_to_an_account_of_this_workspace(
    api, jobs, other_workspace, make_account
):
    waiting = jobs["waiting"]
    owner = User.objects.get(username="zed")
    theirs = make_account("zhihu", workspace=other_workspace, actor=owner)
    response = api.post(action_url(waiting, "account"), {"account": theirs.pk}, format="json")
    assert response.status_code == 400
    assert "account" in response.json()["error"]["field_errors"]
    response = api.post(action_url(waiting, "account"), {"account": None}, format="json")
    assert response.status_code == 200
    assert response.json()["account"] is None


def test_a_viewer_reads_but_may_not_act(api_client_for, member_with_role, jobs):
    viewer = api_client_for(member_with_role(Role.VIEWER))
    workspace = jobs["failed"].workspace
    assert viewer.get(base(workspace)).status_code == 200
    assert viewer.get(f"{base(workspace)}{jobs['failed'].pk}/").status_code == 200
    for action in ACTIONS:
        for job in jobs.values():
            response = viewer.post(action_url(job, action), {}, format="json")
            assert response.status_code == 403
            assert response.json()["error"]["status"] == 403
    assert PublishJob.objects.get(pk=jobs["failed"].pk).state == JobState.FAILED


def test_anonymous_callers_are_refused(client, jobs):
    assert client.get(base(jobs["failed"].workspace)).status_code in {401, 403}


def test_a_job_of_another_workspace_is_404_everywhere(
    api, api_client_for, other_workspace, make_account, jobs
):
    owner = User.objects.get(username="zed")
    make_account("weibo", workspace=other_workspace, actor=owner)
    variant = scheduled(owner, owner, other_workspace, "weibo").variant
    theirs = run_due(job_of(variant), Refusing(ConnectorError("拒绝", code="x")))
    mine = jobs["failed"].workspace
    # under our workspace their job id names nothing
    assert api.get(f"{base(mine)}{theirs.pk}/").status_code == 404
    for action in ACTIONS:
        path = f"{base(mine)}{theirs.pk}/{action}/"
        assert api.post(path, {"url": "https://weibo.com/1"}, format="json").status_code == 404
    # and their workspace is not ours to list
    assert api.get(base(other_workspace)).status_code == 404
    assert api.post(action_url(theirs, "retry"), {}, format="json").status_code == 404
    # nor do our listings show it
    ours = api.get(base(mine)).json()["results"]
    assert theirs.pk not in {row["id"] for row in ours}
    assert PublishJob.objects.get(pk=theirs.pk).state == JobState.FAILED
    # an id no column can hold is a 404, not a crash
    assert api.get(f"{base(mine)}{2**70}/").status_code == 404
