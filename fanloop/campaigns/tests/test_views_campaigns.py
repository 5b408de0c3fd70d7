"""The campaign pages: list, board, create, tabs, forms, permissions and isolation."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanloop.campaigns import services
from fanloop.campaigns.models import BudgetLine, Campaign, Document, Goal, Task
from fanloop.campaigns.views.common import TABS
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def url(name, campaign, *args):
    return reverse(name, args=[campaign.workspace.slug, campaign.pk, *args])


def test_list_board_and_filters(client_for, marketer, campaign, workspace):
    client = client_for(marketer)
    listing = client.get(reverse("campaign_list", args=[workspace.slug]))
    assert "双11 预售" in listing.content.decode()
    board = client.get(reverse("campaign_list", args=[workspace.slug]), {"view": "board"})
    assert 'data-testid="board"' in board.content.decode()
    empty = client.get(reverse("campaign_list", args=[workspace.slug]), {"state": "live"})
    assert "双11 预售" not in empty.content.decode()


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders_in_full_and_as_a_fragment(tab, client_for, marketer, planned_ready):
    client = client_for(marketer)
    full = client.get(url("campaign_tab", planned_ready, tab))
    part = client.get(url("campaign_tab", planned_ready, tab), headers={"HX-Request": "true"})
    assert full.status_code == 200
    assert "<html" in full.content.decode()
    assert part.status_code == 200
    assert "<html" not in part.content.decode()


def test_unknown_tab_is_404(client_for, marketer, campaign):
    assert client_for(marketer).get(url("campaign_tab", campaign, "secrets")).status_code == 404


def test_create_with_a_plan_from_an_earlier_campaign(
    client_for, marketer, planned_ready, workspace
):
    response = client_for(marketer).post(
        reverse("campaign_new", args=[workspace.slug]),
        {
            "name": "双12",
            "start_date": "2026-12-01",
            "end_date": "2026-12-24",
            "audience_gender": "all",
            "source_campaign": planned_ready.pk,
            "role_xiaohongshu": "种草",
            "products": "精华\n礼盒",
        },
    )
    created = Campaign.objects.get(name="双12")
    assert response.status_code == 302
    assert created.goals.count() == 1
    assert created.platforms == [{"platform": "xiaohongshu", "role": "种草"}]
    assert created.products == ["精华", "礼盒"]


def test_create_with_bad_dates_shows_errors_and_saves_nothing(client_for, marketer, workspace):
    response = client_for(marketer).post(
        reverse("campaign_new", args=[workspace.slug]),
        {
            "name": "倒序",
            "start_date": "2026-12-24",
            "end_date": "2026-12-01",
            "audience_gender": "all",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Campaign.objects.filter(name="倒序").exists()


def test_goal_outside_the_campaign_is_refused_with_a_field_error(client_for, marketer, campaign):
    response = client_for(marketer).post(
        url("item_new", campaign, "goal"),
        {
            "goal-goal_type": "sales",
            "goal-metric": "orders",
            "goal-baseline": "0",
            "goal-target": "100",
            "goal-scope": "campaign",
            "goal-deadline": "2027-01-01",
        },
    )
    assert response.status_code == 400
    assert "deadline" in response.context["add_form"].form.errors
    assert not Goal.objects.exists()


def test_budget_line_in_yuan_is_stored_in_fen_and_bad_amounts_refused(
    client_for, marketer, campaign
):
    client = client_for(marketer)
    ok = client.post(
        url("item_new", campaign, "budget_line"),
        {"budget_line-category": "kol", "budget_line-planned_yuan": "1,234.56"},
    )
    assert ok.status_code == 302
    assert BudgetLine.objects.get().planned_fen == 123456
    bad = client.post(
        url("item_new", campaign, "budget_line"),
        {"budget_line-category": "kol", "budget_line-planned_yuan": "abc"},
    )
    assert bad.status_code == 400
    assert BudgetLine.objects.count() == 1


def test_task_with_dependencies_and_checklist(client_for, marketer, campaign):
    client = client_for(marketer)
    first = services.save_item(
        actor=marketer, campaign=campaign, kind="task", data={"title": "写 brief"}
    )
    client.post(
        url("item_new", campaign, "task"),
        {
            "task-title": "发给达人",
            "task-status": "todo",
            "task-due_date": "2026-10-25",
            "task-depends_on": [first.pk],
            "task-checklist": "[x] 名单\n报价",
        },
    )
    task = Task.objects.get(title="发给达人")
    assert list(task.depends_on.all()) == [first]
    assert task.checklist == [{"text": "名单", "done": True}, {"text": "报价", "done": False}]


def test_transition_refusal_is_shown_and_success_moves_on(
    client_for, marketer, campaign, planned_ready
):
    client = client_for(marketer)
    empty = services.create_campaign(
        actor=marketer,
        workspace=campaign.workspace,
        data={"name": "空", "start_date": date(2026, 10, 20), "end_date": date(2026, 11, 12)},
    )
    refused = client.post(url("campaign_transition", empty, "plan"), follow=True)
    assert "measurable goal" in refused.content.decode()
    empty.refresh_from_db()
    assert empty.state == "draft"
    client.post(url("campaign_transition", planned_ready, "plan"))
    planned_ready.refresh_from_db()
    assert planned_ready.state == "planned"


def test_viewer_sees_no_edit_forms_and_gets_403_on_posts(
    client_for, member_with_role, planned_ready
):
    viewer = client_for(member_with_role(Role.VIEWER))
    page = viewer.get(url("campaign_tab", planned_ready, "goals")).content.decode()
    assert 'data-testid="add-goal"' not in page
    assert viewer.post(url("campaign_transition", planned_ready, "plan")).status_code == 403
    denied = viewer.post(
        url("item_new", planned_ready, "goal"),
        {
            "goal-goal_type": "sales",
            "goal-metric": "orders",
            "goal-baseline": "0",
            "goal-target": "10",
            "goal-scope": "campaign",
            "goal-deadline": "2026-11-01",
        },
    )
    assert denied.status_code == 403
    assert planned_ready.goals.count() == 1


def test_content_may_not_touch_the_budget(client_for, member_with_role, planned_ready):
    content = client_for(member_with_role(Role.CONTENT))
    page = content.get(url("campaign_tab", planned_ready, "budget")).content.decode()
    assert 'data-testid="add-budget_line"' not in page
    response = content.post(
        url("item_new", planned_ready, "budget_line"),
        {"budget_line-category": "kol", "budget_line-planned_yuan": "1"},
    )
    assert response.status_code == 403
    assert planned_ready.budget_lines.count() == 1


def test_other_workspace_campaigns_and_items_are_404(
    client_for, admin_user, workspace, other_workspace
):
    owner = other_workspace.memberships.get().user
    foreign = services.create_campaign(
        actor=owner,
        workspace=other_workspace,
        data={"name": "B 的活动", "start_date": date(2026, 1, 1), "end_date": date(2026, 1, 31)},
    )
    goal = services.save_item(
        actor=owner,
        campaign=foreign,
        kind="goal",
        data={
            "goal_type": "sales",
            "metric": "orders",
            "baseline": 0,
            "target": 5,
            "deadline": date(2026, 1, 30),
        },
    )
    client = client_for(admin_user)
    for tab in TABS:
        assert (
            client.get(
                reverse("campaign_tab", args=[other_workspace.slug, foreign.pk, tab])
            ).status_code
            == 404
        )
        # B's campaign id addressed through A's workspace
        assert (
            client.get(reverse("campaign_tab", args=[workspace.slug, foreign.pk, tab])).status_code
            == 404
        )
    mine = services.create_campaign(
        actor=admin_user,
        workspace=workspace,
        data={"name": "A", "start_date": date(2026, 1, 1), "end_date": date(2026, 1, 31)},
    )
    edit = client.post(url("item_edit", mine, "goal", goal.pk), {"goal-target": "1"})
    assert edit.status_code == 404
    assert client.post(url("item_delete", mine, "goal", goal.pk)).status_code == 404
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_document_upload_limits_versions_and_download(
    client_for, marketer, member_with_role, campaign, settings, tmp_path, make_user
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(marketer)
    spoofed = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    client.post(url("campaign_upload", campaign), {"file": spoofed, "doc_type": "other"})
    exe = SimpleUploadedFile("tool.exe", b"MZ", "application/octet-stream")
    client.post(url("campaign_upload", campaign), {"file": exe, "doc_type": "other"})
    assert not Document.objects.exists()
    settings.DOCUMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("big.txt", b"x" * 11, "text/plain")
    client.post(url("campaign_upload", campaign), {"file": big, "doc_type": "other"})
    assert not Document.objects.exists()
    settings.DOCUMENT_MAX_BYTES = 1_000_000
    good = SimpleUploadedFile("brief.pdf", b"%PDF-1.7 brief", "application/pdf")
    client.post(
        url("campaign_upload", campaign),
        {"file": good, "doc_type": "content_guide", "tags": "达人, brief"},
    )
    document = Document.objects.get()
    assert document.tags == ["brief", "达人"]
    detail = reverse("document_detail", args=[campaign.workspace.slug, document.pk])
    v2 = SimpleUploadedFile("brief-v2.pdf", b"%PDF-1.7 brief v2", "application/pdf")
    client.post(detail, {"file": v2, "note": "改了报价"})
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    download = reverse("document_download", args=[campaign.workspace.slug, document.pk, 1])
    response = client.get(download)
    assert b"".join(response.streaming_content) == b"%PDF-1.7 brief"
    stranger = client_for(make_user("stranger"))
    assert stranger.get(download).status_code == 404
    viewer = client_for(member_with_role(Role.VIEWER))
    assert viewer.get(download).status_code == 200
    found = client.get(reverse("documents", args=[campaign.workspace.slug]), {"tag": "达人"})
    assert "brief" in found.content.decode()


def test_my_tasks_across_workspaces(client_for, marketer, campaign, make_user):
    other_owner = make_user("other-owner")
    other = services.create_campaign(
        actor=other_owner,
        workspace=services_workspace(other_owner, marketer),
        data={"name": "另一个品牌", "start_date": date(2026, 1, 1), "end_date": date(2026, 1, 31)},
    )
    services.save_item(
        actor=marketer,
        campaign=campaign,
        kind="task",
        data={"title": "A 的任务", "owner": marketer, "due_date": date(2020, 1, 1)},
    )
    services.save_item(
        actor=other_owner,
        campaign=other,
        kind="task",
        data={"title": "B 的任务", "owner": marketer},
    )
    page = client_for(marketer).get(reverse("my_tasks")).content.decode()
    assert "A 的任务" in page
    assert "B 的任务" in page
    assert 'data-overdue="1"' in page


def services_workspace(owner, member):
    from fanloop.core import services as core_services

    workspace = core_services.create_workspace(actor=owner, name="品牌 C")
    core_services.add_member(actor=owner, workspace=workspace, user=member, role=Role.VIEWER)
    return workspace


def test_dashboard_flags_off_pace_goals(client_for, marketer, planned_ready):
    campaign = planned_ready
    for name in ("plan", "launch"):
        campaign = services.transition(actor=marketer, campaign=campaign, name=name)
    goal = campaign.goals.get()
    services.record_measurement(
        actor=marketer, goal=goal, measured_on=date(2026, 10, 25), value=10, source_note="后台"
    )
    page = client_for(marketer).get(reverse("dashboard", args=[campaign.workspace.slug]))
    assert 'data-testid="off-pace-goals"' in page.content.decode()


def test_export_link_downloads_the_plan_as_excel(client_for, marketer, planned_ready):
    page = client_for(marketer).get(url("campaign_tab", planned_ready, "overview"))
    html = page.content.decode()
    start = html.index('data-testid="export-xlsx"')
    href = html[
        html.rindex('href="', 0, start) + 6 : html.index('"', html.rindex('href="', 0, start) + 6)
    ]
    response = client_for(marketer).get(href.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
