"""The content REST API: the same rules as the UI, the documented error shape, isolation."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fanloop.content.models import ContentItem, MediaAsset, Variant
from fanloop.content.tests.conftest import CLEAN_BODY
from fanloop.content.tests.mediasamples import png_bytes
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


def base(workspace):
    return f"/api/v1/workspaces/{workspace.pk}/content/"


@pytest.fixture
def api(api_client_for, writer):
    return api_client_for(writer)


def create_item(api, workspace, **extra):
    body = {
        "title": "春季新品",
        "content_type": "image_text",
        "purpose": "product_intro",
        "platforms": ["weibo", "xiaohongshu"],
        **extra,
    }
    return api.post(base(workspace) + "items/", body, format="json")


def test_create_item_with_variants_and_edit_a_variant(api, workspace):
    response = create_item(api, workspace, tags=["春装"])
    assert response.status_code == 201, response.json()
    item = response.json()
    assert [v["platform"] for v in item["variants"]] == ["weibo", "xiaohongshu"]
    weibo = item["variants"][0]
    url = f"{base(workspace)}items/{item['id']}/variants/{weibo['id']}/"
    response = api.patch(
        url, {"body": "全网最好的面霜", "topics": ["春装"], "expected_version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 2
    finding = next(f for f in data["findings"] if f["matched"] == "最好")
    assert (finding["start"], finding["end"], finding["severity"]) == (2, 4, "block")
    assert "submit" in data["transitions"]


def test_bad_input_gets_field_errors_and_writes_nothing(api, workspace):
    response = create_item(api, workspace, content_type="podcast")
    assert response.status_code == 400
    assert "content_type" in response.json()["error"]["field_errors"]
    response = create_item(api, workspace, title=" ")
    assert response.status_code == 400
    assert "title" in response.json()["error"]["field_errors"]
    assert not ContentItem.objects.exists()


def test_submit_approve_and_schedule_through_the_api(
    api, api_client_for, workspace, operator, admin_user
):
    item = create_item(api, workspace, platforms=["weibo"]).json()
    variant = item["variants"][0]
    url = f"{base(workspace)}items/{item['id']}/variants/{variant['id']}/"
    api.patch(url, {"body": CLEAN_BODY}, format="json")
    response = api.post(url + "transitions/", {"name": "submit"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["variant"]["state"] == "approved"
    # the writer may not schedule
    when = (timezone.now() + timedelta(days=1)).isoformat()
    response = api.post(
        url + "transitions/", {"name": "schedule", "planned_at": when}, format="json"
    )
    assert response.status_code == 403
    response = api_client_for(operator).post(
        url + "transitions/", {"name": "schedule", "planned_at": when}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["variant"]["state"] == "scheduled"


def test_wrong_transition_is_a_400_with_the_reason(api, workspace):
    item = create_item(api, workspace, platforms=["weibo"]).json()
    variant = item["variants"][0]
    url = f"{base(workspace)}items/{item['id']}/variants/{variant['id']}/transitions/"
    response = api.post(url, {"name": "approve"}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()["error"]["field_errors"]
    response = api.post(url, {"name": "teleport"}, format="json")
    assert response.status_code == 400


def test_another_workspaces_content_is_404(api, api_client_for, workspace, other_workspace):
    item = create_item(api, workspace).json()
    stranger = api_client_for(other_workspace.memberships.get().user)
    assert stranger.get(f"{base(workspace)}items/{item['id']}/").status_code == 404
    # even through the stranger's own workspace URL
    response = stranger.get(f"{base(other_workspace)}items/{item['id']}/")
    assert response.status_code == 404
    listing = stranger.get(f"{base(other_workspace)}items/").json()
    assert listing["count"] == 0


def test_stateless_check_returns_offsets_and_writes_nothing(api, workspace):
    before = AuditEntry.objects.count()
    text = "本品第一次上市，采用国家级工艺"
    response = api.post(
        base(workspace) + "check/", {"text": text, "platform": "xiaohongshu"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["blocking"] is True
    matched = [(f["matched"], f["start"]) for f in body["findings"]]
    assert ("国家级", text.index("国家级")) in matched
    assert all(m != "第一" for m, _ in matched)  # 第一次 is harmless
    assert AuditEntry.objects.count() == before


def test_media_upload_and_bad_file(api, workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    good = SimpleUploadedFile("a.png", png_bytes(300, 400), content_type="image/png")
    response = api.post(base(workspace) + "media/", {"file": good, "tags": ["主图"]})
    assert response.status_code == 201, response.json()
    assert (response.json()["width"], response.json()["height"]) == (300, 400)
    bad = SimpleUploadedFile("b.png", b"not a picture at all", content_type="image/png")
    response = api.post(base(workspace) + "media/", {"file": bad})
    assert response.status_code == 400
    assert "file" in response.json()["error"]["field_errors"]
    assert MediaAsset.objects.count() == 1


def test_calendar_and_reschedule(api, api_client_for, workspace, operator):
    item = create_item(api, workspace, platforms=["weibo"]).json()
    variant_id = item["variants"][0]["id"]
    url = f"{base(workspace)}items/{item['id']}/variants/{variant_id}/"
    api.patch(url, {"body": CLEAN_BODY}, format="json")
    api.post(url + "transitions/", {"name": "submit"}, format="json")
    ops = api_client_for(operator)
    when = timezone.now() + timedelta(days=3)
    response = ops.post(
        f"{base(workspace)}variants/{variant_id}/reschedule/",
        {"planned_at": when.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    start = (when - timedelta(days=1)).isoformat()
    end = (when + timedelta(days=1)).isoformat()
    listing = ops.get(f"{base(workspace)}calendar/", {"start": start, "end": end}).json()
    assert [row["id"] for row in listing["results"]] == [variant_id]
    response = ops.get(f"{base(workspace)}calendar/", {"start": end, "end": start})
    assert response.status_code == 400
    assert Variant.objects.get(pk=variant_id).planned_at is not None


def test_best_times_default_without_history(api, workspace):
    response = api.get(base(workspace) + "best-times/", {"platform": "weibo"})
    assert response.status_code == 200
    body = response.json()
    assert body["from_history"] is False
    assert body["suggestions"][:2] == [[0, 12], [0, 20]]


def test_comments_via_api_notify_mentions(api, workspace, member_with_role):
    reviewer = member_with_role(Role.REVIEWER)
    item = create_item(api, workspace, platforms=["weibo"]).json()
    url = f"{base(workspace)}items/{item['id']}/variants/{item['variants'][0]['id']}/comments/"
    response = api.post(url, {"body": f"@{reviewer.username} 看下"}, format="json")
    assert response.status_code == 201
    assert reviewer.notifications.count() == 1
    assert api.get(url).json()["count"] == 1
