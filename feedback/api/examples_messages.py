"""Request and response examples of the inbox, articles, products and leads API (``core.api_docs``):
a customer in Shanghai, texts in Chinese (the request's language)."""

from __future__ import annotations

from typing import Any

ITEM_ID = "3f6b1d2e-8a4c-4e57-9b0d-6c2a1e7f4d93"
ARTICLE_ID = "b7e4a2c9-1d3f-4b68-8e05-9a2c6d1f3e74"
PRODUCT_ID = "c2d8e1f4-6a3b-4c97-8d10-5e7f2a9b4c61"
LEAD_ID = "9a1c3e5f-7b2d-4f86-a0c4-2e6b8d1f3a57"
CURSOR = "eyJrIjpbIjIwMjYtMDQtMDFUMDY6MTI6NDcuMzE4NTA2KzAwOjAwIiwxMjc0MV0sInIiOjB9"


def page(path: str, *items: Any, following: str | None = None) -> dict[str, Any]:
    return {
        "results": list(items),
        "next_cursor": following,
        "previous_cursor": None,
        "next": f"https://wallet.example.cn/api/v1/{path}?cursor={following}" if following else None,
        "previous": None,
    }


ARTICLE = {
    "id": ARTICLE_ID,
    "slug": "never-share-your-otp",
    "kind": "SECURITY_TIP",
    "title": "任何人索要验证码都是诈骗",
    "body": "银行工作人员、客服和警察都不会向您索要短信验证码。任何人索要验证码，请立即挂断。",
    "published_at": "2026-03-28T02:00:00.000000Z",
}
ARTICLES_PAGE = page("articles", ARTICLE)

ITEM = {
    "id": ITEM_ID,
    "kind": "SECURITY",
    "title": "警惕冒充客服的退款诈骗",
    "body": "近期有不法分子冒充电商客服，以退款为由诱导转账。通宝钱包不会要求您向任何“安全账户”转账。",
    "article_id": ARTICLE_ID,
    "delivered_at": "2026-04-01T06:12:47.318506Z",
    "read_at": None,
}
INBOX_PAGE = page("inbox", ITEM, following=CURSOR)
UNREAD = {"unread": 3}
ITEM_READ = {**ITEM, "read_at": "2026-04-01T06:20:03.114207Z"}

PRODUCT = {
    "id": PRODUCT_ID,
    "code": "DEP-3Y",
    "category": "DEPOSIT",
    "name": "三年期整存整取定期存款",
    "description": "一次存入、到期支取，利率在存入时锁定；起存金额 50 元。",
}
PRODUCTS_PAGE = page("products", PRODUCT)

LEAD_REQUEST = {"product_id": PRODUCT_ID, "kind": "INTEREST", "note": "想了解一下，工作日下午方便联系。"}
LEAD = {
    "id": LEAD_ID,
    "product_id": PRODUCT_ID,
    "product_name": "三年期整存整取定期存款",
    "kind": "INTEREST",
    "status": "NEW",
    "note": "想了解一下，工作日下午方便联系。",
    "contact_due_at": "2026-04-03T06:12:47.318506Z",
    "created_at": "2026-04-01T06:12:47.318506Z",
    "closed_at": None,
}
LEADS_PAGE = page("leads", LEAD)
LEAD_WITHDRAWN = {**LEAD, "status": "WITHDRAWN", "closed_at": "2026-04-01T07:00:00.000000Z"}
