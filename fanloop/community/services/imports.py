"""Importing a group's member list, daily activity or chat log from CSV / Excel.

A file problem (unreadable, no header row, a required column missing) fails the import
and changes nothing. Otherwise bad rows are listed with their row number and reason, and
the good rows are written in one transaction. Every import can be repeated: members are
found by their hashed id, stays by their join time, activity by member and day, chat
messages by a fingerprint of time, sender and text, so nothing is counted twice.
"""

import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from fanloop.channels.imports.reader import FileProblem, open_table
from fanloop.community.models import (
    ChatMessage,
    CommunityImport,
    FanGroup,
    GroupMember,
    ImportKind,
    ImportState,
    JoinSource,
    MemberActivity,
    MemberRole,
)
from fanloop.community.services import members as member_service
from fanloop.community.services import moderation
from fanloop.community.services.common import (
    local_day,
    member_key,
    nickname_key,
    require_manage,
)
from fanloop.community.services.rollup import rollup_group
from fanloop.core import audit
from fanloop.core.models import User

HEADER_SCAN_ROWS = 10
PROGRESS_EVERY = 500
MAX_ERRORS = 5000

USER_ID = ("平台用户id", "用户id", "成员id", "微信号", "wxid", "userid", "user id", "uid", "id")
NICKNAME = ("昵称", "群昵称", "成员昵称", "发送者", "发送人", "nickname", "name", "sender", "成员")
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    ImportKind.MEMBERS: {
        "user_id": USER_ID,
        "nickname": NICKNAME,
        "role": ("角色", "身份", "群身份", "role"),
        "joined_at": ("入群时间", "加入时间", "进群时间", "joined at", "join time", "joined"),
        "left_at": ("退群时间", "离开时间", "退出时间", "left at", "leave time", "left"),
    },
    ImportKind.ACTIVITY: {
        "day": ("日期", "date", "day"),
        "user_id": USER_ID,
        "nickname": NICKNAME,
        "messages": ("发言数", "发言次数", "消息数", "messages", "message count"),
        "interactions": ("互动数", "互动次数", "interactions"),
        "online_minutes": (
            "在线时长(分钟)",
            "在线时长",
            "停留时长",
            "online minutes",
            "dwell minutes",
        ),
    },
    ImportKind.CHAT: {
        "sent_at": ("发送时间", "时间", "sent at", "time", "timestamp"),
        "user_id": USER_ID,
        "nickname": NICKNAME,
        "text": ("消息内容", "内容", "message", "text", "content"),
        "type": ("消息类型", "类型", "type"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    ImportKind.MEMBERS: ("joined_at",),
    ImportKind.ACTIVITY: ("day",),
    ImportKind.CHAT: ("sent_at",),
}
ROLE_WORDS = {
    "群主": MemberRole.OWNER,
    "owner": MemberRole.OWNER,
    "管理员": MemberRole.ADMIN,
    "admin": MemberRole.ADMIN,
    "成员": MemberRole.MEMBER,
    "普通成员": MemberRole.MEMBER,
    "member": MemberRole.MEMBER,
    "koc": MemberRole.KOC,
    "种子用户": MemberRole.KOC,
}
INTERACTION_TYPES = frozenset(
    {"reply", "quote", "reaction", "like", "回复", "引用", "拍一拍", "点赞"}
)
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
    "%Y%m%d",
)


def _norm(text: str) -> str:
    return "".join(str(text).lower().split()).replace("（", "(").replace("）", ")")


def _cell(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


@dataclass
class RowError:
    row: int
    reason: str


@dataclass
class Parsed:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# Reading ----------------------------------------------------------------------------------


def find_columns(
    rows: Iterator[tuple[int, Sequence[Any]]], kind: str
) -> tuple[dict[str, int], Iterator[tuple[int, Sequence[Any]]]]:
    """The header row among the first rows (the one naming most known columns)."""
    aliases = COLUMNS[kind]
    scanned = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    best: tuple[int, dict[str, int]] | None = None
    for position, (_number, row) in enumerate(scanned):
        headers = [_norm(_cell(c)) for c in row]
        index: dict[str, int] = {}
        for name, names in aliases.items():
            for alias in names:
                if _norm(alias) in headers and headers.index(_norm(alias)) not in index.values():
                    index[name] = headers.index(_norm(alias))
                    break
        if index and (best is None or len(index) > len(best[1])):
            best = (position, index)
    labels = {name: names[0] for name, names in aliases.items()}
    if best is None:
        raise FileProblem(
            _("No header row found in the first %(n)d rows: expected columns such as %(cols)s.")
            % {"n": HEADER_SCAN_ROWS, "cols": "、".join(labels.values())}
        )
    position, index = best
    missing = [labels[name] for name in REQUIRED[kind] if name not in index]
    if "user_id" not in index and "nickname" not in index:
        missing.append(f"{labels['user_id']} / {labels['nickname']}")
    if missing:
        raise FileProblem(
            _("The file lacks required columns: %(cols)s.") % {"cols": "、".join(missing)}
        )
    return index, itertools.chain(scanned[position + 1 :], rows)


def _text_moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date and time") % {"value": text[:40]})


def parse_moment(value: Any, group: FanGroup) -> datetime:
    """A cell as an aware datetime; times without a zone are the workspace's wall clock."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    else:
        text = _cell(value)
        if not text:
            raise ValueError(_("is empty"))
        moment = _text_moment(text)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=group.workspace.zoneinfo)
    return moment


def _moment(values: dict[str, Any], name: str, label: str, group: FanGroup) -> datetime:
    try:
        return parse_moment(values.get(name), group)
    except ValueError as exc:
        raise ValueError(f"{label}: {exc}") from exc


def _count(value: Any, optional: bool = False) -> int | None:
    text = _cell(value)
    if not text:
        return None if optional else 0
    try:
        number = float(text.replace(",", ""))
    except ValueError as exc:
        raise ValueError(_("“%(value)s” is not a number") % {"value": text[:40]}) from exc
    if number < 0 or number != int(number):
        raise ValueError(_("“%(value)s” is not a whole number ≥ 0") % {"value": text[:40]})
    return int(number)


def _labelled(parse: Callable[..., int | None], value: Any, label: str, *args: Any) -> int | None:
    try:
        return parse(value, *args)
    except ValueError as exc:
        raise ValueError(f"{label}: {exc}") from exc


# Row parsers: a dict of clean values, or ValueError with the reason -----------------------


def _identity(values: dict[str, str]) -> tuple[str, str]:
    user_id, nickname = values.get("user_id", ""), values.get("nickname", "")
    if not user_id and not nickname:
        raise ValueError(_("The row has neither a user id nor a nickname."))
    return user_id, nickname


def _parse_member(values: dict[str, Any], group: FanGroup) -> dict[str, Any]:
    user_id, nickname = _identity(values)
    joined = _moment(values, "joined_at", "入群时间", group)
    left = None
    if _cell(values.get("left_at")):
        left = _moment(values, "left_at", "退群时间", group)
        if left < joined:
            raise ValueError(_("The leave time is before the join time."))
    role_text = _cell(values.get("role")).lower()
    role = ROLE_WORDS.get(role_text) if role_text else None
    if role_text and role is None:
        raise ValueError(
            _("Unknown role “%(role)s”: use 群主, 管理员, 成员 or KOC.") % {"role": role_text}
        )
    return {"user_id": user_id, "nickname": nickname, "joined": joined, "left": left, "role": role}


def _parse_activity(values: dict[str, Any], group: FanGroup) -> dict[str, Any]:
    user_id, nickname = _identity(values)
    day = _moment(values, "day", "日期", group).date()
    return {
        "user_id": user_id,
        "nickname": nickname,
        "day": day,
        "messages": _labelled(_count, values.get("messages"), "发言数"),
        "interactions": _labelled(_count, values.get("interactions"), "互动数"),
        "online_minutes": _labelled(_count, values.get("online_minutes"), "在线时长", True),
    }


def _parse_chat(values: dict[str, Any], group: FanGroup) -> dict[str, Any]:
    user_id, nickname = _identity(values)
    sent_at = _moment(values, "sent_at", "发送时间", group)
    text = str(values.get("text") or "").strip()
    kind = _cell(values.get("type")).lower()
    return {
        "user_id": user_id,
        "nickname": nickname,
        "sent_at": sent_at,
        "text": text,
        "interaction": kind in INTERACTION_TYPES or "@" in text,
    }


PARSERS: dict[str, Callable[[dict[str, Any], FanGroup], dict[str, Any]]] = {
    ImportKind.MEMBERS: _parse_member,
    ImportKind.ACTIVITY: _parse_activity,
    ImportKind.CHAT: _parse_chat,
}


def parse_file(
    data: bytes,
    file_name: str,
    kind: str,
    group: FanGroup,
    progress: Callable[[int, int], None] | None = None,
) -> Parsed:
    """Every row checked; raises FileProblem for a file that cannot be imported at all."""
    table = open_table(data, file_name)
    index, rows = find_columns(table.rows, kind)
    parser = PARSERS[kind]
    parsed = Parsed()
    done = 0
    for number, row in rows:
        cells = list(row)
        if not any(_cell(c) for c in cells):
            continue
        values = {name: (cells[i] if i < len(cells) else None) for name, i in index.items()}
        values = {
            k: (_cell(v) if k in ("user_id", "nickname", "role") else v) for k, v in values.items()
        }
        try:
            parsed.rows.append((number, parser(values, group)))
        except ValueError as exc:
            if len(parsed.errors) < MAX_ERRORS:
                parsed.errors.append(RowError(number, str(exc)))
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, table.estimated_rows)
    if not parsed.rows and not parsed.errors:
        raise FileProblem(_("The file has a header row but no data rows."))
    return parsed


# Writing ----------------------------------------------------------------------------------


@dataclass
class Applied:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    first_day: date | None = None
    joined: int = 0  # stays recorded (opened, or closed ones added)
    flagged: int = 0

    def saw(self, day: date) -> None:
        self.first_day = day if self.first_day is None else min(self.first_day, day)


def _key(group: FanGroup, row: dict[str, Any]) -> str:
    return (
        member_key(group, row["user_id"])
        if row["user_id"]
        else nickname_key(group, row["nickname"])
    )


def _find_member(group: FanGroup, row: dict[str, Any]) -> GroupMember | None:
    member = GroupMember.objects.filter(group=group, member_key=_key(group, row)).first()
    if member is None and row["nickname"] and not row["user_id"]:
        named = list(GroupMember.objects.filter(group=group, nickname=row["nickname"])[:2])
        member = named[0] if len(named) == 1 else None
    return member


def _apply_members(group: FanGroup, parsed: Parsed) -> Applied:
    result = Applied()
    workspace = group.workspace
    for number, row in parsed.rows:
        member, _created = member_service.get_or_create_member(
            group, _key(group, row), nickname=row["nickname"], role=row["role"]
        )
        try:
            if row["left"] is not None:
                changed = member_service.record_stay(
                    member, row["joined"], row["left"], source=JoinSource.IMPORT
                )
            else:
                changed = member_service.record_join(
                    member, row["joined"], source=JoinSource.IMPORT
                )
            result.joined += int(changed)
        except ValidationError as exc:
            result.errors.append(RowError(number, " ".join(exc.messages)))
            continue
        result.saw(local_day(row["joined"], workspace))
        result.imported += 1
    return result


def _apply_activity(group: FanGroup, parsed: Parsed) -> Applied:
    result = Applied()
    for number, row in parsed.rows:
        member = _find_member(group, row)
        if member is None:
            result.errors.append(
                RowError(
                    number,
                    _("No member “%(who)s” in this group; import the member list first.")
                    % {"who": row["user_id"] or row["nickname"]},
                )
            )
            continue
        MemberActivity.objects.update_or_create(
            member=member,
            day=row["day"],
            defaults={
                "group": group,
                "messages": row["messages"],
                "interactions": row["interactions"],
                "online_minutes": row["online_minutes"],
            },
        )
        result.saw(row["day"])
        result.imported += 1
    return result


def _fingerprint(group: FanGroup, row: dict[str, Any]) -> str:
    raw = "\x1f".join(
        [group.member_salt, row["sent_at"].isoformat(), _key(group, row), row["text"]]
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def _apply_chat(group: FanGroup, parsed: Parsed) -> Applied:
    result = Applied()
    workspace = group.workspace
    touched: set[tuple[int, date]] = set()
    seen = set(ChatMessage.objects.filter(group=group).values_list("fingerprint", flat=True))
    for _number, row in parsed.rows:
        fingerprint = _fingerprint(group, row)
        result.imported += 1
        result.saw(local_day(row["sent_at"], workspace))
        if fingerprint in seen:
            continue  # imported before: counted and moderated already
        seen.add(fingerprint)
        member = _find_member(group, row)
        message = ChatMessage.objects.create(
            group=group,
            member=member,
            sent_at=row["sent_at"],
            fingerprint=fingerprint,
            interaction=row["interaction"],
        )
        if member is not None:
            touched.add((member.pk, local_day(row["sent_at"], workspace)))
        verdict = moderation.assess(group, row["text"], member)
        sender = member.nickname if member is not None else row["nickname"]
        if moderation.flag_message(message, sender=sender, text=row["text"], verdict=verdict):
            result.flagged += 1
    _recount(group, touched)
    return result


def _recount(group: FanGroup, touched: set[tuple[int, date]]) -> None:
    """A day's activity from the chat log: the distinct messages logged for the member that
    day, unless an activity import already recorded more."""
    if not touched:
        return
    zone = group.workspace.zoneinfo
    members = {member for member, _day in touched}
    counts = (
        ChatMessage.objects.filter(group=group, member_id__in=members)
        .annotate(day=TruncDate("sent_at", tzinfo=zone))
        .values("member_id", "day")
        .annotate(messages=Count("id"), interactions=Count("id", filter=Q(interaction=True)))
    )
    for row in counts:
        if (row["member_id"], row["day"]) not in touched:
            continue
        activity, _created = MemberActivity.objects.get_or_create(
            member_id=row["member_id"], day=row["day"], defaults={"group": group}
        )
        activity.messages = max(activity.messages, row["messages"])
        activity.interactions = max(activity.interactions, row["interactions"])
        activity.save(update_fields=["messages", "interactions"])


APPLIERS: dict[str, Callable[[FanGroup, Parsed], Applied]] = {
    ImportKind.MEMBERS: _apply_members,
    ImportKind.ACTIVITY: _apply_activity,
    ImportKind.CHAT: _apply_chat,
}


# The import run ---------------------------------------------------------------------------


@transaction.atomic
def start_import(*, actor: User, group: FanGroup, kind: str, file_name: str) -> CommunityImport:
    require_manage(actor, group.workspace)
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("Choose what the file holds.")})
    run = CommunityImport.objects.create(
        group=group,
        workspace_id=group.workspace_id,
        kind=kind,
        file_name=file_name[:200],
        created_by=actor,
    )
    audit.record(
        actor=actor,
        workspace=group.workspace,
        action="community.import_start",
        obj=run,
        changes={"kind": (None, kind), "file_name": (None, run.file_name)},
    )
    return run


def fail_import(run: CommunityImport, reason: str) -> None:
    CommunityImport.objects.filter(pk=run.pk).update(
        state=ImportState.FAILED,
        errors=[{"file": True, "reason": reason}],
        finished_at=timezone.now(),
    )


def run_import(run: CommunityImport, data: bytes) -> CommunityImport:
    """Read, check and write the file of ``run``; the run row keeps progress and report."""
    group = FanGroup.objects.select_related("workspace", "owner").get(pk=run.group_id)

    def progress(done: int, total: int) -> None:
        CommunityImport.objects.filter(pk=run.pk).update(rows_done=done, rows_total=total)

    try:
        parsed = parse_file(data, run.file_name, run.kind, group, progress)
    except FileProblem as exc:
        fail_import(run, str(exc))
        run.refresh_from_db()
        return run
    try:
        with transaction.atomic():
            applied = APPLIERS[run.kind](group, parsed)
            errors = sorted([*parsed.errors, *applied.errors], key=lambda e: e.row)
            total = len(parsed.rows) + len(parsed.errors)
            run.state = ImportState.DONE
            run.rows_total = run.rows_done = total
            run.rows_imported = applied.imported
            run.rows_skipped = total - applied.imported
            run.errors = [{"row": e.row, "reason": e.reason} for e in errors]
            run.finished_at = timezone.now()
            run.save()
            if applied.first_day is not None:
                rollup_group(group, applied.first_day)
            audit.record(
                actor=run.created_by,
                workspace=group.workspace,
                action="community.import",
                obj=run,
                changes={
                    "rows_imported": (None, applied.imported),
                    "rows_skipped": (None, run.rows_skipped),
                    "stays_recorded": (None, applied.joined),
                    "flagged": (None, applied.flagged),
                },
            )
    except Exception as exc:  # nothing of the file is kept; the run says why
        fail_import(run, _("The import stopped and nothing was saved: %(e)s") % {"e": exc})
    run.refresh_from_db()
    return run
