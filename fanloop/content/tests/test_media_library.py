"""The media library: facts read from the file, deduplication, tags, reuse, bad files."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanloop.content import services
from fanloop.content.models import MediaAsset
from fanloop.content.tests.mediasamples import jpeg_bytes, mp4_bytes, png_bytes
from fanloop.core.models import AuditEntry
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_an_image_upload_reads_its_size_and_makes_a_thumbnail(writer, workspace, tmp_path):
    asset, created = services.upload_media(
        actor=writer,
        workspace=workspace,
        upload=BytesIO(png_bytes(1080, 1440)),
        filename="春装主图.png",
        title="主图",
        tags=["春装", "主图"],
    )
    assert created
    assert (asset.kind, asset.width, asset.height, asset.aspect_ratio) == (
        "image",
        1080,
        1440,
        "3:4",
    )
    assert asset.original_name == "春装主图.png"
    assert asset.tags == ["春装", "主图"]
    assert asset.thumbnail
    assert asset.thumbnail.size > 0
    assert AuditEntry.objects.filter(action="content.media_upload").count() == 1


def test_a_video_upload_reads_duration_and_dimensions(writer, workspace):
    asset, _ = services.upload_media(
        actor=writer,
        workspace=workspace,
        upload=BytesIO(mp4_bytes(720, 1280, 42.5, moov_at_end=True)),
        filename="clip.mp4",
    )
    assert (asset.kind, asset.width, asset.height) == ("video", 720, 1280)
    assert asset.duration_seconds == pytest.approx(42.5)
    assert not asset.thumbnail


def test_the_same_bytes_twice_are_one_asset(writer, workspace):
    data = jpeg_bytes(640, 640)
    first, created = services.upload_media(
        actor=writer, workspace=workspace, upload=BytesIO(data), filename="a.jpg"
    )
    again, created_again = services.upload_media(
        actor=writer, workspace=workspace, upload=BytesIO(data), filename="copy.jpg"
    )
    assert created
    assert not created_again
    assert first.pk == again.pk
    assert MediaAsset.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.png", "empty"),
        (b"%PDF-1.7 not an image", "fake.jpg", ""),
        (png_bytes(10, 10), "picture.mp4", ""),
        (png_bytes(10, 10)[:40], "broken.png", ""),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(
    writer, workspace, tmp_path, data, name, message
):
    with pytest.raises(ValidationError) as error:
        services.upload_media(
            actor=writer, workspace=workspace, upload=BytesIO(data), filename=name
        )
    assert "file" in error.value.message_dict
    assert message in " ".join(error.value.message_dict["file"]).lower()
    assert not MediaAsset.objects.exists()
    assert stored_files(tmp_path) == []


def test_too_large_files_are_refused(writer, workspace, settings):
    settings.FANLOOP_MEDIA_MAX_IMAGE_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        services.upload_media(
            actor=writer, workspace=workspace, upload=BytesIO(png_bytes(400, 400)), filename="a.png"
        )
    assert "file" in error.value.message_dict
    assert not MediaAsset.objects.exists()


def test_viewers_cannot_upload(member_with_role, workspace):
    with pytest.raises(PermissionDenied):
        services.upload_media(
            actor=member_with_role(Role.VIEWER),
            workspace=workspace,
            upload=BytesIO(png_bytes(10, 10)),
            filename="a.png",
        )


def test_media_in_use_cannot_be_deleted_until_removed(variant, writer, tmp_path):
    asset, _ = services.upload_media(
        actor=writer,
        workspace=variant.workspace,
        upload=BytesIO(png_bytes(800, 600)),
        filename="a.png",
    )
    services.update_variant(actor=writer, variant=variant, data={"media": [asset.pk]})
    with pytest.raises(ValidationError, match="used"):
        services.delete_media(actor=writer, asset=asset)
    services.update_variant(actor=writer, variant=variant, data={"media": []})
    services.delete_media(actor=writer, asset=asset)
    assert not MediaAsset.objects.exists()


def test_tags_and_title_are_edited_and_audited(writer, workspace):
    asset, _ = services.upload_media(
        actor=writer, workspace=workspace, upload=BytesIO(png_bytes(10, 10)), filename="a.png"
    )
    services.update_media(actor=writer, asset=asset, title="新标题", tags="春装，主图")
    asset.refresh_from_db()
    assert (asset.title, asset.tags) == ("新标题", ["春装", "主图"])
    assert AuditEntry.objects.filter(action="content.media_update").exists()


def test_the_same_file_in_two_workspaces_is_two_assets(writer, workspace, other_workspace):
    data = png_bytes(20, 20)
    services.upload_media(actor=writer, workspace=workspace, upload=BytesIO(data), filename="a.png")
    owner = other_workspace.memberships.get().user
    services.upload_media(
        actor=owner, workspace=other_workspace, upload=BytesIO(data), filename="a.png"
    )
    assert MediaAsset.objects.filter(workspace=workspace).count() == 1
    assert MediaAsset.objects.filter(workspace=other_workspace).count() == 1


def test_video_rules_use_the_files_facts(make_item, writer):
    # a 20-minute video exceeds Douyin's documented 15-minute limit
    variant = make_item(platforms=["douyin"], content_type="short_video").variants.get()
    asset, _ = services.upload_media(
        actor=writer,
        workspace=variant.workspace,
        upload=BytesIO(mp4_bytes(1080, 1920, 1200)),
        filename="long.mp4",
    )
    saved = services.update_variant(
        actor=writer, variant=variant, data={"body": "新品上市", "media": [asset.pk]}
    )
    assert any(p["code"] == "video_too_long" for p in saved.rule_problems)
