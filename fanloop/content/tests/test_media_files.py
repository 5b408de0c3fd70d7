"""Media file inspection, validation and thumbnails (no database)."""

import hashlib
import io
import struct

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from fanloop.content.mediafiles import inspect_media, make_thumbnail
from fanloop.content.tests.mediasamples import (
    box,
    gif_bytes,
    jpeg_bytes,
    mp4_bytes,
    png_bytes,
    webp_bytes,
)


def error_of(data, filename):
    with pytest.raises(ValidationError) as caught:
        inspect_media(data, filename)
    messages = caught.value.message_dict["file"]
    assert len(messages) == 1
    return messages[0]


class CountingReader(io.BytesIO):
    """A file object that remembers the largest single read."""

    largest_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.largest_read = max(self.largest_read, len(data))
        return data


# --- valid images ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "mime"),
    [
        (png_bytes, "a.PNG", "image/png"),
        (jpeg_bytes, "a.jpeg", "image/jpeg"),
        (gif_bytes, "a.gif", "image/gif"),
        (webp_bytes, "a.webp", "image/webp"),
    ],
)
def test_image_facts(make, name, mime):
    # given a valid image
    data = make(64, 48)
    # when inspected
    facts = inspect_media(data, name)
    # then the facts come from the content
    assert (facts.kind, facts.mime, facts.width, facts.height) == ("image", mime, 64, 48)
    assert facts.extension == name[name.rfind(".") :].lower()
    assert facts.duration_seconds is None
    assert facts.size_bytes == len(data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()


def test_jpeg_size_is_as_displayed_after_exif_rotation():
    # given a 400x200 JPEG whose EXIF says "rotate 90°"
    facts = inspect_media(jpeg_bytes(400, 200, exif_orientation=6), "a.jpg")
    # then width and height are as people see it
    assert (facts.width, facts.height) == (200, 400)


def test_file_object_input_is_left_at_the_start():
    stream = io.BytesIO(png_bytes(10, 20))
    stream.seek(5)
    facts = inspect_media(stream, "a.png")
    assert (facts.width, facts.height) == (10, 20)
    assert stream.tell() == 0
    assert not stream.closed


# --- valid videos ------------------------------------------------------------------------


def test_mp4_version_0_facts():
    data = mp4_bytes(1920, 1080, 12.5)
    facts = inspect_media(data, "clip.mp4")
    assert (facts.kind, facts.mime) == ("video", "video/mp4")
    assert (facts.width, facts.height, facts.duration_seconds) == (1920, 1080, 12.5)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()


def test_mp4_version_1_mvhd_and_tkhd():
    facts = inspect_media(mp4_bytes(1080, 1920, 4000.25, version=1), "clip.mp4")
    assert (facts.width, facts.height, facts.duration_seconds) == (1080, 1920, 4000.25)


def test_moov_after_mdat_with_64_bit_box_size():
    facts = inspect_media(
        mp4_bytes(720, 1280, 3, moov_at_end=True, mdat_header="large"), "clip.mp4"
    )
    assert (facts.width, facts.height, facts.duration_seconds) == (720, 1280, 3)


def test_mdat_with_size_zero_runs_to_end_of_file():
    facts = inspect_media(mp4_bytes(640, 360, 2, mdat_header="to_end"), "clip.mp4")
    assert (facts.width, facts.height) == (640, 360)


def test_video_track_is_found_by_handler_not_position():
    # given an audio track before the video track
    facts = inspect_media(mp4_bytes(1280, 720, 5, audio_track_first=True), "clip.mp4")
    assert (facts.width, facts.height) == (1280, 720)


def test_rotated_track_reports_displayed_size():
    facts = inspect_media(mp4_bytes(1920, 1080, 5, rotate_90=True), "clip.mp4")
    assert (facts.width, facts.height) == (1080, 1920)


def test_quicktime_and_m4v_brands():
    assert inspect_media(mp4_bytes(10, 10, 1, brand=b"qt  "), "a.mov").mime == "video/quicktime"
    assert inspect_media(mp4_bytes(10, 10, 1, brand=b"M4V "), "a.m4v").mime == "video/x-m4v"
    # the three extensions share one container, so a QuickTime file named .mp4 is fine
    assert inspect_media(mp4_bytes(10, 10, 1, brand=b"qt  "), "a.mp4").extension == ".mp4"


def test_large_mdat_in_a_file_object_is_seeked_over_not_read():
    # given a 5 MiB mdat before the moov, in a file object
    payload = b"\x00" * (5 * 1024 * 1024)
    stream = CountingReader(mp4_bytes(1920, 1080, 60, moov_at_end=True, mdat_payload=payload))
    # when inspected
    facts = inspect_media(stream, "big.mp4")
    # then the facts are right and no read was larger than the 1 MiB hashing chunk
    assert facts.duration_seconds == 60
    assert stream.largest_read <= 1024 * 1024


# --- bad files -----------------------------------------------------------------------------


def test_empty_file():
    assert error_of(b"", "a.jpg") == "The file “a.jpg” is empty."


def test_pdf_renamed_to_jpg():
    message = error_of(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "photo.jpg")
    assert "photo.jpg" in message
    assert "PDF document" in message


def test_text_renamed_to_jpg():
    message = error_of("just some text 你好".encode(), "photo.jpg")
    assert "looks like text" in message


def test_extension_not_accepted():
    message = error_of(png_bytes(5, 5), "tool.exe")
    assert "“.exe”" in message


def test_png_named_mp4_names_both_types():
    message = error_of(png_bytes(5, 5), "clip.mp4")
    assert ".mp4" in message
    assert "PNG image" in message
    assert ".png" in message


def test_mp4_named_jpg_names_both_types():
    message = error_of(mp4_bytes(10, 10, 1), "photo.jpg")
    assert ".jpg" in message
    assert "MP4 video" in message


def test_truncated_png():
    data = png_bytes(200, 200)
    message = error_of(data[: len(data) // 2], "a.png")
    assert "truncated or corrupt" in message


def test_truncated_jpeg():
    data = jpeg_bytes(400, 400)
    message = error_of(data[: len(data) // 2], "a.jpg")
    assert "truncated or corrupt" in message


def test_corrupt_image_header():
    data = bytearray(png_bytes(50, 50))
    data[16:24] = b"\xff" * 8  # width/height in IHDR, with the CRC now wrong
    assert "truncated or corrupt" in error_of(bytes(data), "a.png")


def test_mp4_without_moov():
    message = error_of(mp4_bytes(10, 10, 1, with_moov=False), "clip.mp4")
    assert "moov" in message
    assert "clip.mp4" in message


def test_mp4_truncated_box():
    data = mp4_bytes(10, 10, 1, moov_at_end=True)
    assert "truncated or corrupt" in error_of(data[:-20], "clip.mp4")


def test_mp4_without_video_track():
    message = error_of(mp4_bytes(0, 0, 1, with_video=False, audio_track_first=True), "a.mp4")
    assert "no video track" in message


def test_box_size_smaller_than_its_header_is_corrupt():
    data = box(b"ftyp", b"isom\x00\x00\x02\x00") + struct.pack(">I4s", 4, b"free")
    assert "truncated or corrupt" in error_of(data, "a.mp4")


def test_image_too_large_in_bytes(settings):
    settings.FANLOOP_MEDIA_MAX_IMAGE_BYTES = 100
    data = png_bytes(100, 100)
    message = error_of(data, "a.png")
    assert "a.png" in message
    assert "image files may be at most" in message


def test_video_too_large_in_bytes(settings):
    settings.FANLOOP_MEDIA_MAX_VIDEO_BYTES = 200
    message = error_of(mp4_bytes(10, 10, 1), "a.mp4")
    assert "video files may be at most" in message


def test_too_many_pixels(settings):
    settings.FANLOOP_MEDIA_MAX_PIXELS = 1_000_000
    message = error_of(png_bytes(1001, 1000), "big.png")
    assert "1001×1000" in message
    assert "at most 1 megapixels" in message
    # exactly at the limit is fine
    assert inspect_media(png_bytes(1000, 1000), "ok.png").width == 1000


def test_pillow_decompression_bomb_is_a_clear_error(settings, monkeypatch):
    # given Pillow's own bomb guard is stricter than ours
    settings.FANLOOP_MEDIA_MAX_PIXELS = 10**12
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    message = error_of(png_bytes(30, 30), "bomb.png")
    assert "too many pixels" in message


# --- thumbnails ----------------------------------------------------------------------------


def test_thumbnail_is_rgb_jpeg_within_size_and_exif_rotated():
    data = jpeg_bytes(800, 400, exif_orientation=6)
    thumb = make_thumbnail(data, inspect_media(data, "a.jpg"))
    image = Image.open(io.BytesIO(thumb))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.size == (160, 320)


def test_thumbnail_of_transparent_png_and_custom_size():
    data = png_bytes(100, 50, alpha=True)
    thumb = make_thumbnail(io.BytesIO(data), inspect_media(data, "a.png"), size=40)
    image = Image.open(io.BytesIO(thumb))
    assert (image.mode, image.size) == ("RGB", (40, 20))


def test_thumbnail_of_gif_and_webp():
    for make, name in ((gif_bytes, "a.gif"), (webp_bytes, "a.webp")):
        data = make(640, 480)
        image = Image.open(io.BytesIO(make_thumbnail(data, inspect_media(data, name))))
        assert image.size == (320, 240)


def test_no_thumbnail_for_videos():
    data = mp4_bytes(10, 10, 1)
    assert make_thumbnail(data, inspect_media(data, "a.mp4")) is None
