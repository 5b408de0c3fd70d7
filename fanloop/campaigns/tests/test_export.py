"""Exporting a whole campaign plan: a JSON-ready dict and an Excel workbook."""

import io
import json
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fanloop.campaigns import services
from fanloop.campaigns.export import campaign_to_dict, campaign_to_xlsx
from fanloop.campaigns.models import GoalMeasurement
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db

SHEETS = [
    "概览 Overview",
    "目标 Goals",
    "预算 Budget",
    "时间线 Timeline",
    "任务 Tasks",
    "调研 Research",
    "风险 Risks",
    "复盘 Retrospective",
    "文档 Documents",
    "历史 History",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def realistic(marketer, workspace, member_with_role):
    """A closed 双11 campaign with every section filled in, through the services."""
    content = member_with_role(Role.CONTENT)
    campaign = services.create_campaign(
        actor=marketer,
        workspace=workspace,
        data={
            "name": "双11 预售 · 焕颜精华",
            "owner": marketer,
            "start_date": date(2026, 10, 20),
            "end_date": date(2026, 11, 12),
            "theme": "熬夜肌急救",
            "key_message": "7 天提亮，敏感肌可用",
            "audience_age_bands": ["18-24", "25-30"],
            "audience_gender": "female",
            "platforms": [{"platform": "xiaohongshu", "role": "种草"}],
            "products": ["焕颜精华 30ml", "礼盒"],
        },
    )

    def item(item_kind, **data):
        return services.save_item(actor=marketer, campaign=campaign, kind=item_kind, data=data)

    orders = item(
        "goal",
        goal_type="sales",
        metric="orders",
        baseline=Decimal(0),
        target=Decimal(5000),
        deadline=date(2026, 11, 11),
    )
    gmv = item(
        "goal",
        goal_type="sales",
        metric="gmv",
        baseline=Decimal(100_000_000),
        target=Decimal(250_000_000),
        scope="platform",
        scope_value="taobao",
        deadline=date(2026, 11, 12),
    )
    GoalMeasurement.objects.create(
        goal=orders, measured_on=date(2026, 11, 11), value=5200, source_note="生意参谋"
    )
    GoalMeasurement.objects.create(
        goal=gmv, measured_on=date(2026, 11, 12), value=231_000_000, source_note="生意参谋"
    )
    kol = item("budget_line", category="kol", description="达人", planned_fen=5_000_000)
    ads = item("budget_line", category="ads_ecommerce", planned_fen=3_000_050, vendor="阿里妈妈")
    for line, day, amount in (
        (kol, date(2026, 10, 22), 2_000_000),
        (kol, date(2026, 10, 25), -100_000),  # refund
        (ads, date(2026, 11, 11), 3_500_000),
    ):
        services.add_spend(actor=marketer, line=line, spent_on=day, amount_fen=amount)
    warmup = item(
        "phase",
        kind="launch",
        name="预热",
        start_date=date(2026, 10, 20),
        end_date=date(2026, 10, 31),
        owner=marketer,
    )
    item(
        "phase",
        kind="execution",
        name="爆发",
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 12),
        owner=content,
    )
    item("milestone", phase=warmup, name="主视觉定稿", due_date=date(2026, 10, 25), done=True)
    brief = item(
        "task",
        title="确定达人 brief",
        phase=warmup,
        owner=marketer,
        due_date=date(2026, 10, 22),
        status="done",
    )
    shoot = item(
        "task",
        title="拍摄 3 条短视频",
        phase=warmup,
        owner=content,
        role="content",
        due_date=date(2026, 10, 28),
        checklist=[{"text": "场地", "done": True}, {"text": "模特", "done": False}],
        depends_on=[brief],
    )
    item("competitor", brand="某国货精华", platforms=["xiaohongshu"], strengths="口碑")
    item("research_note", kind="platform_rule", title="广告法极限词", body="避免“最”")
    services.save_feasibility(
        actor=marketer,
        campaign=campaign,
        data={"market_demand": 5, "user_acceptance": 4, "cost": 3, "risk": 4},
    )
    item("risk", title="达人翻车", category="negative_pr", probability=3, impact=5, owner=marketer)
    services.upload_document(
        actor=marketer,
        workspace=workspace,
        upload=SimpleUploadedFile("brief.pdf", b"%PDF-1.7\n0000"),
        doc_type="content_guide",
        tags="达人,brief",
        campaign=campaign,
    )
    for name in ("plan", "launch", "go_live", "wrap_up"):
        campaign = services.transition(actor=marketer, campaign=campaign, name=name)
    services.save_retrospective(
        actor=marketer,
        campaign=campaign,
        data={"highlights": "订单超额 4%", "shortfalls": "GMV 未达标", "lessons": "客单价要拉高"},
        improvements=[{"text": "加购满赠提升客单价", "owner": marketer}],
    )
    services.complete_retrospective(actor=marketer, campaign=campaign)
    campaign = services.transition(actor=marketer, campaign=campaign, name="close")
    campaign.shoot_id = shoot.pk
    campaign.brief_id = brief.pk
    return campaign


def test_json_export_holds_the_whole_plan_and_round_trips(realistic):
    plan = campaign_to_dict(realistic, today=date(2026, 11, 20))
    assert json.loads(json.dumps(plan, ensure_ascii=False)) == plan
    assert plan["campaign"]["name"] == "双11 预售 · 焕颜精华"
    assert plan["campaign"]["state"] == "closed"
    assert plan["budget"]["totals"] == {
        "planned_fen": 8_000_050,
        "actual_fen": 5_400_000,
        "variance_fen": 2_600_050,
        "planned_yuan": "80000.50",
        "actual_yuan": "54000.00",
        "variance_yuan": "26000.50",
        "used_share": pytest.approx(5_400_000 / 8_000_050),
    }
    kol = next(line for line in plan["budget"]["lines"] if line["category"] == "kol")
    assert (kol["actual_fen"], kol["variance_yuan"]) == (1_900_000, "31000.00")
    assert [s["amount_fen"] for s in kol["spends"]] == [2_000_000, -100_000]
    orders = next(goal for goal in plan["goals"] if goal["metric"] == "orders")
    assert orders["target"] == "5000.0000"
    assert orders["pacing"]["on_pace"] is True
    assert orders["measurements"][0]["source_note"] == "生意参谋"
    shoot = next(task for task in plan["tasks"] if task["id"] == realistic.shoot_id)
    assert shoot["depends_on"] == [realistic.brief_id]
    assert shoot["depends_on_titles"] == ["确定达人 brief"]
    assert [p["name"] for p in plan["phases"]] == ["预热", "爆发"]
    assert plan["phases"][0]["milestones"][0]["done"] is True
    assert plan["research"]["feasibility"]["overall"] == 4.0
    assert plan["research"]["competitors"][0]["platforms"] == ["xiaohongshu"]
    assert (plan["risks"][0]["score"], plan["risks"][0]["priority"]) == (15, "high")
    assert plan["documents"][0]["file_name"] == "brief.pdf"
    assert plan["documents"][0]["tags"] == ["brief", "达人"]
    assert plan["retrospective"]["improvements"][0]["text"] == "加购满赠提升客单价"
    assert [h["to_state"] for h in plan["history"]][-1] == "closed"
    assert len(plan["history"]) == 6


def test_excel_export_has_a_sheet_per_section_with_headers_and_values(realistic):
    content = campaign_to_xlsx(realistic, today=date(2026, 11, 20))
    book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(" " in str(cell.value) for cell in sheet[1] if cell.value), sheet.title

    overview = book["概览 Overview"]
    assert overview["A1"].value == "项目 Field"
    assert overview["B2"].value == "双11 预售 · 焕颜精华"
    start = next(row for row in overview.iter_rows() if row[0].value == "开始 Start")
    assert start[1].value == datetime(2026, 10, 20)
    assert start[1].is_date

    budget = book["预算 Budget"]
    headers = [cell.value for cell in budget[1]]
    assert headers[:6] == [
        "类别 Category",
        "说明 Description",
        "供应商 Vendor",
        "计划 Planned",
        "实际 Actual",
        "差异 Variance",
    ]
    total = next(row for row in budget.iter_rows() if row[0].value == "合计 Total")
    assert [cell.value for cell in total[3:6]] == [80000.5, 54000, 26000.5]
    assert "¥" in total[3].number_format
    assert "¥" in budget["D2"].number_format
    assert budget.column_dimensions["B"].width >= 8

    goals = book["目标 Goals"]
    rows = list(goals.iter_rows(min_row=2, values_only=True))
    orders = next(row for row in rows if row[4] == 5000)
    assert orders[5] == datetime(2026, 11, 11)
    assert orders[6] == 5200
    gmv = next(row for row in goals.iter_rows(min_row=2) if row[2].value == "platform: taobao")
    assert gmv[4].value == 2_500_000  # 250,000,000 fen shown as ¥2,500,000
    assert "¥" in gmv[4].number_format

    tasks = book["任务 Tasks"]
    shoot = next(
        row for row in tasks.iter_rows(min_row=2, values_only=True) if row[0] == realistic.shoot_id
    )
    assert shoot[1] == "拍摄 3 条短视频"
    assert shoot[5] == datetime(2026, 10, 28)
    assert shoot[8] == f"#{realistic.brief_id} 确定达人 brief"
    assert shoot[9] == "1/2"

    risks = book["风险 Risks"]
    assert [cell.value for cell in risks[2]][2:6] == [3, 5, 15, "高 High"]
    retro = book["复盘 Retrospective"]
    assert retro["B2"].value == "订单超额 4%"
    assert any(row[0] == "加购满赠提升客单价" for row in retro.iter_rows(values_only=True))


def test_budget_total_is_a_live_formula(realistic):
    book = openpyxl.load_workbook(io.BytesIO(campaign_to_xlsx(realistic)))
    budget = book["预算 Budget"]
    total = next(row for row in budget.iter_rows() if row[0].value == "合计 Total")
    assert total[3].value == "=SUM(D2:D3)"


def test_an_empty_draft_exports_too(campaign):
    plan = campaign_to_dict(campaign)
    assert plan["retrospective"] is None
    assert plan["research"]["feasibility"] is None
    assert plan["budget"]["totals"]["planned_fen"] == 0
    book = openpyxl.load_workbook(io.BytesIO(campaign_to_xlsx(campaign)), data_only=True)
    assert book.sheetnames == SHEETS
    total = next(row for row in book["预算 Budget"].iter_rows() if row[0].value == "合计 Total")
    assert total[3].value == 0
