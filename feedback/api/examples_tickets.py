"""Request and response examples of the feedback, ticket and survey API (``core.api_docs``): a
customer in Shanghai complaining about a transfer that arrived late, in Chinese."""

from __future__ import annotations

from typing import Any

FEEDBACK_ID = "3c8e1f2a-9b7d-4e50-a6c1-8d2f0b4e7a19"
TICKET_ID = "b52d9e1c-4a7f-4c03-8e6b-1f9a2d3c5e70"
TRANSFER_ID = "0f6b2c8d-3e1a-4b9c-a7d5-6e2f8a1c4b93"
ATTACHMENT_ID = "d7a4c2e9-1b3f-4e68-9c0a-5f8e2b6d1a47"
MESSAGE_ID = "61e9b3a5-8c2d-4f7e-b0a1-3d5c9e7f2b18"
INVITATION_ID = "9e2c7a1f-5d4b-4a86-b3e0-7c1f9d2a6e55"
AT = "2026-04-01T06:12:47.318506Z"
CURSOR = "eyJrIjpbIjIwMjYtMDQtMDFUMDY6MTI6NDcuMzE4NTA2KzAwOjAwIiwxMjc0MV0sInIiOjB9"


def page(path: str, *items: Any) -> dict[str, Any]:
    return {
        "results": list(items),
        "next_cursor": CURSOR,
        "previous_cursor": None,
        "next": f"https://wallet.example.cn/api/v1/{path}?cursor={CURSOR}",
        "previous": None,
    }


FEEDBACK_REQUEST = {
    "category": "COMPLAINT",
    "rating": 1,
    "text": "昨天给朋友转账，到账很慢，客服电话也打不通。",
    "transaction_id": TRANSFER_ID,
}

FEEDBACK = {
    "id": FEEDBACK_ID,
    "category": "COMPLAINT",
    "rating": 1,
    "text": "昨天给朋友转账，到账很慢，客服电话也打不通。",
    "transaction_id": TRANSFER_ID,
    "attachments": [{"id": ATTACHMENT_ID, "content_type": "image/png", "size_bytes": 48213}],
    "ticket_id": TICKET_ID,
    "created_at": AT,
}

MESSAGE = {"id": MESSAGE_ID, "author": "STAFF", "text": "您好，我们已核实这笔转账，已于今日到账。", "created_at": AT}

TICKET = {
    "id": TICKET_ID,
    "feedback_id": FEEDBACK_ID,
    "status": "WAITING_FOR_CUSTOMER",
    "priority": "HIGH",
    "due_at": "2026-04-02T06:12:47.318506Z",
    "resolved_at": None,
    "closed_at": None,
    "handling_rating": None,
    "created_at": AT,
    "messages": [
        {"id": MESSAGE_ID, "author": "CUSTOMER", "text": "昨天给朋友转账，到账很慢。", "created_at": AT},
        MESSAGE,
    ],
}

TICKET_SUMMARY = {k: v for k, v in TICKET.items() if k != "messages"}
REPLY_REQUEST = {"text": "收到了，谢谢。"}
REPLY = {"id": MESSAGE_ID, "author": "CUSTOMER", "text": "收到了，谢谢。", "created_at": AT}
RATING_REQUEST = {"rating": 5, "comment": "处理很及时。"}
RATED = {**TICKET, "status": "RESOLVED", "resolved_at": AT, "handling_rating": 5}

INVITATION = {
    "id": INVITATION_ID,
    "kind": "NPS",
    "trigger": "SIGNUP_30_DAYS",
    "min_score": 0,
    "max_score": 10,
    "created_at": AT,
    "expires_at": "2026-04-15T06:12:47.318506Z",
}
ANSWER_REQUEST = {"score": 9, "comment": "转账很方便，就是到账提醒有点慢。"}
ANSWER = {"invitation_id": INVITATION_ID, "kind": "NPS", "score": 9, "answered_at": AT}
