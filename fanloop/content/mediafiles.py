"""Facts about an uploaded media file, validation, and thumbnails.

Pure Python (no database, no models). The type is always detected from the file's content
(magic bytes), never from its name alone; the name's extension must agree with the content.

Images (JPEG, PNG, GIF, WebP) are opened with Pillow. Videos (MP4, MOV, M4V — ISO base media
file format) are parsed here: top-level boxes are walked by seeking, so a large ``mdat`` is
never read into memory; only ``ftyp`` and ``moov`` are read.

Limits come from Django settings (read at call time):

* ``FANLOOP_MEDIA_MAX_IMAGE_BYTES`` (default 20 MiB)
* ``FANLOOP_MEDIA_MAX_VIDEO_BYTES`` (default 1 GiB)
* ``FANLOOP_MEDIA_MAX_PIXELS`` (default 40 megapixels; decompression-bomb guard, checked
  from the header before any pixel is decoded)
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_VIDEO_BYTES = 1024 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
MAX_MOOV_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024

# mime -> (Pillow format, valid extensions, human name)
ALLOWED_IMAGE_TYPES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "image/jpeg": ("JPEG", (".jpg", ".jpeg"), "JPEG"),
    "image/png": ("PNG", (".png",), "PNG"),
    "image/gif": ("GIF", (".gif",), "GIF"),
    "image/webp": ("WEBP", (".webp",), "WebP"),
}
VIDEO_EXTENSIONS: tuple[str, ...] = (".mp4", ".mov", ".m4v")
# mime -> (valid extensions, human name). MP4/MOV/M4V share one container format, so any of
# the three extensions is accepted for any of them; the mime reports what the content is.
ALLOWED_VIDEO_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "video/mp4": (VIDEO_EXTENSIONS, "MP4"),
    "video/quicktime": (VIDEO_EXTENSIONS, "QuickTime (MOV)"),
    "video/x-m4v": (VIDEO_EXTENSIONS, "M4V"),
}
IMAGE_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".gif", ".webp")

_BMFF_TOP_LEVEL = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pdin", b"uuid"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}


@dataclass(frozen=True)
class MediaFacts:
    kind: str  # "image" | "video"
    mime: str
    extension: str  # the file name's extension, lower case with the dot (checked against mime)
    width: int | None  # as displayed: EXIF orientation / track rotation applied
    height: int | None
    duration_seconds: float | None
    size_bytes: int
    sha256: str


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _fail(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _stream(data: bytes | BinaryIO) -> BinaryIO:
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(data))
    data.seek(0)
    return data


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, mime) from the first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if len(head) >= 8 and head[4:8] in _BMFF_TOP_LEVEL:
        if head[4:8] == b"ftyp":
            brand = head[8:12]
            if brand in _HEIF_BRANDS:
                return None
            if brand == b"qt  ":
                return "video", "video/quicktime"
            if brand == b"M4V ":
                return "video", "video/x-m4v"
        return "video", "video/mp4"
    return None


def _describe_unknown(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return _("a PDF document")
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return _("a HEIC/AVIF image")
    if head.startswith(b"PK\x03\x04"):
        return _("a ZIP archive or Office document")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return _("an unrecognised format")
    return _("text")


def _type_name(mime: str) -> str:
    if mime in ALLOWED_IMAGE_TYPES:
        return _("a %(name)s image") % {"name": ALLOWED_IMAGE_TYPES[mime][2]}
    return _("a %(name)s video") % {"name": ALLOWED_VIDEO_TYPES[mime][1]}


def inspect_media(data: bytes | BinaryIO, filename: str) -> MediaFacts:
    """Read the facts of an uploaded file, or raise ``ValidationError({"file": [message]})``.

    ``data`` may be bytes or a seekable binary file object (it is left positioned at 0).
    """
    stream = _stream(data)
    size = _size(stream)
    if size == 0:
        raise _fail(_("The file “%(name)s” is empty.") % {"name": filename})
    head = stream.read(64)
    stream.seek(0)
    extension = os.path.splitext(filename)[1].lower()
    if extension not in IMAGE_EXTENSIONS + VIDEO_EXTENSIONS:
        raise _fail(
            _(
                "Files named “%(ext)s” are not accepted. Upload a JPEG, PNG, GIF or WebP image "
                "or an MP4/MOV video."
            )
            % {"ext": extension or filename}
        )
    sniffed = _sniff(head)
    if sniffed is None:
        raise _fail(
            _(
                "“%(name)s” is not a supported image or video: its content looks like %(what)s. "
                "Upload a JPEG, PNG, GIF or WebP image or an MP4/MOV video."
            )
            % {"name": filename, "what": _describe_unknown(head)}
        )
    kind, mime = sniffed
    valid_exts = ALLOWED_IMAGE_TYPES[mime][1] if kind == "image" else ALLOWED_VIDEO_TYPES[mime][0]
    if extension not in valid_exts:
        raise _fail(
            _(
                "“%(name)s” is named as %(ext)s but its content is %(actual)s. Rename it to "
                "%(expected)s or upload the right file."
            )
            % {
                "name": filename,
                "ext": extension,
                "actual": _type_name(mime),
                "expected": valid_exts[0],
            }
        )
    max_bytes = _limit(
        "FANLOOP_MEDIA_MAX_IMAGE_BYTES" if kind == "image" else "FANLOOP_MEDIA_MAX_VIDEO_BYTES",
        DEFAULT_MAX_IMAGE_BYTES if kind == "image" else DEFAULT_MAX_VIDEO_BYTES,
    )
    if size > max_bytes:
        if kind == "image":
            template = _("“%(name)s” is %(size)s; image files may be at most %(limit)s.")
        else:
            template = _("“%(name)s” is %(size)s; video files may be at most %(limit)s.")
        raise _fail(template % {"name": filename, "size": _mib(size), "limit": _mib(max_bytes)})
    duration: float | None = None
    if kind == "image":
        width, height = _image_size(stream, filename, mime)
    else:
        width, height, duration = _video_facts(stream, size, filename)
    return MediaFacts(
        kind=kind,
        mime=mime,
        extension=extension,
        width=width,
        height=height,
        duration_seconds=duration,
        size_bytes=size,
        sha256=_sha256(stream),
    )


# --- images -------------------------------------------------------------------------------


def _open_image(raw: bytes, filename: str, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and refuse too many pixels before anything is decoded.

    Pillow gets its own in-memory copy (images are size-capped), so it can never close or
    move the caller's file object.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _fail(_too_many_pixels(filename, None, max_pixels)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _fail(_corrupt_image(filename)) from exc
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise _fail(_too_many_pixels(filename, (width, height), max_pixels))
    return image


def _too_many_pixels(filename: str, size: tuple[int, int] | None, max_pixels: int) -> str:
    if size is None:
        return _(
            "“%(name)s” has too many pixels; images may have at most %(limit)s megapixels."
        ) % {
            "name": filename,
            "limit": f"{max_pixels / 1_000_000:g}",
        }
    return _(
        "“%(name)s” is %(width)s×%(height)s pixels (%(actual)s megapixels); images may have "
        "at most %(limit)s megapixels."
    ) % {
        "name": filename,
        "width": size[0],
        "height": size[1],
        "actual": f"{size[0] * size[1] / 1_000_000:.1f}",
        "limit": f"{max_pixels / 1_000_000:g}",
    }


def _corrupt_image(filename: str) -> str:
    return _("“%(name)s” could not be read as an image: the file is truncated or corrupt.") % {
        "name": filename
    }


def _oriented(image: Image.Image) -> tuple[int, int]:
    width, height = image.size
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block is not worth rejecting the image for
        orientation = 1
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _image_size(stream: BinaryIO, filename: str, mime: str) -> tuple[int, int]:
    max_pixels = _limit("FANLOOP_MEDIA_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    stream.seek(0)
    raw = stream.read()
    stream.seek(0)
    image = _open_image(raw, filename, max_pixels)
    try:
        if image.format != ALLOWED_IMAGE_TYPES[mime][0]:
            raise _fail(_corrupt_image(filename))
        image.verify()
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many types for broken files
        raise _fail(_corrupt_image(filename)) from exc
    finally:
        image.close()
    # verify() leaves the image unusable: re-open, read the size, decode to catch truncation.
    image = _open_image(raw, filename, max_pixels)
    try:
        displayed = _oriented(image)  # before draft(), which shrinks the reported size
        if image.format == "JPEG":
            # decode at 1/8 scale: still reads the whole stream, so truncation shows up
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
        return displayed
    except ValidationError:
        raise
    except Exception as exc:
        raise _fail(_corrupt_image(filename)) from exc
    finally:
        image.close()


def make_thumbnail(data: bytes | BinaryIO, facts: MediaFacts, *, size: int = 320) -> bytes | None:
    """A JPEG thumbnail (RGB, EXIF orientation applied, longest side ≤ ``size``) of an image.

    Returns None for videos: extracting a frame needs a video decoder (ffmpeg), which this
    deployment does not have; callers should show a placeholder or the platform's cover.
    """
    if facts.kind != "image":
        return None
    stream = _stream(data)
    raw = stream.read()
    stream.seek(0)
    max_pixels = _limit("FANLOOP_MEDIA_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    image = _open_image(raw, "thumbnail", max_pixels)
    try:
        if image.format == "JPEG":
            image.draft("RGB", (size * 2, size * 2))
        image.seek(0)
        frame = ImageOps.exif_transpose(image) or image
        if frame.mode in ("RGBA", "LA", "P", "PA"):
            rgba = frame.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            frame = background
        else:
            frame = frame.convert("RGB")
        frame.thumbnail((size, size))
        out = io.BytesIO()
        frame.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()
    except ValidationError:
        raise
    except Exception as exc:
        raise _fail(_corrupt_image("thumbnail")) from exc
    finally:
        image.close()


# --- ISO BMFF (MP4 / MOV) -----------------------------------------------------------------


def _boxes(
    stream: BinaryIO, start: int, end: int, filename: str
) -> Iterator[tuple[bytes, int, int]]:
    """Yield (type, payload_start, payload_end) for the boxes between start and end, by seeking."""
    pos = start
    while pos + 8 <= end:
        stream.seek(pos)
        header = stream.read(8)
        if len(header) < 8:
            return
        box_size, box_type = struct.unpack(">I4s", header)
        header_len = 8
        if box_size == 1:
            large = stream.read(8)
            if len(large) < 8:
                raise _fail(_truncated_video(filename))
            box_size = struct.unpack(">Q", large)[0]
            header_len = 16
        elif box_size == 0:
            box_size = end - pos
        if box_size < header_len:
            raise _fail(_truncated_video(filename))
        if pos + box_size > end:
            raise _fail(_truncated_video(filename))
        yield box_type, pos + header_len, pos + box_size
        pos += box_size


def _truncated_video(filename: str) -> str:
    return _("“%(name)s” could not be read as a video: the file is truncated or corrupt.") % {
        "name": filename
    }


def _children(buf: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Same as _boxes, over an in-memory moov."""
    pos = start
    while pos + 8 <= end:
        box_size, box_type = struct.unpack_from(">I4s", buf, pos)
        header_len = 8
        if box_size == 1:
            if pos + 16 > end:
                return
            box_size = struct.unpack_from(">Q", buf, pos + 8)[0]
            header_len = 16
        elif box_size == 0:
            box_size = end - pos
        if box_size < header_len or pos + box_size > end:
            return
        yield box_type, pos + header_len, pos + box_size
        pos += box_size


def _find(buf: bytes, start: int, end: int, box_type: bytes) -> tuple[int, int] | None:
    for kind, payload_start, payload_end in _children(buf, start, end):
        if kind == box_type:
            return payload_start, payload_end
    return None


def _parse_mvhd(buf: bytes, start: int, end: int) -> float | None:
    version = buf[start]
    if version == 1 and end - start >= 32:
        timescale, duration = struct.unpack_from(">IQ", buf, start + 20)
        unknown = 0xFFFFFFFFFFFFFFFF
    elif end - start >= 20:
        timescale, duration = struct.unpack_from(">II", buf, start + 12)
        unknown = 0xFFFFFFFF
    else:
        return None
    if timescale == 0 or duration == unknown:
        return None
    return duration / timescale


def _parse_tkhd(buf: bytes, start: int, end: int) -> tuple[int, int] | None:
    version = buf[start]
    # after version/flags: times + track id + reserved + duration, then 8 reserved,
    # layer, alternate group, volume, reserved (8 bytes), matrix (36), width, height.
    offset = start + 4 + (32 if version == 1 else 20) + 8 + 8
    if offset + 44 > end:
        return None
    matrix = struct.unpack_from(">9i", buf, offset)
    width_fixed, height_fixed = struct.unpack_from(">II", buf, offset + 36)
    width, height = width_fixed >> 16, height_fixed >> 16
    a, b, _u, c, d = matrix[:5]
    if a == 0 and d == 0 and b != 0 and c != 0:  # rotated by 90 or 270 degrees
        width, height = height, width
    return width, height


def _handler(buf: bytes, trak: tuple[int, int]) -> bytes | None:
    mdia = _find(buf, trak[0], trak[1], b"mdia")
    if mdia is None:
        return None
    hdlr = _find(buf, mdia[0], mdia[1], b"hdlr")
    if hdlr is None or hdlr[1] - hdlr[0] < 12:
        return None
    return buf[hdlr[0] + 8 : hdlr[0] + 12]


def _video_facts(stream: BinaryIO, size: int, filename: str) -> tuple[int, int, float | None]:
    moov: tuple[int, int] | None = None
    for box_type, payload_start, payload_end in _boxes(stream, 0, size, filename):
        if box_type == b"moov":
            moov = (payload_start, payload_end)
            break
    if moov is None:
        raise _fail(
            _(
                "“%(name)s” has no movie header (“moov” box), so its length and size cannot be "
                "read; the file is incomplete. Export it again from your editor."
            )
            % {"name": filename}
        )
    if moov[1] - moov[0] > MAX_MOOV_BYTES:
        raise _fail(_truncated_video(filename))
    stream.seek(moov[0])
    buf = stream.read(moov[1] - moov[0])
    stream.seek(0)
    if len(buf) != moov[1] - moov[0]:
        raise _fail(_truncated_video(filename))
    mvhd = _find(buf, 0, len(buf), b"mvhd")
    if mvhd is None:
        raise _fail(_truncated_video(filename))
    duration = _parse_mvhd(buf, *mvhd)
    for box_type, trak_start, trak_end in _children(buf, 0, len(buf)):
        if box_type != b"trak" or _handler(buf, (trak_start, trak_end)) != b"vide":
            continue
        tkhd = _find(buf, trak_start, trak_end, b"tkhd")
        dims = _parse_tkhd(buf, *tkhd) if tkhd else None
        if dims is None:
            raise _fail(_truncated_video(filename))
        return dims[0], dims[1], duration
    raise _fail(
        _("“%(name)s” contains no video track (is it an audio file?).") % {"name": filename}
    )
