"""The publishing pages: queue and log, job detail with its actions, assisted publishing,
permissions and workspace isolation. Jobs are made the real way: a scheduled variant,
then the worker's claim and dispatch."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fanloop.channels import assisted
from fanloop.channels.connectors.base import ConnectorError
from fanloop.channels.models import JobState, PublishJob
from fanloop.channels.services import dispatch, publishing
from fanloop.channels.tests.conftest import CLEAN_BODY, make_due
from fanloop.channels.views import publishing as views
from fanloop.content import services as content
from fanloop.content.models import VariantState
from fanloop.content.tests.mediasamples import png_bytes
from fanloop.core.models import AuditEntry, User
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
ACTIONS = ("retry", "reschedule", "cancel", "account", "complete", "resolve")


class Refusing:
    """A connector whose publish call fails the way ``error`` says."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def publish(self, request: object) -> None:
        raise self.error

    def supports(self, capability: object) -> bool:
        return False


def job_of(variant) -> PublishJob:
    return PublishJob.objects.filter(variant=variant).latest("id")


def run_due(job: PublishJob, connector: object = None, seconds_ago: int = 1) -> PublishJob:
    make_due(job, seconds_ago)
    claimed = [j for j in dispatch.claim_due("w1") if j.pk == job.pk]
    dispatch.dispatch(claimed[0], "w1", connector)  # type: ignore[arg-type]
    job.refresh_from_db()
    return job


def scheduled(writer, operator, workspace, platform, *, in_minutes=60, **copy):
    item = content.create_item(
        actor=writer,
        workspace=workspace,
        data={"title": "春季新品", "content_type": "image_text", "purpose": "product_intro"},
        platforms=[platform],
    )
    variant = content.update_variant(
        actor=writer, variant=item.variants.get(), data={"body": CLEAN_BODY, **copy}
    )
    content.transition(actor=writer, variant=variant, name="submit")
    content.transition(
        actor=operator,
        variant=variant,
        name="schedule",
        planned_at=timezone.now() + timedelta(minutes=in_minutes),
    )
    return job_of(variant)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def viewer(member_with_role):
    return member_with_role(Role.VIEWER)


@pytest.fixture
def jobs(make_account, schedule_variant):
    return make_jobs(make_account, schedule_variant)


def make_jobs(make_account, schedule_variant) -> dict[str, PublishJob]:
    """One job in each interesting state, made by the worker the real way."""
    make_account("weibo", "微博官方号")
    make_account("zhihu", "知乎号", simulated=False)
    published = run_due(job_of(schedule_variant("weibo", title="已发布")))
    failed = run_due(
        job_of(schedule_variant("weibo", title="失败了")),
        Refusing(ConnectorError("图片审核未通过", code="content_rejected")),
    )
    check = run_due(
        job_of(schedule_variant("weibo", title="要核对")),
        Refusing(ConnectorError("连接中断", code="outcome_unknown", transient=True)),
    )
    waiting = run_due(job_of(schedule_variant("zhihu", title="手动发")), seconds_ago=3 * 3600 + 60)
    upcoming = job_of(schedule_variant("weibo", title="明天发", in_minutes=24 * 60))
    states = (published.state, failed.state, check.state, waiting.state, upcoming.state)
    assert states == ("published", "failed", "needs_check", "awaiting_operator", "scheduled")
    return {
        "published": published,
        "failed": failed,
        "check": check,
        "waiting": waiting,
        "upcoming": upcoming,
    }


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def act(job, action):
    return reverse("publishing_job_action", args=[job.workspace.slug, job.pk, action])


# Queue and log --------------------------------------------------------------------------


def test_queue_shows_every_job_with_its_facts_and_state_counts(client_for, operator, jobs):
    # when the operator opens the queue
    response = client_for(operator).get(url("publishing", jobs["failed"].workspace))

    # then every job is listed with tabs counting each state
    assert response.status_code == 200
    page = response.content.decode()
    for state, n in [("all", 5), ("scheduled", 1), ("failed", 1), ("needs_check", 1)]:
        assert f'data-tab="{state}"' in page
        assert f'data-count="{n}"' in page
    published = jobs["published"]
    variant = published.variant
    # the row links the variant, labels the simulated account, shows the post and lateness
    assert reverse("variant_detail", args=["brand-a", variant.item_id, variant.pk]) in page
    assert "SIMULATED" in page
    assert published.remote_url in page
    assert "on time" in page
    assert "图片审核未通过" in page
    # due times are Shanghai wall-clock time
    local = published.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert local in page


def test_failed_and_needs_check_jobs_stand_out_with_their_actions(client_for, operator, jobs):
    page = client_for(operator).get(url("publishing", jobs["failed"].workspace)).content.decode()
    box = page[page.index('data-testid="attention"') : page.index('data-testid="filters"')]
    assert f'data-job-id="{jobs["failed"].pk}"' in box
    assert f'data-job-id="{jobs["check"].pk}"' in box
    assert f'data-job-id="{jobs["published"].pk}"' not in box
    assert act(jobs["failed"], "retry") in box
    assert act(jobs["check"], "resolve") in box
    assert "csrfmiddlewaretoken" in box


def test_queue_filters_by_state_platform_account_and_due_date(client_for, operator, jobs):
    client = client_for(operator)
    base = url("publishing", jobs["failed"].workspace)

    def listed(query):
        response = client.get(base, query)
        assert response.status_code == 200
        table = response.content.decode().split('data-testid="jobs"')[1]
        return {
            pk
            for pk in PublishJob.objects.values_list("pk", flat=True)
            if f'data-job-id="{pk}"' in table
        }

    assert listed({"state": "failed"}) == {jobs["failed"].pk}
    assert listed({"platform": "zhihu"}) == {jobs["waiting"].pk}
    assert listed({"account": jobs["waiting"].account_id}) == {jobs["waiting"].pk}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert listed({"since": tomorrow}) == {jobs["upcoming"].pk}
    assert jobs["upcoming"].pk not in listed({"until": timezone.localdate().isoformat()})
    # a bad value is ignored, not an error page
    assert len(listed({"since": "not-a-date", "state": "bogus"})) == 5


def test_the_table_refreshes_alone_and_pages(client_for, operator, jobs, monkeypatch):
    client = client_for(operator)
    base = url("publishing", jobs["failed"].workspace)
    # when htmx polls the table
    response = client.get(base, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=views.LIVE_TABLE)
    # then only the table comes back, still polling
    page = response.content.decode()
    assert 'hx-trigger="every 10s"' in page
    assert 'data-testid="jobs"' in page
    assert 'data-testid="attention"' not in page
    assert "<html" not in page

    # and with a small page size the pager splits the list
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = client.get(base).content.decode()
    assert "1 / 3" in first
    assert "page=2" in first


# Job detail and actions -----------------------------------------------------------------


def test_job_detail_shows_the_publishing_log_history_and_state_actions(client_for, operator, jobs):
    failed = jobs["failed"]
    page = client_for(operator).get(url("publishing_job", failed.workspace, failed.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-outcome="failed"' in text
    assert "<code>w1</code>" in text
    assert "channels.job_failed" in text
    assert "channels.job_create" in text
    for action in ("retry", "reschedule", "account"):
        assert act(failed, action) in text
    assert act(failed, "cancel") not in text


def test_retry_now_sends_a_failed_job_out_again(client_for, operator, jobs):
    failed = jobs["failed"]
    response = client_for(operator).post(act(failed, "retry"))
    assert response.status_code == 302
    assert response.url == url("publishing_job", failed.workspace, failed.pk)
    failed.refresh_from_db()
    assert failed.state == JobState.SCHEDULED
    assert failed.variant.state == VariantState.SCHEDULED
    # and the worker publishes it on the same job, with the log keeping both attempts
    done = run_due(failed)
    assert done.state == JobState.PUBLISHED
    assert done.log.count() == 2


def test_a_refused_action_shows_why_in_its_form_and_changes_nothing(client_for, operator, jobs):
    failed = jobs["failed"]
    before = failed.due_at
    past = (timezone.localtime(timezone.now(), SHANGHAI) - timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    response = client_for(operator).post(act(failed, "reschedule"), {"planned_at": past})
    assert response.status_code == 400
    assert "That time has passed" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.state, failed.due_at) == (JobState.FAILED, before)
    # a missing time is a form error too
    response = client_for(operator).post(act(failed, "reschedule"), {"planned_at": ""})
    assert "Choose the new date and time." in response.content.decode()


def test_reschedule_reads_the_time_as_shanghai_time(client_for, operator, jobs):
    upcoming = jobs["upcoming"]
    day = timezone.localdate() + timedelta(days=3)
    response = client_for(operator).post(
        act(upcoming, "reschedule"), {"planned_at": f"{day.isoformat()}T20:30"}
    )
    assert response.status_code == 302
    upcoming.refresh_from_db()
    expected = datetime(day.year, day.month, day.day, 20, 30, tzinfo=SHANGHAI)
    assert upcoming.due_at == expected
    assert upcoming.variant.planned_at == expected


def test_cancel_takes_a_post_off_the_schedule(client_for, operator, jobs):
    upcoming = jobs["upcoming"]
    response = client_for(operator).post(act(upcoming, "cancel"))
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.state == JobState.CANCELLED
    assert upcoming.variant.state == VariantState.APPROVED
    # and a cancelled job offers nothing more
    again = client_for(operator).post(act(upcoming, "cancel"))
    assert again.status_code == 400
    assert "cannot be cancelled" in again.content.decode()


def test_change_account_moves_a_waiting_post_to_an_api_account(
    client_for, operator, jobs, make_account
):
    waiting = jobs["waiting"]
    sandbox_zhihu = make_account("zhihu", "知乎模拟号")
    weibo = jobs["published"].account
    # an account of another platform is not offered
    response = client_for(operator).post(act(waiting, "account"), {"account": weibo.pk})
    assert response.status_code == 400
    waiting.refresh_from_db()
    assert waiting.account.display_name == "知乎号"
    # one of the post's platform that publishes by API takes the job back to the worker
    response = client_for(operator).post(act(waiting, "account"), {"account": sandbox_zhihu.pk})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.account, waiting.state) == (sandbox_zhihu, JobState.SCHEDULED)


def test_needs_check_explains_and_settles_either_way(client_for, operator, jobs, schedule_variant):
    check = jobs["check"]
    client = client_for(operator)
    page = client.get(url("publishing_job", check.workspace, check.pk)).content.decode()
    assert "连接中断" in page
    assert "It is not there: publish again" in page
    # a URL of another platform is refused, in the form, and nothing changes
    bad = client.post(
        act(check, "resolve"), {"published": "yes", "url": "https://www.douyin.com/x"}
    )
    assert bad.status_code == 400
    assert "That is not a Weibo address" in bad.content.decode()
    check.refresh_from_db()
    assert check.state == JobState.NEEDS_CHECK
    # the post's real address settles it
    good = client.post(
        act(check, "resolve"), {"published": "yes", "url": "https://weibo.com/123/abc"}
    )
    assert good.status_code == 302
    check.refresh_from_db()
    assert (check.state, check.remote_url) == (JobState.PUBLISHED, "https://weibo.com/123/abc")
    assert check.variant.state == VariantState.PUBLISHED
    # and "it is not there" sends another one out again, same job
    other = run_due(
        job_of(schedule_variant("weibo", title="再核对")),
        Refusing(ConnectorError("超时", code="outcome_unknown", transient=True)),
    )
    assert client.post(act(other, "resolve"), {"published": "no"}).status_code == 302
    other.refresh_from_db()
    assert other.state == JobState.SCHEDULED


def test_back_to_the_page_the_form_came_from_never_elsewhere(client_for, operator, jobs):
    failed = jobs["failed"]
    queue = url("publishing", failed.workspace) + "?state=failed"
    response = client_for(operator).post(act(failed, "retry"), {"next": queue})
    assert response.url == queue
    upcoming = jobs["upcoming"]
    response = client_for(operator).post(act(upcoming, "cancel"), {"next": "https://evil.test/"})
    assert response.url == url("publishing_job", upcoming.workspace, upcoming.pk)


def test_actions_are_post_only_and_unknown_ones_are_404(client_for, operator, jobs):
    failed = jobs["failed"]
    assert client_for(operator).get(act(failed, "retry")).status_code == 405
    assert client_for(operator).post(act(failed, "explode")).status_code == 404


# Permissions and isolation --------------------------------------------------------------


def test_a_viewer_reads_everything_but_gets_no_buttons_and_403_on_post(client_for, viewer, jobs):
    client = client_for(viewer)
    workspace = jobs["failed"].workspace
    for page in (
        url("publishing", workspace),
        url("publishing_assisted", workspace),
        url("publishing_job", workspace, jobs["failed"].pk),
        url("publishing_job", workspace, jobs["check"].pk),
    ):
        response = client.get(page)
        assert response.status_code == 200
        text = response.content.decode()
        assert not any(act(job, a) in text for job in jobs.values() for a in ACTIONS)
    for action in ACTIONS:
        for job in jobs.values():
            assert (
                client.post(act(job, action), {"url": "https://zhihu.com/p/1"}).status_code == 403
            )
    assert PublishJob.objects.get(pk=jobs["failed"].pk).state == JobState.FAILED


def test_a_job_of_another_workspace_is_404_on_every_endpoint(
    client_for, operator, other_workspace, make_account
):
    # given a failed job in another brand's workspace
    owner = User.objects.get(username="zed")
    make_account("weibo", workspace=other_workspace, actor=owner)
    variant = scheduled(owner, owner, other_workspace, "weibo").variant
    theirs = run_due(job_of(variant), Refusing(ConnectorError("拒绝", code="x")))
    client = client_for(operator)
    mine = "brand-a"
    # then our operator finds nothing under our workspace's address
    assert client.get(reverse("publishing_job", args=[mine, theirs.pk])).status_code == 404
    assert client.get(reverse("publishing_variant", args=[mine, variant.pk])).status_code == 404
    for action in ACTIONS:
        path = reverse("publishing_job_action", args=[mine, theirs.pk, action])
        assert client.post(path, {"url": "https://weibo.com/1"}).status_code == 404
    # nor under theirs
    other = reverse("publishing", args=[other_workspace.slug])
    assert client.get(other).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == JobState.FAILED


# Assisted publishing --------------------------------------------------------------------


def test_assisted_page_is_the_operators_task_list(
    client_for, operator, writer, workspace, make_account, jobs
):
    # given a Weibo account without API publishing and a post due on it in two hours,
    # with topics, a mention, a link, two images and a cover
    by_hand = make_account("weibo", "微博手动号", simulated=False)
    photo, _new = content.upload_media(
        actor=writer,
        workspace=workspace,
        upload=SimpleUploadedFile("look.png", png_bytes(600, 800)),
        filename="look.png",
    )
    coming = scheduled(
        writer,
        operator,
        workspace,
        "weibo",
        in_minutes=120,
        topics=["春季穿搭", "新品"],
        mentions=["小红"],
        link="https://shop.example.com/p/1",
        media=[photo.pk],
        cover=photo.pk,
    )
    publishing.change_account(actor=operator, job=coming, account=by_hand)
    # when the operator opens Assisted publishing
    page = client_for(operator).get(url("publishing_assisted", workspace)).content.decode()
    waiting_part, coming_part = page.split('data-testid="coming"')
    # then the due Zhihu post waits, flagged overdue, with its copy and the paste form
    waiting = jobs["waiting"]
    assert f'data-job-id="{waiting.pk}"' in waiting_part
    assert "overdue by 3 h" in waiting_part
    assert act(waiting, "complete") in waiting_part
    # and the Weibo post is coming up, its text assembled in Weibo's style
    assert f'data-job-id="{coming.pk}"' in coming_part
    assert "#春季穿搭# #新品#" in coming_part
    assert "@小红" in coming_part
    assert "https://shop.example.com/p/1" in coming_part
    # with its media and cover to download from the library
    assert reverse("media_file", args=[workspace.slug, photo.pk]) in coming_part
    assert 'download="look.png"' in coming_part
    assert 'data-testid="cover"' in coming_part
    # API-published posts are not anyone's task
    assert f'data-job-id="{jobs["upcoming"].pk}"' not in page


def test_mark_published_refuses_a_wrong_address_then_takes_the_right_one(
    client_for, operator, jobs
):
    waiting = jobs["waiting"]
    client = client_for(operator)
    back = url("publishing_assisted", waiting.workspace)
    # a Weibo address for a Zhihu post is refused in the task's own form
    bad = client.post(act(waiting, "complete"), {"url": "https://weibo.com/1/2", "next": back})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "That is not a Zhihu address" in text
    assert 'value="https://weibo.com/1/2"' in text
    waiting.refresh_from_db()
    assert waiting.state == JobState.AWAITING_OPERATOR
    # an empty one too
    empty = client.post(act(waiting, "complete"), {"url": "", "next": back})
    assert "Paste the address of the post you published." in empty.content.decode()
    # the post's Zhihu address marks job and variant published
    good = client.post(
        act(waiting, "complete"), {"url": "https://zhuanlan.zhihu.com/p/42", "next": back}
    )
    assert (good.status_code, good.url) == (302, back)
    waiting.refresh_from_db()
    assert (waiting.state, waiting.remote_url) == (
        JobState.PUBLISHED,
        "https://zhuanlan.zhihu.com/p/42",
    )
    assert waiting.variant.state == VariantState.PUBLISHED
    assert AuditEntry.objects.filter(
        action="channels.job_assisted_done", object_id=str(waiting.pk), actor=operator
    ).exists()
    # someone acting on the finished task again is told why, on top of the page
    again = client.post(act(waiting, "complete"), {"url": "https://zhihu.com/p/42", "next": back})
    assert "cannot be marked published by hand" in again.content.decode()


@pytest.mark.parametrize(
    ("platform", "copy", "expected"),
    [
        (
            "weibo",
            {"title": "春日上新", "body": "新品到店 #春季#", "topics": ["春季", "#新品#"]},
            assisted.CopyText("", "【春日上新】新品到店 #春季#\n\n#新品#", (), ""),
        ),
        (
            "xiaohongshu",
            {"title": "通勤穿搭", "body": "轻薄透气", "topics": ["穿搭"], "mentions": ["@小红"]},
            assisted.CopyText("通勤穿搭", "轻薄透气\n\n#穿搭\n@小红", (), ""),
        ),
        (
            "douyin",
            {"title": "", "fallback_title": "春季新品", "body": "看看", "link": "https://a.b/c"},
            assisted.CopyText("春季新品", "看看\n\nhttps://a.b/c", (), ""),
        ),
        (
            "zhihu",
            {"title": "为什么", "body": "因为", "topics": ["穿搭", "通勤"]},
            assisted.CopyText("为什么", "因为", ("穿搭", "通勤"), ""),
        ),
    ],
)
def test_copy_text_is_assembled_in_the_platforms_style(platform, copy, expected):
    assert assisted.assemble(platform, **copy) == expected


# Links in ---------------------------------------------------------------------------------


def test_a_variant_link_finds_its_job_and_the_calendar_links_failed_posts(
    client_for, operator, writer, jobs
):
    failed = jobs["failed"]
    workspace = failed.workspace
    client = client_for(operator)
    response = client.get(url("publishing_variant", workspace, failed.variant_id))
    assert response.url == url("publishing_job", workspace, failed.pk)
    # a variant that was never scheduled has no job
    item = content.create_item(
        actor=writer,
        workspace=workspace,
        data={"title": "草稿", "content_type": "image_text", "purpose": "product_intro"},
        platforms=["weibo"],
    )
    draft = item.variants.get()
    assert client.get(url("publishing_variant", workspace, draft.pk)).status_code == 404
    day = timezone.localdate(failed.variant.planned_at).isoformat()
    calendar = client.get(
        reverse("calendar", args=[workspace.slug]), {"view": "month", "date": day}
    )
    assert url("publishing_variant", workspace, failed.variant_id) in calendar.content.decode()
