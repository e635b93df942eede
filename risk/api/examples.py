"""Request and response examples of the risk API (``core.api_docs``): a customer in Shanghai whose
transfer of 5,800.00 CNY was held for review, messages in Chinese (the request's language)."""

from __future__ import annotations

from typing import Any

CHALLENGE_ID = "5d2f8c1a-7e3b-4a90-b6d4-2c8e1f0a9b37"
NOTICE_HELD = "a41c7e92-3b5d-4f18-8e6a-0d9c2b7f5e13"
NOTICE_STEP_UP = "e08b3d5f-6a2c-4e71-9f4b-7c1d0a8e3b26"
REVIEW_ID = "7b9e2a4d-1c6f-4d83-a5e0-3f8b6c2d9e41"
CURSOR = "eyJrIjpbIjIwMjYtMDQtMDFUMDY6MTI6NDcuMzE4NTA2KzAwOjAwIiwxMjc0MV0sInIiOjB9"


def _page(path: str, *items: Any, following: str | None = None) -> dict[str, Any]:
    return {
        "results": list(items),
        "next_cursor": following,
        "previous_cursor": None,
        "next": f"https://wallet.example.cn/api/v1/risk/{path}?cursor={following}" if following else None,
        "previous": None,
    }


CONFIRM = {"otp_code": "482913"}

CHALLENGE = {
    "challenge_id": CHALLENGE_ID,
    "confirmed": True,
    "amount": {"amount": "5800.00", "currency": "CNY"},
    "expires_at": "2026-04-02T03:31:07.482913Z",
}

NOTICE = {
    "id": NOTICE_HELD,
    "kind": "PAYMENT_HELD",
    "message": (
        "一笔 5800.00 CNY 的款项正在由反欺诈团队审查，已暂扣。审查结束前资金保留在账户的冻结余额中。"
        "您可以申请人工复核这一决定。"
    ),
    "created_at": "2026-04-02T03:21:07.482913Z",
}
NOTICES_PAGE = _page(
    "notices",
    NOTICE,
    {
        "id": NOTICE_STEP_UP,
        "kind": "STEP_UP",
        "message": "我们发现异常活动：您的下一笔付款需要输入发送到您手机的验证码。",
        "created_at": "2026-04-01T06:12:47.318506Z",
    },
    following=CURSOR,
)

REVIEW_REQUEST = {"notice_id": NOTICE_HELD, "message": "这笔转账是我本人付给房东的房租，请尽快放行。"}

REVIEW = {
    "id": REVIEW_ID,
    "notice_id": NOTICE_HELD,
    "message": "这笔转账是我本人付给房东的房租，请尽快放行。",
    "status": "OPEN",
    "answer": "",
    "created_at": "2026-04-02T03:40:12.905117Z",
    "answered_at": None,
}
REVIEWS_PAGE = _page(
    "reviews",
    {
        **REVIEW,
        "status": "ANSWERED",
        "answer": "已核实为您本人操作，款项已放行，感谢您的耐心。",
        "answered_at": "2026-04-02T05:02:33.140286Z",
    },
)
