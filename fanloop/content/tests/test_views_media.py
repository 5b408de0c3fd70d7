"""The media library pages: upload (several files, per-file errors), edit, delete (refused
when in use), filters, and files served to members only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanloop.content import services
from fanloop.content.models import MediaAsset
from fanloop.content.tests.mediasamples import mp4_bytes, png_bytes
from fanloop.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def library(workspace):
    return reverse("media_library", args=[workspace.slug])


def media_url(name, asset):
    return reverse(name, args=[asset.workspace.slug, asset.pk])


@pytest.fixture
def asset(writer, workspace):
    created, _new = services.upload_media(
        actor=writer,
        workspace=workspace,
        upload=SimpleUploadedFile("cover.png", png_bytes(640, 480)),
        filename="cover.png",
        title="封面",
        tags=["春季"],
    )
    return created


def test_upload_png_and_mp4_together(client_for, writer, workspace):
    # when a writer uploads an image and a video in one go, with shared tags
    response = client_for(writer).post(
        library(workspace),
        {
            "files": [
                SimpleUploadedFile("a.png", png_bytes(800, 600), content_type="image/png"),
                SimpleUploadedFile(
                    "clip.mp4", mp4_bytes(1080, 1920, 12.5), content_type="video/mp4"
                ),
            ],
            "tags": "春季, 新品",
        },
    )

    # then both are in the library with their facts
    assert response.status_code == 302
    image = MediaAsset.objects.get(original_name="a.png")
    video = MediaAsset.objects.get(original_name="clip.mp4")
    assert (image.kind, image.width, image.height) == ("image", 800, 600)
    assert (video.kind, video.width, video.height) == ("video", 1080, 1920)
    assert video.duration_seconds == pytest.approx(12.5)
    assert image.tags == ["春季", "新品"]

    # and the grid lists them with a thumbnail link
    page = client_for(writer).get(library(workspace)).content.decode()
    assert "a.png" in page
    assert "clip.mp4" in page
    assert media_url("media_thumb", image) in page


def test_a_bad_file_is_rejected_by_name_and_the_good_one_kept(client_for, writer, workspace):
    response = client_for(writer).post(
        library(workspace),
        {
            "files": [
                SimpleUploadedFile("notes.png", b"this is not an image at all"),
                SimpleUploadedFile("ok.png", png_bytes(100, 100)),
            ]
        },
    )
    assert response.status_code == 400
    errors = response.context["upload_errors"]
    assert [row["name"] for row in errors] == ["notes.png"]
    assert errors[0]["messages"]
    assert "notes.png" in response.content.decode()
    assert list(MediaAsset.objects.values_list("original_name", flat=True)) == ["ok.png"]


def test_upload_without_files_is_an_error(client_for, writer, workspace):
    response = client_for(writer).post(library(workspace), {"title": "x"})
    assert response.status_code == 400
    assert not MediaAsset.objects.exists()


def test_viewer_cannot_upload(client_for, member_with_role, workspace):
    viewer = member_with_role(Role.VIEWER)
    response = client_for(viewer).post(
        library(workspace), {"files": [SimpleUploadedFile("a.png", png_bytes(10, 10))]}
    )
    assert response.status_code == 403
    assert not MediaAsset.objects.exists()


def test_files_are_served_to_members_only(
    client_for, writer, asset, member_with_role, other_workspace
):
    # a member (even a viewer) gets the bytes, typed and not sniffable
    viewer = member_with_role(Role.VIEWER)
    response = client_for(viewer).get(media_url("media_file", asset))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    thumb = client_for(viewer).get(media_url("media_thumb", asset))
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"

    # someone from another workspace gets 404, an anonymous visitor is sent to log in
    outsider = other_workspace.memberships.get().user
    assert client_for(outsider).get(media_url("media_file", asset)).status_code == 404
    other_slug = reverse("media_file", args=[other_workspace.slug, asset.pk])
    assert client_for(outsider).get(other_slug).status_code == 404
    from django.test import Client

    assert Client().get(media_url("media_file", asset)).status_code == 302


def test_edit_and_filter_by_tag_kind_and_text(client_for, writer, asset, workspace):
    client = client_for(writer)
    client.post(media_url("media_edit", asset), {"title": "主图", "tags": "夏季，主图"})
    asset.refresh_from_db()
    assert (asset.title, asset.tags) == ("主图", ["夏季", "主图"])

    def listed(**params):
        return "主图" in client.get(library(workspace), params).content.decode()

    assert listed(tag="夏季")
    assert not listed(tag="春季")
    assert listed(kind="image")
    assert not listed(kind="video")
    assert listed(text="cover")


def test_delete_is_refused_while_in_use(client_for, writer, asset, variant):
    services.update_variant(actor=writer, variant=variant, data={"media": [asset.pk]})
    client = client_for(writer)
    refused = client.post(media_url("media_delete", asset), follow=True)
    assert "used by content" in refused.content.decode()
    assert MediaAsset.objects.filter(pk=asset.pk).exists()

    services.update_variant(actor=writer, variant=variant, data={"media": []})
    client.post(media_url("media_delete", asset))
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()


def test_editor_media_picker_attaches_media_and_cover(client_for, writer, asset, variant):
    client = client_for(writer)
    page = client.get(
        reverse("variant_detail", args=[variant.workspace.slug, variant.item_id, variant.pk])
    ).content.decode()
    assert f'name="media_ids" value="{asset.pk}"' in page
    client.post(
        reverse("variant_save", args=[variant.workspace.slug, variant.item_id, variant.pk]),
        {
            "title": variant.title,
            "body": variant.body,
            "media_ids": [asset.pk],
            "cover": asset.pk,
            "expected_version": variant.version,
        },
    )
    variant.refresh_from_db()
    assert list(variant.media.all()) == [asset]
    assert variant.cover == asset
