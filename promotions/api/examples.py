"""Request and response examples of the promotions API (``core.api_docs``): what a customer in
Shanghai sees on a weekday in spring, names in Chinese (the request's language)."""

from __future__ import annotations

from typing import Any

CAMPAIGN_DINING = "3c9e7a41-5b2d-4f08-9a6e-1d2c3b4a5f60"
CAMPAIGN_COUPON = "8f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
CLAIM_ID = "b7c6d5e4-f3a2-4b1c-9d0e-8f7a6b5c4d3e"
CURSOR = "eyJrIjpbMTc3NTA5OTcwMDAwMDAwMCwtMTIwMDAsMCwxNzc3NTY0ODAwMDAwMDAwLCIzYzllN2E0MS01YjJkLTRmMDgtOWE2ZS0xZDJjM2I0YTVmNjAiXSwiciI6MH0"


def _page(*items: Any, following: str | None = None) -> dict[str, Any]:
    return {
        "results": list(items),
        "next_cursor": following,
        "previous_cursor": None,
        "next": f"https://wallet.example.cn/api/v1/promotions/offers?cursor={following}" if following else None,
        "previous": None,
    }


OFFER = {
    "id": CAMPAIGN_DINING,
    "kind": "CASHBACK",
    "name": "春季餐饮返现",
    "description": "工作日午餐时段在餐饮商户扫码付款满30元，返现10%，每笔最高5元，次日到账。",
    "benefit": {"percent": "10", "cap": "5.00", "release_after_days": 1},
    "conditions": {"min_amount": "30.00", "mcc_categories": ["DINING"]},
    "window": {"weekdays": [1, 2, 3, 4, 5], "hours": {"from": "11:00", "to": "14:00"}},
    "ends_at": "2026-04-30T16:00:00.000000Z",
}
OFFERS_PAGE = _page(OFFER, following=CURSOR)

COUPON_CLAIM = {
    "id": CLAIM_ID,
    "campaign_id": CAMPAIGN_COUPON,
    "name": "满30减5商户券",
    "discount": {"amount": "5.00", "currency": "CNY"},
    "min_amount": {"amount": "30.00", "currency": "CNY"},
    "status": "AVAILABLE",
    "claimed_at": "2026-04-02T03:21:07.482913Z",
    "expires_at": "2026-04-30T16:00:00.000000Z",
}
COUPONS_PAGE = {**_page(COUPON_CLAIM), "next": None}

REDEEM = {"code": "7K3Q-M2XD-9PRT-4BWZ"}

POINTS = {
    "balance": {"amount": "1280", "currency": "PTS"},
    "expiring": [
        {"points": 300, "expires_at": "2026-05-31T16:00:00.000000Z"},
        {"points": 980, "expires_at": "2026-08-31T16:00:00.000000Z"},
    ],
    "history": [
        {
            "at": "2026-04-02T04:05:11.203114Z",
            "points": 36,
            "type": "EARNED",
            "transfer_id": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
        },
        {
            "at": "2026-03-28T09:40:52.918204Z",
            "points": -12,
            "type": "CLAWED_BACK",
            "transfer_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        },
    ],
}


# --- referral and lottery ---------------------------------------------------------------------------
REFERRAL = {
    "code": "KCMRAWRD",
    "link": "https://wallet.tongbao.example/r/KCMRAWRD",
    "invited": 3,
    "pending": 1,
    "qualified": 1,
    "refused": 1,
    "rewards_paid": {"amount": "10.00", "currency": "CNY"},
    "rewards_held": {"amount": "0.00", "currency": "CNY"},
}
REFEREES_PAGE = {
    "results": [
        {
            "referee": "李* 139****1234",
            "status": "QUALIFIED",
            "refusal_reason": "",
            "created_at": "2026-03-02T10:15:00+08:00",
            "qualified_at": "2026-03-03T12:01:00+08:00",
            "cooling_off_until": "2026-03-10T12:01:00+08:00",
        }
    ],
    "next_cursor": None,
    "previous_cursor": None,
    "next": None,
    "previous": None,
}
LOTTERY_ENTRIES_PAGE = {
    "results": [
        {
            "campaign_id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
            "name": "春季抽奖",
            "ticket": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a:payment:0b8e2f7a-9c1d-4e3f-8a2b-7c6d5e4f3a2b",
            "entered_at": "2026-03-05T12:30:00+08:00",
            "outcome": "WON",
            "prize": {"amount": "10.00", "currency": "CNY"},
            "prize_status": "PAID",
            "draw": {
                "status": "PAID",
                "seed_commitment": "9f2c6a0d5e1b4c7a8d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
                "seed": "4be1c0a79d2f3e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c",
                "drawn_at": "2026-03-31T20:10:00+08:00",
                "results_digest": "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80",
            },
        }
    ],
    "next_cursor": None,
    "previous_cursor": None,
    "next": None,
    "previous": None,
}

POINTS_REDEEM = {"points": 500, "for": "CASH", "pin": "135790"}

POINTS_REDEMPTION = {
    "id": "5d4c3b2a-1908-4f7e-8d6c-5b4a39281706",
    "for": "CASH",
    "points": 500,
    "cash": {"amount": "5.00", "currency": "CNY"},
    "points_transfer_id": "0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d",
    "cash_transfer_id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
    "points_balance": {"amount": "780", "currency": "PTS"},
    "created_at": "2026-04-03T02:11:45.100234Z",
}

POINTS_OFFER = {
    "id": CAMPAIGN_COUPON,
    "name": "满30减5商户券",
    "description": "积分兑换：在合作商户扫码付款满30元立减5元。",
    "points": 800,
    "discount": {"amount": "5.00", "currency": "CNY"},
    "min_amount": {"amount": "30.00", "currency": "CNY"},
    "stock_left": 1_204,
    "my_left": 2,
    "affordable": True,
    "closes_at": "2026-04-30T16:00:00.000000Z",
    "coupon_expires_at": "2026-04-30T16:00:00.000000Z",
}
POINTS_OFFERS_PAGE = {
    **_page(POINTS_OFFER),
    "next": None,
}
POINTS_OFFER_REDEEM = {"pin": "135790"}
POINTS_OFFER_REDEMPTION = {
    "id": "6e5d4c3b-2a19-4f8e-9d7c-6b5a4a392817",
    "offer_id": CAMPAIGN_COUPON,
    "points": 800,
    "points_transfer_id": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
    "coupon": COUPON_CLAIM,
    "points_balance": {"amount": "480", "currency": "PTS"},
    "created_at": "2026-04-02T03:21:07.482913Z",
}
