"""Demo fan groups: a WeChat perks group and a WeCom VIP customer group, with members who
join, leave and come back, four weeks of daily activity with a weekly rhythm, events, and
a chat log in which moderation flags a few messages. Deterministic (seeded random); the
data goes in through the same import files and services a team would use."""

import csv
import io
import random
from datetime import date, datetime, time, timedelta

from fanloop.campaigns.models import Campaign
from fanloop.community.models import EventKind, EventStatus, FanGroup, GroupPlatform, GroupType
from fanloop.community.services import events, groups, imports
from fanloop.community.services.common import workspace_today
from fanloop.core.models import User, Workspace

SEED = 20260
ACTIVITY_DAYS = 28

WELFARE = "青柑福利群 · 1群"
VIP = "青柑VIP会员群"

CHAT = [
    (0, "10:02", "大家早上好，今天的福利几点开始？", ""),
    (0, "10:05", "十点半准时开抢，记得定闹钟～", "staff"),
    (0, "12:40", "上次买的防晒很好用，已经回购了", ""),
    (1, "20:15", "这个面霜能治疗湿疹吗？我朋友说可以根治", ""),
    (1, "20:18", "@青柑小助手 想问下敏感肌能用吗", "reply"),
    (2, "21:03", "快递一直不到，客服也不回复，太失望了，再也不买了", ""),
    (2, "21:10", "中奖了请联系我，手机 13812345678", ""),
    (3, "19:30", "谢谢大家，今天的福利很棒", ""),
]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _stamp(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute)).strftime("%Y-%m-%d %H:%M")


def _import(actor: User, group: FanGroup, kind: str, name: str, data: bytes) -> None:
    run = imports.start_import(actor=actor, group=group, kind=kind, file_name=name)
    run = imports.run_import(run, data)
    if run.state != "done":
        raise RuntimeError(f"demo import {name} failed: {run.errors[:3]}")


def _members(rng: random.Random, today: date, count: int, prefix: str) -> list[list[str]]:
    """Member list rows: a founding core, steady joins over five weeks, some leaves, and a
    few who left and came back (two rows: the past stay and the current one)."""
    rows = [["用户ID", "昵称", "角色", "入群时间", "退群时间"]]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
    given = ["小", "阿", "大", ""]
    for n in range(count):
        user_id = f"{prefix}{n:04d}"
        nickname = f"{rng.choice(given)}{rng.choice(surnames)}{rng.randint(1, 99)}"
        role = "群主" if n == 0 else "管理员" if n == 1 else "KOC" if n % 23 == 5 else "成员"
        founding = n < count // 3
        joined = today - timedelta(days=60 if founding else rng.randint(0, 34))
        join_at = _stamp(joined, rng.randint(9, 22), rng.randint(0, 59))
        left = ""
        if n > 1 and rng.random() < 0.12:
            left_day = joined + timedelta(days=rng.randint(1, 20))
            if left_day <= today:
                left = _stamp(left_day, rng.randint(9, 22))
                if rng.random() < 0.3 and left_day + timedelta(days=3) <= today:
                    rows.append([user_id, nickname, role, join_at, left])
                    back = left_day + timedelta(days=rng.randint(2, 6))
                    join_at, left = _stamp(min(back, today), 20), ""
        rows.append([user_id, nickname, role, join_at, left])
    return rows


def _activity(
    rng: random.Random, today: date, members: list[list[str]], weekend_boost: float, dwell: bool
) -> list[list[str]]:
    header = ["日期", "用户ID", "发言数", "互动数"] + (["在线时长(分钟)"] if dwell else [])
    rows = [header]
    stays: dict[str, list[tuple[date, date | None]]] = {}
    for user_id, _nick, _role, joined, left in members[1:]:
        start = datetime.strptime(joined, "%Y-%m-%d %H:%M").date()
        end = datetime.strptime(left, "%Y-%m-%d %H:%M").date() if left else None
        stays.setdefault(user_id, []).append((start, end))
    propensity = {user_id: rng.betavariate(1.2, 3.5) for user_id in stays}
    for offset in range(ACTIVITY_DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        factor = weekend_boost if day.weekday() >= 5 else 1.0
        factor *= 1.3 if day.weekday() == 2 else 1.0  # Wednesday: new arrivals
        for user_id, spans in stays.items():
            present = any(s <= day and (e is None or e > day) for s, e in spans)
            if not present or rng.random() > min(0.95, propensity[user_id] * factor):
                continue
            messages = max(1, int(rng.expovariate(0.35)))
            interactions = int(rng.expovariate(0.6))
            row = [day.isoformat(), user_id, str(messages), str(interactions)]
            if dwell:
                row.append(str(rng.randint(3, 45)))
            rows.append(row)
    return rows


def _chat(today: date, members: list[list[str]]) -> list[list[str]]:
    rows = [["时间", "用户ID", "发送者", "内容", "类型"]]
    staff = members[2]  # the admin
    fans = [m for m in members[3:] if not m[4]]
    for index, (days_ago, clock, text, kind) in enumerate(CHAT):
        sender = staff if kind == "staff" else fans[index % len(fans)]
        day = today - timedelta(days=days_ago)
        hour, minute = (int(part) for part in clock.split(":"))
        rows.append([_stamp(day, hour, minute), sender[0], sender[1], text, kind])
    return rows


def _group(
    workspace: Workspace, users: dict[str, User], name: str, data: dict[str, object]
) -> FanGroup | None:
    if FanGroup.objects.filter(workspace=workspace, name=name).exists():
        return None
    operator = users["demo-operator"]
    return groups.create_group(
        actor=operator, workspace=workspace, data={"name": name, "owner": operator, **data}
    )


def seed_community(workspace: Workspace, users: dict[str, User]) -> None:
    operator = users["demo-operator"]
    today = workspace_today(workspace)
    campaign = (
        Campaign.objects.filter(workspace=workspace, state__in=["live", "launching"]).first()
        or Campaign.objects.filter(workspace=workspace).first()
    )
    welfare = _group(
        workspace,
        users,
        WELFARE,
        {
            "platform": GroupPlatform.WECHAT,
            "group_type": GroupType.WELFARE,
            "audience": "20–35 岁女性，关注性价比的老顾客",
            "theme": "每周福利、限时秒杀、晒单有礼",
            "rules": "1. 禁止广告和拉人\n2. 禁止发布他人隐私\n3. 售后问题请私聊客服",
            "campaigns": [campaign] if campaign else [],
            "content_topics": ["周三上新", "限时秒杀", "晒单有礼", "护肤小知识"],
            "posts_per_week": 5,
            "content_notes": "周三上新预告，周五晚八点秒杀，周日晒单评选。",
            "invite_url": "https://example.com/join/qinggan-fuli-1",
        },
    )
    if welfare is not None:
        rng = random.Random(SEED)
        members = _members(rng, today, 150, "wx_fuli_")
        _import(operator, welfare, "members", "福利群成员.csv", _csv(members))
        activity = _activity(rng, today, members, weekend_boost=1.6, dwell=False)
        _import(operator, welfare, "activity", "福利群活跃.csv", _csv(activity))
        _import(operator, welfare, "chat", "福利群聊天记录.csv", _csv(_chat(today, members)))
        _events(operator, welfare, today)
    vip = _group(
        workspace,
        users,
        VIP,
        {
            "platform": GroupPlatform.WECOM,
            "group_type": GroupType.VIP,
            "audience": "年消费 2000 元以上的会员",
            "theme": "新品优先体验、专属顾问答疑",
            "rules": "会员专属群，请勿外传二维码。",
            "content_topics": ["新品试用", "专属答疑"],
            "posts_per_week": 3,
        },
    )
    if vip is not None:
        rng = random.Random(SEED + 1)
        members = _members(rng, today, 70, "wm_vip_")
        _import(operator, vip, "members", "VIP群成员.csv", _csv(members))
        activity = _activity(rng, today, members, weekend_boost=0.8, dwell=True)
        _import(operator, vip, "activity", "VIP群活跃.csv", _csv(activity))


def _events(operator: User, group: FanGroup, today: date) -> None:
    zone = group.workspace.zoneinfo
    done_at = datetime.combine(today - timedelta(days=10), time(20, 0), tzinfo=zone)
    events.create_event(
        actor=operator,
        group=group,
        data={
            "kind": EventKind.QA,
            "title": "防晒答疑夜",
            "starts_at": done_at,
            "ends_at": done_at + timedelta(hours=1),
            "host": operator,
            "materials": "答疑提纲：https://example.com/docs/spf-qa\n产品资料卡三张",
            "outcome_notes": (
                "42 人参与，收到 67 个问题；最多人问补涂和敏感肌。下次准备补涂演示视频。"
            ),
            "participants": 42,
            "status": EventStatus.DONE,
        },
    )
    check_in = datetime.combine(today - timedelta(days=6), time(9, 0), tzinfo=zone)
    events.create_event(
        actor=operator,
        group=group,
        data={
            "kind": EventKind.CHECK_IN,
            "title": "七天早C晚A打卡",
            "starts_at": check_in,
            "ends_at": check_in + timedelta(days=7),
            "status": EventStatus.DONE,
            "outcome_notes": "31 人完成七天打卡，抽 5 人送正装。",
            "participants": 31,
        },
    )
    live = datetime.combine(today + timedelta(days=3), time(20, 0), tzinfo=zone)
    events.create_event(
        actor=operator,
        group=group,
        data={
            "kind": EventKind.LIVE,
            "title": "周五新品直播预热",
            "starts_at": live,
            "ends_at": live + timedelta(hours=2),
            "host": operator,
            "materials": "直播间链接稍后发布；福利券 200 张",
            "status": EventStatus.PLANNED,
        },
    )
