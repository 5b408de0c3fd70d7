"""One sheet per section of the plan, with Chinese + English headers."""

from collections.abc import Callable
from datetime import date
from typing import Any

from fanloop.campaigns.export.book import Book, Column, as_date, as_datetime, number, yes_no
from fanloop.campaigns.export.plan import campaign_to_dict
from fanloop.campaigns.models import Campaign
from fanloop.core.metrics import Unit


def _goal_value(goal: dict[str, Any], value: str | None) -> float | None:
    amount = number(value)
    if amount is not None and goal["unit"] == Unit.FEN:
        return amount / 100
    return amount


def _overview(book: Book, plan: dict[str, Any]) -> None:
    c, budget = plan["campaign"], plan["budget"]["totals"]
    sheet = book.sheet("概览 Overview")
    off_pace = sum(1 for g in plan["goals"] if g["pacing"]["on_pace"] is False)
    audience = c["audience"]
    rows: list[tuple[str, Any, str]] = [
        ("活动名称 Campaign", c["name"], "text"),
        ("状态 State", c["state_label"], "text"),
        ("负责人 Owner", c["owner"], "text"),
        ("开始 Start", as_date(c["start_date"]), "date"),
        ("结束 End", as_date(c["end_date"]), "date"),
        ("创意主题 Theme", c["theme"], "long"),
        ("核心信息 Key message", c["key_message"], "long"),
        ("视觉与文案 Visual & copy notes", c["visual_notes"], "long"),
        ("背景 Background", c["background"], "long"),
        ("年龄段 Age bands", "、".join(audience["age_bands"]), "text"),
        ("性别 Gender", audience["gender_label"], "text"),
        ("地域 Regions", audience["regions"], "long"),
        ("兴趣 Interests", audience["interests"], "long"),
        ("消费习惯 Habits", audience["habits"], "long"),
        (
            "平台 Platforms",
            "\n".join(f"{p['platform']}: {p.get('role', '')}" for p in c["platforms"]),
            "long",
        ),
        ("主推产品 Products", "、".join(c["products"]), "long"),
        (
            "起始自 Started from",
            c["source_campaign"]["name"] if c["source_campaign"] else "",
            "text",
        ),
        ("目标数 Goals", len(plan["goals"]), "int"),
        ("落后目标 Goals off pace", off_pace, "int"),
        ("计划预算 Planned budget", budget["planned_fen"] / 100, "money"),
        ("实际花费 Actual spend", budget["actual_fen"] / 100, "money"),
        ("差异 Variance", budget["variance_fen"] / 100, "money"),
        ("任务数 Tasks", len(plan["tasks"]), "int"),
        ("风险数 Risks", len(plan["risks"]), "int"),
        ("导出时间 Exported", as_datetime(plan["exported_at"]), "datetime"),
    ]
    book.table(
        sheet,
        [Column("项目 Field", width=26), Column("内容 Value", "long", width=60)],
        [[label, value] for label, value, _kind in rows],
    )
    for index, (_label, value, kind) in enumerate(rows, start=1):
        book.write(sheet, index, 1, value, kind)  # each value with its own format


def _goals_sheet(book: Book, plan: dict[str, Any]) -> None:
    columns = [
        Column("类型 Type"),
        Column("指标 Metric"),
        Column("范围 Scope"),
        Column("基线 Baseline", "number"),
        Column("目标 Target", "number"),
        Column("截止 Deadline", "date"),
        Column("实际 Actual", "number"),
        Column("截至 As of", "date"),
        Column("进度 Progress", "percent"),
        Column("预计 Projected", "number"),
        Column("节奏 Pace"),
        Column("备注 Note", "long"),
    ]
    sheet = book.sheet("目标 Goals")
    rows = []
    for goal in plan["goals"]:
        pace = goal["pacing"]
        scope = goal["scope"] + (f": {goal['scope_value']}" if goal["scope_value"] else "")
        on_pace = pace["on_pace"]
        rows.append(
            [
                goal["goal_type_label"],
                goal["metric_label"],
                scope,
                _goal_value(goal, goal["baseline"]),
                _goal_value(goal, goal["target"]),
                as_date(goal["deadline"]),
                _goal_value(goal, pace["actual"]),
                as_date(pace["as_of"]),
                number(pace["progress"]),
                _goal_value(goal, pace["projected"]),
                "" if on_pace is None else ("达标 On pace" if on_pace else "落后 Off pace"),
                goal["note"],
            ]
        )
    book.table(sheet, columns, rows)
    for index, goal in enumerate(plan["goals"], start=1):
        if goal["unit"] == Unit.FEN:  # money goals (GMV) in yuan with the ¥ format
            for col, key in ((3, "baseline"), (4, "target")):
                book.write(sheet, index, col, _goal_value(goal, goal[key]), "money")
            for col, key in ((6, "actual"), (9, "projected")):
                book.write(sheet, index, col, _goal_value(goal, goal["pacing"][key]), "money")


def _budget_sheet(book: Book, plan: dict[str, Any]) -> None:
    columns = [
        Column("类别 Category"),
        Column("说明 Description", "long"),
        Column("供应商 Vendor"),
        Column("计划 Planned", "money"),
        Column("实际 Actual", "money"),
        Column("差异 Variance", "money"),
        Column("已用 Used", "percent"),
        Column("备注 Note", "long"),
    ]
    sheet = book.sheet("预算 Budget")
    lines = plan["budget"]["lines"]
    rows = [
        [
            line["category_label"],
            line["description"],
            line["vendor"],
            line["planned_fen"] / 100,
            line["actual_fen"] / 100,
            line["variance_fen"] / 100,
            line["actual_fen"] / line["planned_fen"] if line["planned_fen"] else None,
            line["note"],
        ]
        for line in lines
    ]
    total_row = book.table(sheet, columns, rows)
    totals = plan["budget"]["totals"]
    sheet.write_string(total_row, 0, "合计 Total", book.formats["total"])
    for col, key in ((3, "planned_fen"), (4, "actual_fen"), (5, "variance_fen")):
        letter = "DEF"[col - 3]
        formula = f"=SUM({letter}2:{letter}{total_row})" if lines else "=0"
        sheet.write_formula(total_row, col, formula, book.formats["total_money"], totals[key] / 100)
    by_category = [
        [row["category"], row["planned_fen"] / 100, row["actual_fen"] / 100]
        for row in plan["budget"]["by_category"]
    ]
    if by_category:
        labels = {line["category"]: line["category_label"] for line in lines}
        book.table(
            sheet,
            [
                Column("按类别 By category"),
                Column("计划 Planned", "money"),
                Column("实际 Actual", "money"),
            ],
            [[labels.get(code, code), planned, actual] for code, planned, actual in by_category],
            first_row=total_row + 2,
            widths=[18, 14, 14],
        )


def _timeline_sheet(book: Book, plan: dict[str, Any]) -> None:
    columns = [
        Column("类型 Kind"),
        Column("名称 Name"),
        Column("开始 Start", "date"),
        Column("结束 End", "date"),
        Column("负责人 Owner"),
        Column("完成 Done"),
    ]
    rows: list[list[Any]] = []
    for phase in plan["phases"]:
        rows.append(
            [
                "阶段 Phase",
                phase["name"],
                as_date(phase["start_date"]),
                as_date(phase["end_date"]),
                phase["owner"],
                "",
            ]
        )
        for milestone in phase["milestones"]:
            day = as_date(milestone["due_date"])
            rows.append(
                [
                    "里程碑 Milestone",
                    f"  · {milestone['name']}",
                    day,
                    day,
                    "",
                    yes_no(milestone["done"]),
                ]
            )
    book.table(book.sheet("时间线 Timeline"), columns, rows)


def _tasks_sheet(book: Book, plan: dict[str, Any]) -> None:
    columns = [
        Column("编号 ID", "int"),
        Column("任务 Task", "long"),
        Column("阶段 Phase"),
        Column("负责人 Owner"),
        Column("角色 Role"),
        Column("截止 Due", "date"),
        Column("状态 Status"),
        Column("逾期 Overdue"),
        Column("依赖 Depends on", "long"),
        Column("清单 Checklist"),
    ]
    rows = []
    for task in plan["tasks"]:
        done = sum(1 for item in task["checklist"] if item["done"])
        deps = "\n".join(
            f"#{dep_id} {title}"
            for dep_id, title in zip(task["depends_on"], task["depends_on_titles"], strict=True)
        )
        rows.append(
            [
                task["id"],
                task["title"],
                task["phase"],
                task["owner"],
                task["role"],
                as_date(task["due_date"]),
                task["status_label"],
                yes_no(task["overdue"]),
                deps,
                f"{done}/{len(task['checklist'])}" if task["checklist"] else "",
            ]
        )
    book.table(book.sheet("任务 Tasks"), columns, rows)


def _research_sheet(book: Book, plan: dict[str, Any]) -> None:
    research = plan["research"]
    sheet = book.sheet("调研 Research")
    widths = [0] * 9
    row = book.table(
        sheet,
        [
            Column("竞品 Competitor"),
            Column("平台 Platforms"),
            Column("内容策略 Content strategy", "long"),
            Column("互动风格 Interaction", "long"),
            Column("受众 Audience", "long"),
            Column("份额/定位 Share", "long"),
            Column("优势 Strengths", "long"),
            Column("劣势 Weaknesses", "long"),
            Column("链接 Links", "long"),
        ],
        [
            [
                c["brand"],
                "、".join(c["platforms"]),
                c["content_strategy"],
                c["interaction_style"],
                c["audience"],
                c["share_position"],
                c["strengths"],
                c["weaknesses"],
                "\n".join(c["links"]),
            ]
            for c in research["competitors"]
        ],
        widths=widths,
    )
    row = book.table(
        sheet,
        [
            Column("调研笔记 Note type"),
            Column("标题 Title"),
            Column("内容 Notes", "long"),
            Column("来源 Source", "long"),
        ],
        [[n["kind_label"], n["title"], n["body"], n["source_url"]] for n in research["notes"]],
        first_row=row + 1,
        widths=widths,
    )
    feasibility = research["feasibility"]
    if feasibility is not None:
        labels = [
            ("market_demand", "市场需求 Market demand"),
            ("user_acceptance", "用户接受度 User acceptance"),
            ("cost", "成本 Cost (5 = affordable)"),
            ("risk", "风险 Risk (5 = low)"),
        ]
        book.table(
            sheet,
            [
                Column("可行性 Feasibility"),
                Column("评分 Score (1-5)", "number"),
                Column("理由 Rationale", "long"),
            ],
            [
                *[
                    [label, feasibility[key], feasibility[f"{key}_rationale"]]
                    for key, label in labels
                ],
                ["综合 Overall", feasibility["overall"], ""],
            ],
            first_row=row + 1,
            widths=widths,
        )


def _risks_sheet(book: Book, plan: dict[str, Any]) -> None:
    columns = [
        Column("风险 Risk", "long"),
        Column("类别 Category"),
        Column("概率 Probability", "int"),
        Column("影响 Impact", "int"),
        Column("分值 Score", "int"),
        Column("优先级 Priority"),
        Column("负责人 Owner"),
        Column("应对 Mitigation", "long"),
        Column("预案 Contingency", "long"),
        Column("状态 Status"),
    ]
    priorities = {"high": "高 High", "medium": "中 Medium", "low": "低 Low"}
    rows = [
        [
            r["title"],
            r["category_label"],
            r["probability"],
            r["impact"],
            r["score"],
            priorities[r["priority"]],
            r["owner"],
            r["mitigation"],
            r["contingency"],
            r["status_label"],
        ]
        for r in plan["risks"]
    ]
    book.table(book.sheet("风险 Risks"), columns, rows)


def _retro_sheet(book: Book, plan: dict[str, Any]) -> None:
    sheet = book.sheet("复盘 Retrospective")
    retro = plan["retrospective"] or {}
    widths = [26, 60, 0, 0, 0]
    row = book.table(
        sheet,
        [Column("项目 Field"), Column("内容 Value", "long")],
        [
            ["亮点 Highlights", retro.get("highlights", "")],
            ["不足 Shortfalls", retro.get("shortfalls", "")],
            ["经验 Lessons", retro.get("lessons", "")],
            ["完成于 Completed", ""],
        ],
        widths=widths,
    )
    book.write(sheet, 4, 1, as_datetime(retro.get("completed_at")), "datetime")
    improvement_columns = [
        Column("改进项 Improvement", "long"),
        Column("负责人 Owner"),
        Column("用于下次 Apply to next"),
        Column("状态 Status"),
        Column("来自 From campaign"),
    ]

    def improvement_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [
                i["text"],
                i["owner"],
                yes_no(i["apply_to_next"]),
                i["status_label"],
                i["from_campaign"],
            ]
            for i in items
        ]

    row = book.table(
        sheet,
        improvement_columns,
        improvement_rows(retro.get("improvements", [])),
        first_row=row + 1,
        widths=widths,
    )
    if plan["adopted_improvements"]:
        sheet.write_string(row + 1, 0, "采纳的往期改进 Adopted from earlier", book.formats["title"])
        book.table(
            sheet,
            improvement_columns,
            improvement_rows(plan["adopted_improvements"]),
            first_row=row + 2,
            widths=widths,
        )


def _documents_sheet(book: Book, plan: dict[str, Any]) -> None:
    columns = [
        Column("标题 Title"),
        Column("类型 Type"),
        Column("标签 Tags"),
        Column("版本 Version", "int"),
        Column("文件 File"),
        Column("大小 Size (bytes)", "int"),
        Column("更新 Updated", "datetime"),
    ]
    rows = [
        [
            d["title"],
            d["doc_type_label"],
            "、".join(d["tags"]),
            d["current_version"],
            d["file_name"],
            d["size"],
            as_datetime(d["updated_at"]),
        ]
        for d in plan["documents"]
    ]
    book.table(book.sheet("文档 Documents"), columns, rows)


def _history_sheet(book: Book, plan: dict[str, Any]) -> None:
    columns = [
        Column("时间 When", "datetime"),
        Column("从 From"),
        Column("到 To"),
        Column("操作人 By"),
        Column("备注 Note", "long"),
    ]
    rows = [
        [as_datetime(h["created_at"]), h["from_state"], h["to_state"], h["actor"], h["note"]]
        for h in plan["history"]
    ]
    book.table(book.sheet("历史 History"), columns, rows)


SHEETS: tuple[Callable[[Book, dict[str, Any]], None], ...] = (
    _overview,
    _goals_sheet,
    _budget_sheet,
    _timeline_sheet,
    _tasks_sheet,
    _research_sheet,
    _risks_sheet,
    _retro_sheet,
    _documents_sheet,
    _history_sheet,
)


def campaign_to_xlsx(campaign: Campaign, today: date | None = None) -> bytes:
    """The plan as an .xlsx: one sheet per section, what teams send to their bosses."""
    plan = campaign_to_dict(campaign, today)
    book = Book()
    book.book.set_properties({"title": plan["campaign"]["name"], "company": "Fanloop"})
    for write_sheet in SHEETS:
        write_sheet(book, plan)
    return book.close()
