"""The document library through the API: upload, search, versions, download, refusals."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from fanloop.campaigns import services
from fanloop.campaigns.models import Document, DocumentVersion
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def ws_url(workspace, *parts) -> str:
    tail = "".join(f"{part}/" for part in parts)
    return f"/api/v1/workspaces/{workspace.pk}/{tail}"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def errors(response) -> dict:
    return response.json()["error"]["field_errors"]


@pytest.fixture
def api(api_client_for, marketer) -> APIClient:
    return api_client_for(marketer)


def post_document(api, workspace, **fields):
    response = api.post(ws_url(workspace, "documents"), fields, format="multipart")
    assert response.status_code == 201, response.json()
    return response.json()


def test_upload_list_search_version_and_download(api, workspace, campaign, media):
    # given two documents, one belonging to the campaign
    report = post_document(
        api,
        workspace,
        file=upload("竞品调研.pdf", PDF),
        doc_type="research_report",
        tags="竞品, 小红书，精华",
        campaign=campaign.pk,
    )
    assert report["title"] == "竞品调研"
    assert report["tags"] == ["小红书", "竞品", "精华"]
    assert report["campaign"] == campaign.pk
    assert report["current_version"]["number"] == 1
    assert report["current_version"]["content_type"] == "application/pdf"
    guide = post_document(
        api, workspace, file=upload("guide.md", "# 内容规范\n".encode()), title="内容规范"
    )
    assert guide["doc_type"] == "other"

    # when searching
    def titles(url, **params):
        response = api.get(url, params)
        assert response.status_code == 200, response.json()
        return {row["title"] for row in response.json()["results"]}

    library = ws_url(workspace, "documents")
    assert titles(library) == {"竞品调研", "内容规范"}
    assert titles(library, q="规范") == {"内容规范"}
    assert titles(library, tag="小红书") == {"竞品调研"}
    assert titles(library, type="research_report") == {"竞品调研"}
    assert titles(library, campaign=campaign.pk) == {"竞品调研"}
    campaign_docs = ws_url(workspace, "campaigns", campaign.pk, "documents")
    assert titles(campaign_docs) == {"竞品调研"}

    # and uploading a second version
    versions = ws_url(workspace, "documents", report["id"], "versions")
    second = api.post(
        versions,
        {"file": upload("竞品调研-v2.pdf", PDF + b"v2"), "note": "补充抖音"},
        format="multipart",
    )
    assert second.status_code == 201, second.json()
    assert second.json()["number"] == 2
    listed = api.get(versions).json()["results"]
    assert [v["number"] for v in listed] == [2, 1]
    assert api.get(ws_url(workspace, "documents", report["id"])).json()["version_count"] == 2

    # then each version downloads as an attachment with its own bytes and type
    old = api.get(listed[1]["download_url"], HTTP_ACCEPT="application/pdf")
    assert old.status_code == 200
    assert old["Content-Type"] == "application/pdf"
    assert "attachment" in old["Content-Disposition"]
    assert b"".join(old.streaming_content) == PDF
    new = api.get(listed[0]["download_url"])
    assert b"".join(new.streaming_content) == PDF + b"v2"
    md = api.get(ws_url(workspace, "documents", guide["id"], "versions", 1, "download"))
    assert md["Content-Type"] == "text/markdown"
    assert (
        api.get(ws_url(workspace, "documents", report["id"], "versions", 9, "download")).status_code
        == 404
    )
    assert len(stored_files(media)) == 3


def test_upload_under_a_campaign_url_belongs_to_that_campaign(api, workspace, campaign):
    response = api.post(
        ws_url(workspace, "campaigns", campaign.pk, "documents"),
        {"file": upload("plan.xlsx", b"PK\x03\x04" + b"0" * 50), "doc_type": "publishing_plan"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert Document.objects.get().campaign == campaign


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("virus.exe", b"MZ" + b"0" * 100, "not accepted"),
        ("report.pdf", b"MZ\x90\x00 not a pdf", "does not match"),
        ("photo.png", PDF, "does not match"),
        ("notes.txt", b"\xff\xfe\x00\x00\x81\x81\xff" * 10, "not text"),
        ("big.pdf", PDF + b"0" * 2048, "limit"),
    ],
)
def test_refused_uploads_leave_no_row_and_no_file(
    api, workspace, settings, media, name, content, expected
):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = api.post(
        ws_url(workspace, "documents"), {"file": upload(name, content)}, format="multipart"
    )
    assert response.status_code == 400
    assert expected in " ".join(errors(response)["file"])
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert stored_files(media) == []


def test_refused_new_version_keeps_the_old_one_only(api, workspace, media):
    doc = post_document(api, workspace, file=upload("a.pdf", PDF))
    response = api.post(
        ws_url(workspace, "documents", doc["id"], "versions"),
        {"file": upload("a.pdf", b"GIF89a")},
        format="multipart",
    )
    assert response.status_code == 400
    assert DocumentVersion.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_missing_file_and_bad_type_are_field_errors(api, workspace):
    no_file = api.post(ws_url(workspace, "documents"), {"title": "x"}, format="multipart")
    assert "file" in errors(no_file)
    bad_type = api.post(
        ws_url(workspace, "documents"),
        {"file": upload("a.pdf", PDF), "doc_type": "secret"},
        format="multipart",
    )
    assert "doc_type" in errors(bad_type)
    assert not Document.objects.exists()


def test_viewers_read_and_download_but_cannot_upload_or_delete(
    api, api_client_for, member_with_role, workspace, media
):
    doc = post_document(api, workspace, file=upload("a.pdf", PDF))
    viewer = api_client_for(member_with_role(Role.VIEWER))
    assert viewer.get(ws_url(workspace, "documents")).json()["count"] == 1
    download = viewer.get(doc["current_version"]["download_url"])
    assert download.status_code == 200
    refused = viewer.post(
        ws_url(workspace, "documents"), {"file": upload("b.pdf", PDF)}, format="multipart"
    )
    assert refused.status_code == 403
    assert viewer.delete(ws_url(workspace, "documents", doc["id"])).status_code == 403
    assert Document.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_delete_removes_the_document_and_its_files(
    api, workspace, media, django_capture_on_commit_callbacks
):
    doc = post_document(api, workspace, file=upload("a.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(ws_url(workspace, "documents", doc["id"])).status_code == 204
    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_other_workspaces_documents_are_invisible(api, workspace, other_workspace, media):
    zed = other_workspace.memberships.get().user
    theirs = services.upload_document(
        actor=zed, workspace=other_workspace, upload=upload("secret.pdf", PDF), doc_type="other"
    )
    doc_id = theirs.document_id
    for url in (
        ws_url(workspace, "documents", doc_id),
        ws_url(workspace, "documents", doc_id, "versions"),
        ws_url(workspace, "documents", doc_id, "versions", 1, "download"),
        ws_url(other_workspace, "documents"),
        ws_url(other_workspace, "documents", doc_id, "versions", 1, "download"),
    ):
        assert api.get(url).status_code == 404, url
    assert api.delete(ws_url(workspace, "documents", doc_id)).status_code == 404
    new_version = api.post(
        ws_url(workspace, "documents", doc_id, "versions"),
        {"file": upload("x.pdf", PDF)},
        format="multipart",
    )
    assert new_version.status_code == 404
    assert api.get(ws_url(workspace, "documents")).json()["count"] == 0
    other_campaign = services.create_campaign(
        actor=zed,
        workspace=other_workspace,
        data={"name": "B", "start_date": "2026-01-01", "end_date": "2026-01-02"},
    )
    into_theirs = api.post(
        ws_url(workspace, "documents"),
        {"file": upload("x.pdf", PDF), "campaign": other_campaign.pk},
        format="multipart",
    )
    assert into_theirs.status_code == 400
    assert "campaign" in errors(into_theirs)
    assert DocumentVersion.objects.count() == 1
