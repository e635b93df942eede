"""A stored screenshot as an HTTP download, for the API (its owner) and the admin (staff in scope)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse

from feedback.errors_tickets import FeedbackNotFound
from feedback.services.attachments import attachment_path

__all__ = ["attachment_response"]


def attachment_response(attachment: Any) -> FileResponse:
    """The stored bytes as a download (shared with the admin): the sniffed type, never rendered inline."""
    path = attachment_path(attachment.storage_name)
    if not path.is_file():
        raise FeedbackNotFound()
    ext = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}[attachment.content_type]
    response = FileResponse(
        path.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=f"{attachment.public_id}.{ext}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
