"""Screenshots: the type is read from the bytes, never from the name or the declared type.

``attachment_sniff`` accepts PNG, JPEG and WebP only: the file's signature (magic bytes) must be
one of theirs AND Pillow must open, verify and decode it as that same format, so a renamed executable, a
polyglot with a PNG header and garbage after it, or an HTML page called ``x.png`` are refused.
python-magic / filetype are not dependencies of the project; Pillow is (QR codes), and it is the
stronger check since it parses the image. Bytes are written under a random name in
``settings.FEEDBACK_PRIVATE_DIR`` (outside the web root), never with the name the client sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from feedback.errors_tickets import AttachmentTooLarge, AttachmentTypeNotAllowed, TooManyAttachments

__all__ = [
    "SniffedImage",
    "attachment_delete",
    "attachment_path",
    "attachment_sniff",
    "attachment_write",
    "attachments_read",
]

_SIGNATURES: tuple[tuple[str, str], ...] = (("image/png", "PNG"), ("image/jpeg", "JPEG"), ("image/webp", "WEBP"))


@dataclass(frozen=True)
class SniffedImage:
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _signature(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _png_end(content: bytes) -> int | None:
    """Offset just past the IEND chunk (chunks: length, type, data, CRC)."""
    pos = 8
    while pos + 8 <= len(content):
        length = int.from_bytes(content[pos : pos + 4], "big")
        kind = content[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    return None


def _jpeg_end(content: bytes) -> int | None:
    """Offset just past the EOI marker: walks the segments and the entropy-coded scans (where only
    ``FF 00`` and the restart markers ``FF D0-D7`` may appear)."""
    pos, size = 2, len(content)
    while pos < size:
        if content[pos] != 0xFF:
            return None
        while pos < size and content[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= size:
            return None
        marker = content[pos]
        pos += 1
        if marker == 0xD9:
            return pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > size:
            return None
        pos += int.from_bytes(content[pos : pos + 2], "big")
        if marker == 0xDA:  # a scan: its data runs to the next marker that is not a stuffed byte or a restart
            while True:
                pos = content.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    return None
                following = content[pos + 1]
                if following != 0x00 and not 0xD0 <= following <= 0xD7:
                    break
                pos += 2
    return None


def _image_end(content: bytes, content_type: str) -> int | None:
    """Where the image ends by its own structure; bytes after it (an HTML page, a ZIP or an executable
    appended to a valid image: a polyglot) are refused. Decoders stop at the end and would accept them."""
    if content_type == "image/png":
        return _png_end(content)
    if content_type == "image/jpeg":
        return _jpeg_end(content)
    riff_size = int.from_bytes(content[4:8], "little")  # WebP: the RIFF container's size
    return riff_size + 8 + (riff_size & 1)


def attachment_sniff(content: bytes) -> SniffedImage:
    """The image's real type, or ``AttachmentTypeNotAllowed`` / ``AttachmentTooLarge``."""
    limit = settings.FEEDBACK_ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        raise AttachmentTooLarge(details={"max_bytes": limit, "size_bytes": len(content)})
    content_type = _signature(content[:16])
    if content_type is None:
        raise AttachmentTypeNotAllowed(details={"allowed": [t for t, _ in _SIGNATURES]})
    expected = dict(_SIGNATURES)[content_type]
    if _image_end(content, content_type) != len(content):
        raise AttachmentTypeNotAllowed(details={"allowed": [t for t, _ in _SIGNATURES]})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[expected]) as image:
                if image.width * image.height > settings.FEEDBACK_ATTACHMENT_MAX_PIXELS:
                    raise AttachmentTooLarge(details={"max_pixels": settings.FEEDBACK_ATTACHMENT_MAX_PIXELS})
                image.verify()
                if image.format != expected:
                    raise AttachmentTypeNotAllowed()
            # verify() checks the structure; decoding every pixel also refuses a truncated or corrupt
            # image body behind a valid header (a screenshot decodes in a few milliseconds).
            with Image.open(io.BytesIO(content), formats=[expected]) as image:
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise AttachmentTypeNotAllowed(details={"allowed": [t for t, _ in _SIGNATURES]}) from None
    return SniffedImage(content=content, content_type=content_type, sha256=hashlib.sha256(content).hexdigest())


def attachments_read(files: list[Any]) -> list[SniffedImage]:
    """Read and check every uploaded file before anything is stored (all are good, or none is kept)."""
    if len(files) > settings.FEEDBACK_ATTACHMENTS_PER_FEEDBACK:
        raise TooManyAttachments(details={"max": settings.FEEDBACK_ATTACHMENTS_PER_FEEDBACK})
    limit = settings.FEEDBACK_ATTACHMENT_MAX_BYTES
    sniffed = []
    for upload in files:
        if getattr(upload, "size", 0) and upload.size > limit:
            raise AttachmentTooLarge(details={"max_bytes": limit, "size_bytes": upload.size})
        content = upload.read(limit + 1)
        sniffed.append(attachment_sniff(content))
    return sniffed


def attachment_path(storage_name: str) -> Path:
    return Path(settings.FEEDBACK_PRIVATE_DIR) / storage_name[:2] / storage_name


def attachment_write(image: SniffedImage) -> str:
    """Write the bytes under a new random name (no extension, mode 0600); return the name."""
    name = uuid.uuid4().hex
    path = attachment_path(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(image.content)
    return name


def attachment_delete(storage_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        attachment_path(storage_name).unlink()
