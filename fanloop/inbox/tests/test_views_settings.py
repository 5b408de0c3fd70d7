"""The inbox settings pages: business hours and targets, assignment rules, teams, tags,
saved replies, webhooks (secret shown once) and file imports, per role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fanloop.core.models import AuditEntry
from fanloop.inbox.models import (
    AssignmentRule,
    InboxSettings,
    Message,
    SavedReply,
    Tag,
    Team,
    WebhookEndpoint,
)
from fanloop.inbox.services import setup
from fanloop.inbox.tests import ui_support
from fanloop.inbox.tests.ui_support import inbox_url

pytestmark = [pytest.mark.django_db]

# Shared fixtures (pytest finds them by these names).
operator = ui_support.operator
viewer = ui_support.viewer
weibo = ui_support.weibo


def settings_url(workspace, suffix: str = "") -> str:
    return inbox_url(workspace, f"settings/{suffix}")


def general_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "hours_0": "09:00-12:00, 13:00-18:00",
        "hours_5": "10:00-16:00",
        "holidays": "2026-10-01\n2026-10-02",
        "extra_workdays": "2026-09-27",
        "default_reply_minutes": 90,
        "reply_rate_target": 85,
        "crisis_z_threshold": 3.5,
        "crisis_min_negative": 8,
        "target_weibo": 30,
    }
    data.update(changes)
    return data


# General ------------------------------------------------------------------------------


def test_admin_saves_hours_targets_and_thresholds(client_for, admin_user, workspace):
    response = client_for(admin_user).post(settings_url(workspace), general_data())
    assert response.status_code == 302
    saved = InboxSettings.objects.get(workspace=workspace)
    assert saved.business_hours == {
        "0": [["09:00", "12:00"], ["13:00", "18:00"]],
        "5": [["10:00", "16:00"]],
    }
    assert saved.holidays == ["2026-10-01", "2026-10-02"]
    assert saved.extra_workdays == ["2026-09-27"]
    assert saved.default_reply_minutes == 90
    assert saved.platform_reply_minutes == {"weibo": 30}
    assert saved.reply_rate_target == pytest.approx(0.85)
    assert saved.crisis_z_threshold == 3.5
    assert saved.crisis_min_negative == 8
    assert AuditEntry.objects.filter(action="inbox.settings").exists()
    # and the page shows them back as typed
    page = client_for(admin_user).get(settings_url(workspace)).content.decode()
    assert "09:00-12:00, 13:00-18:00" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours_1", "nine to five", "09:00-12:00"),
        ("hours_1", "18:00-09:00", "ends before it starts"),
        ("holidays", "2026-13-01", "is not a date"),
        ("reply_rate_target", 0, "greater than or equal to 1"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(
    client_for, admin_user, workspace, field, value, message
):
    before = setup.settings_for(workspace)
    response = client_for(admin_user).post(settings_url(workspace), general_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    after = InboxSettings.objects.get(workspace=workspace)
    assert after.business_hours == before.business_hours
    assert after.holidays == before.holidays


def test_operator_reads_settings_but_cannot_change_them(client_for, operator, workspace):
    client = client_for(operator)
    page = client.get(settings_url(workspace))
    assert page.status_code == 200
    assert "Only admins can change" in page.content.decode()
    assert client.post(settings_url(workspace), general_data()).status_code == 403
    assert not AuditEntry.objects.filter(action="inbox.settings").exists()


# Assignment rules ---------------------------------------------------------------------


def test_admin_creates_moves_and_deletes_rules(client_for, admin_user, operator, workspace):
    client = client_for(admin_user)
    first = client.post(
        settings_url(workspace, "rules/new/"),
        {
            "name": "差评给运营",
            "active": "on",
            "platforms": ["weibo"],
            "sentiment": "negative",
            "keywords": "退货, 投诉",
            "assign_to": operator.pk,
        },
    )
    assert first.status_code == 302
    client.post(settings_url(workspace, "rules/new/"), {"name": "其余", "active": "on"})
    rules = list(AssignmentRule.objects.order_by("position"))
    assert [r.name for r in rules] == ["差评给运营", "其余"]
    assert rules[0].keywords == ["退货", "投诉"]
    assert rules[0].assign_to == operator

    page = client.get(settings_url(workspace, "rules/")).content.decode()
    assert 'data-testid="rule-explained"' in page
    assert "When " in page

    client.post(settings_url(workspace, f"rules/{rules[1].pk}/up/"))
    names = list(AssignmentRule.objects.order_by("position").values_list("name", flat=True))
    assert names == ["其余", "差评给运营"]

    client.post(settings_url(workspace, f"rules/{rules[1].pk}/delete/"))
    assert list(AssignmentRule.objects.values_list("name", flat=True)) == ["差评给运营"]


def test_rule_with_both_a_person_and_round_robin_is_refused(
    client_for, admin_user, operator, workspace
):
    response = client_for(admin_user).post(
        settings_url(workspace, "rules/new/"),
        {"name": "x", "assign_to": operator.pk, "round_robin": "on"},
    )
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert not AssignmentRule.objects.exists()


def test_operator_cannot_edit_rules(client_for, operator, workspace):
    client = client_for(operator)
    assert client.get(settings_url(workspace, "rules/")).status_code == 200
    assert client.post(settings_url(workspace, "rules/new/"), {"name": "x"}).status_code == 403
    assert not AssignmentRule.objects.exists()


# Teams, tags, saved replies -----------------------------------------------------------


def test_admin_makes_a_team_and_a_duplicate_name_is_refused(
    client_for, admin_user, operator, workspace
):
    client = client_for(admin_user)
    made = client.post(
        settings_url(workspace, "teams/"), {"name": "售后组", "members": [operator.pk]}
    )
    assert made.status_code == 302
    assert list(Team.objects.get(name="售后组").members.all()) == [operator]
    again = client.post(settings_url(workspace, "teams/"), {"name": "售后组"})
    assert again.status_code == 400
    assert "already a team" in again.content.decode()
    assert Team.objects.count() == 1


def test_operator_manages_tags_and_a_viewer_cannot(client_for, operator, viewer, workspace):
    response = client_for(operator).post(
        settings_url(workspace, "tags/"), {"name": "物流", "color": "info"}
    )
    assert response.status_code == 302
    tag = Tag.objects.get(name="物流")
    client_for(operator).post(
        settings_url(workspace, f"tags/{tag.pk}/"), {"name": "物流问题", "color": "danger"}
    )
    tag.refresh_from_db()
    assert (tag.name, tag.color) == ("物流问题", "danger")
    assert (
        client_for(viewer).post(settings_url(workspace, "tags/"), {"name": "x"}).status_code == 403
    )
    client_for(operator).post(settings_url(workspace, f"tags/{tag.pk}/delete/"))
    assert not Tag.objects.exists()


def test_saved_replies_crud_and_isolation(client_for, operator, workspace, other_workspace):
    client = client_for(operator)
    client.post(
        settings_url(workspace, "saved-replies/"),
        {"title": "发货", "body": "{昵称}您好，48小时内发货", "platform": ""},
    )
    saved = SavedReply.objects.get(title="发货")
    assert saved.workspace == workspace
    empty = client.post(settings_url(workspace, "saved-replies/"), {"title": "空", "body": ""})
    assert empty.status_code == 400
    assert SavedReply.objects.count() == 1

    foreign = setup.save_saved_reply(
        actor=other_workspace.memberships.first().user,
        workspace=other_workspace,
        title="theirs",
        body="x",
    )
    assert client.get(settings_url(workspace, f"saved-replies/{foreign.pk}/")).status_code == 404
    deleted = client.post(settings_url(workspace, f"saved-replies/{foreign.pk}/delete/"))
    assert deleted.status_code == 404
    assert SavedReply.objects.filter(pk=foreign.pk).exists()


# Webhooks -----------------------------------------------------------------------------


def test_webhook_secret_is_shown_once_and_rotates(client_for, admin_user, workspace):
    client = client_for(admin_user)
    made = client.post(settings_url(workspace, "webhooks/"), {"name": "有赞"})
    assert made.status_code == 200
    endpoint = WebhookEndpoint.objects.get(workspace=workspace)
    body = made.content.decode()
    assert endpoint.secret in body
    assert f"/hooks/inbox/{endpoint.token}/" in body
    assert "X-Fanloop-Signature" in body
    assert "HMAC-SHA256" in body

    listed = client.get(settings_url(workspace, "webhooks/")).content.decode()
    assert endpoint.secret not in listed
    assert f"/hooks/inbox/{endpoint.token}/" in listed

    old = endpoint.secret
    rotated = client.post(settings_url(workspace, f"webhooks/{endpoint.pk}/rotate/"))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in rotated.content.decode()

    client.post(settings_url(workspace, f"webhooks/{endpoint.pk}/delete/"))
    assert not WebhookEndpoint.objects.exists()


def test_webhooks_are_for_admins(client_for, operator, workspace):
    client = client_for(operator)
    assert client.get(settings_url(workspace, "webhooks/")).status_code == 403
    assert client.post(settings_url(workspace, "webhooks/"), {"name": "x"}).status_code == 403
    assert not WebhookEndpoint.objects.exists()


# Import -------------------------------------------------------------------------------

CSV = (
    "platform,id,text,author_id,nickname,sent_at\n"
    "weibo,w-1,请问有黑色吗？,u-1,小王,2026-01-05T10:00:00+08:00\n"
    "weibo,w-2,什么时候发货,u-2,小李,2026-01-05T10:05:00+08:00\n"
    "weibo,,没有编号,u-3,小张,2026-01-05T10:06:00+08:00\n"
)


def upload(content: str, name: str = "messages.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


def test_operator_imports_a_file_twice_without_doubles(client_for, operator, workspace):
    client = client_for(operator)
    first = client.post(settings_url(workspace, "import/"), {"file": upload(CSV)})
    assert first.status_code == 200
    result = first.context["result"]
    assert len(result.created) == 2
    assert result.duplicates == 0
    assert len(result.errors) == 1
    assert 'data-testid="row-errors"' in first.content.decode()

    second = client.post(settings_url(workspace, "import/"), {"file": upload(CSV)})
    assert second.context["result"].duplicates == 2
    assert Message.objects.filter(workspace=workspace).count() == 2


def test_unreadable_file_is_refused_and_changes_nothing(client_for, operator, workspace):
    response = client_for(operator).post(
        settings_url(workspace, "import/"), {"file": upload("\x00\x01garbage", "x.xlsx")}
    )
    assert response.status_code == 400
    assert 'data-testid="field-error"' in response.content.decode()
    assert not Message.objects.exists()


def test_viewer_cannot_import(client_for, viewer, workspace):
    response = client_for(viewer).post(settings_url(workspace, "import/"), {"file": upload(CSV)})
    assert response.status_code == 403
    assert not Message.objects.exists()
