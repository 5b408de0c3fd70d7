"""Build small, valid sample media files in memory for tests (any app may import these).

png_bytes(640, 480)
jpeg_bytes(1080, 1440, exif_orientation=6)
mp4_bytes(1080, 1920, 12.5, moov_at_end=True, version=1)
"""

from __future__ import annotations

import io
import struct

from PIL import Image

UNITY_MATRIX = (0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)
ROTATE_90_MATRIX = (0, 0x00010000, 0, -0x00010000, 0, 0, 0, 0, 0x40000000)


def _image(width: int, height: int, mode: str = "RGB") -> Image.Image:
    color = (200, 40, 90, 128) if mode == "RGBA" else (200, 40, 90)
    image = Image.new(mode, (width, height), color[: len(mode)])
    # a second colour so the files are not trivially uniform
    image.paste((20, 120, 220, 255)[: len(mode)], (0, 0, max(1, width // 2), max(1, height // 2)))
    return image


def png_bytes(width: int, height: int, *, alpha: bool = False) -> bytes:
    out = io.BytesIO()
    _image(width, height, "RGBA" if alpha else "RGB").save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width: int, height: int, *, exif_orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    image = _image(width, height)
    if exif_orientation is None:
        image.save(out, "JPEG", quality=90)
    else:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def gif_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    _image(width, height).convert("P").save(out, "GIF")
    return out.getvalue()


def webp_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    _image(width, height).save(out, "WEBP")
    return out.getvalue()


# --- ISO BMFF -----------------------------------------------------------------------------


def box(box_type: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), box_type) + payload


def full_box(box_type: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return box(box_type, struct.pack(">I", (version << 24) | flags) + payload)


def _matrix(values: tuple[int, ...]) -> bytes:
    return struct.pack(">9i", *values)


def _mvhd(version: int, timescale: int, duration: int) -> bytes:
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    rest = (
        struct.pack(">IH", 0x00010000, 0x0100)
        + b"\x00" * 10
        + _matrix(UNITY_MATRIX)
        + b"\x00" * 24
        + struct.pack(">I", 3)
    )
    return full_box(b"mvhd", version, 0, times + rest)


def _tkhd(
    version: int, track_id: int, duration: int, width: int, height: int, matrix: tuple[int, ...]
) -> bytes:
    if version == 1:
        times = struct.pack(">QQIIQ", 0, 0, track_id, 0, duration)
    else:
        times = struct.pack(">IIIII", 0, 0, track_id, 0, duration)
    rest = (
        b"\x00" * 8
        + struct.pack(">hhhH", 0, 0, 0, 0)
        + _matrix(matrix)
        + struct.pack(">II", width << 16, height << 16)
    )
    return full_box(b"tkhd", version, 3, times + rest)


def _trak(
    handler: bytes,
    version: int,
    track_id: int,
    timescale: int,
    duration: int,
    width: int,
    height: int,
    matrix: tuple[int, ...],
) -> bytes:
    mdhd = full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, timescale, duration, 0x55C4, 0))
    name = b"VideoHandler\x00" if handler == b"vide" else b"SoundHandler\x00"
    hdlr = full_box(b"hdlr", 0, 0, struct.pack(">I4s", 0, handler) + b"\x00" * 12 + name)
    return box(
        b"trak",
        _tkhd(version, track_id, duration, width, height, matrix) + box(b"mdia", mdhd + hdlr),
    )


def mp4_bytes(
    width: int,
    height: int,
    duration_seconds: float,
    *,
    moov_at_end: bool = False,
    version: int = 0,
    timescale: int = 1000,
    brand: bytes = b"isom",
    mdat_payload: bytes = b"\x00" * 256,
    mdat_header: str = "normal",
    with_video: bool = True,
    audio_track_first: bool = False,
    rotate_90: bool = False,
    with_moov: bool = True,
) -> bytes:
    """A minimal ISO BMFF file: ftyp, mdat and moov/mvhd/trak/tkhd/mdia/hdlr.

    ``mdat_header``: "normal" (32-bit size), "large" (size==1 plus a 64-bit size) or
    "to_end" (size==0: the box runs to the end of the file; only when it is the last box).
    """
    duration = round(duration_seconds * timescale)
    ftyp = box(b"ftyp", brand + struct.pack(">I", 0x200) + b"isomiso2mp41")
    traks = b""
    if audio_track_first:
        traks += _trak(b"soun", version, 2, 44100, duration * 44, 0, 0, UNITY_MATRIX)
    if with_video:
        matrix = ROTATE_90_MATRIX if rotate_90 else UNITY_MATRIX
        traks += _trak(b"vide", version, 1, timescale, duration, width, height, matrix)
    moov = box(b"moov", _mvhd(version, timescale, duration) + traks) if with_moov else b""
    if mdat_header == "large":
        mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + len(mdat_payload)) + mdat_payload
    elif mdat_header == "to_end":
        if moov_at_end and with_moov:
            raise ValueError("a size-0 mdat must be the last box")
        mdat = struct.pack(">I4s", 0, b"mdat") + mdat_payload
    else:
        mdat = box(b"mdat", mdat_payload)
    return ftyp + (mdat + moov if moov_at_end else moov + mdat)
