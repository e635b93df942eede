"""Reference rows of the risk app: the step-up policy row and the built-in scenarios and rules.

Created by the data migration (``risk/migrations/0002_builtin.py``) and put back by
``builtin_ensure`` after a test flush. ``seed(apps)`` takes the migration's app registry and only
creates what is missing: officers' later edits (new versions, thresholds) are never overwritten."""

from __future__ import annotations

from typing import Any

__all__ = ["RULES", "SCENARIOS", "builtin_ensure", "seed"]

_MONEY = ["transfer.completed", "payment.completed", "topup.completed", "withdrawal.completed"]
_ACCESS = ["customer.logged_in", "customer.device_added", "customer.password_reset", "customer.password_changed"]

SCENARIOS: list[dict[str, Any]] = [
    {
        "code": "payments",
        "name_en": "Money movements",
        "name_zh": "资金交易",
        "topics": _MONEY,
        "review": 50,
        "block": 100,
    },
    {
        "code": "access",
        "name_en": "Sign-in and devices",
        "name_zh": "登录与设备",
        "topics": _ACCESS,
        "review": 50,
        "block": 100,
    },
    {
        "code": "promotions",
        "name_en": "Promotion rewards",
        "name_zh": "营销奖励",
        "topics": ["promotion.reward_granted"],
        "review": 50,
        "block": 100,
    },
]

# code, scenario, names, expression, score, forced outcome, explanation (en, zh) with {feature} values.
RULES: list[dict[str, Any]] = [
    {
        "code": "velocity_count",
        "scenario": "payments",
        "name_en": "Many payments in a short time",
        "name_zh": "短时间内大量付款",
        "expression": 'kind == "PAYMENT_OUT" and (out_count_10m >= 5 or out_count_1h >= 10)',
        "score": 30,
        "explanation_en": "{out_count_10m} payments in 10 minutes, {out_count_1h} in the last hour.",
        "explanation_zh": "10分钟内付款{out_count_10m}笔，近1小时{out_count_1h}笔。",
    },
    {
        "code": "velocity_amount",
        "scenario": "payments",
        "name_en": "Large amount sent in a day",
        "name_zh": "单日付款金额大",
        "expression": 'kind == "PAYMENT_OUT" and out_amount_24h >= 20000',
        "score": 30,
        "explanation_en": "{out_amount_24h} CNY sent in the last 24 hours.",
        "explanation_zh": "近24小时付款{out_amount_24h}元。",
    },
    {
        "code": "structuring",
        "scenario": "payments",
        "name_en": "Payments just under the reporting threshold",
        "name_zh": "拆分交易规避报告",
        "expression": 'kind == "PAYMENT_OUT" and near_threshold_count_24h >= 3',
        "score": 60,
        "explanation_en": "{near_threshold_count_24h} payments just under {reporting_threshold} CNY in 24 hours.",
        "explanation_zh": "24小时内{near_threshold_count_24h}笔付款略低于{reporting_threshold}元的报告金额。",
    },
    {
        "code": "rapid_in_out",
        "scenario": "payments",
        "name_en": "Money passed straight through (mule pattern)",
        "name_zh": "资金快进快出（疑似过渡账户）",
        "expression": '(kind == "PAYMENT_OUT" or kind == "WITHDRAWAL") and in_count_24h >= 3 and in_amount_24h >= 3000'
        " and out_amount_24h + withdrawal_amount_24h >= in_amount_24h * 0.8",
        "score": 60,
        "explanation_en": "Received {in_amount_24h} CNY in {in_count_24h} payments and sent out {out_amount_24h} CNY "
        "(plus {withdrawal_amount_24h} CNY withdrawn) within 24 hours.",
        "explanation_zh": "24小时内分{in_count_24h}笔收款{in_amount_24h}元，随即转出{out_amount_24h}元"
        "（另提现{withdrawal_amount_24h}元）。",
    },
    {
        "code": "many_new_payees",
        "scenario": "payments",
        "name_en": "Many new payees",
        "name_zh": "新增收款人过多",
        "expression": 'kind == "PAYMENT_OUT" and new_payees_24h >= 5',
        "score": 40,
        "explanation_en": "{new_payees_24h} people paid for the first time in 24 hours.",
        "explanation_zh": "24小时内首次向{new_payees_24h}个收款人付款。",
    },
    {
        "code": "dormant_active",
        "scenario": "payments",
        "name_en": "Dormant account suddenly active",
        "name_zh": "休眠账户突然活跃",
        "expression": 'kind == "PAYMENT_OUT" and idle_days >= 180 and amount >= 1000',
        "score": 40,
        "explanation_en": "A payment of {amount} CNY after {idle_days} days without any activity.",
        "explanation_zh": "账户{idle_days}天无交易后付款{amount}元。",
    },
    {
        "code": "account_takeover",
        "scenario": "payments",
        "name_en": "New device, password reset, then a large transfer",
        "name_zh": "新设备登录并重置密码后大额转出",
        "expression": 'kind == "PAYMENT_OUT" and new_device_then_reset_48h and amount >= 1000',
        "score": 100,
        "explanation_en": "A new device, then a password reset, then a payment of {amount} CNY, within 48 hours.",
        "explanation_zh": "48小时内新设备登录、重置密码后付款{amount}元。",
    },
    {
        "code": "reset_on_new_device",
        "scenario": "access",
        "name_en": "Password reset on a new device",
        "name_zh": "新设备上重置密码",
        "expression": 'kind == "PASSWORD_RESET" and new_device_24h',
        "score": 0,
        "outcome": "STEP_UP",
        "explanation_en": "The password was reset within 24 hours of a new device being added.",
        "explanation_zh": "新增设备后24小时内重置了密码。",
    },
    {
        "code": "promo_device_ring",
        "scenario": "promotions",
        "name_en": "Rewards collected by accounts sharing devices",
        "name_zh": "共用设备的多个账户领取奖励",
        "expression": 'kind == "REWARD" and customers_on_device >= 2 and rewards_on_shared_devices_30d >= 3',
        "score": 60,
        "explanation_en": "{customers_on_device} other customers use the same devices; {rewards_on_shared_devices_30d} "
        "rewards went to them and this customer in 30 days.",
        "explanation_zh": "另有{customers_on_device}个客户使用相同设备，30天内共领取奖励{rewards_on_shared_devices_30d}次。",
    },
    {
        "code": "promo_identity_shared",
        "scenario": "promotions",
        "name_en": "Reward to an account whose identity another customer claimed",
        "name_zh": "身份证件被他人使用的账户领取奖励",
        "expression": 'kind == "REWARD" and identity_shared',
        "score": 50,
        "explanation_en": "Another customer claimed the same identity document.",
        "explanation_zh": "另有客户使用了相同的身份证件。",
    },
]


def seed(apps: Any) -> None:
    """Create what is missing (never changes an existing row: officers may have edited it)."""
    PrecheckPolicy = apps.get_model("risk", "PrecheckPolicy")
    RiskScenario = apps.get_model("risk", "RiskScenario")
    RiskRule = apps.get_model("risk", "RiskRule")
    RuleVersion = apps.get_model("risk", "RuleVersion")
    PrecheckPolicy.objects.get_or_create(id=1)
    scenarios = {}
    for item in SCENARIOS:
        scenarios[item["code"]], _ = RiskScenario.objects.get_or_create(
            code=item["code"],
            defaults={
                "name_en": item["name_en"],
                "name_zh": item["name_zh"],
                "topics": item["topics"],
                "review_threshold": item["review"],
                "block_threshold": item["block"],
            },
        )
    for item in RULES:
        rule, created = RiskRule.objects.get_or_create(
            code=item["code"],
            defaults={"scenario": scenarios[item["scenario"]], "name_en": item["name_en"], "name_zh": item["name_zh"]},
        )
        if created or not RuleVersion.objects.filter(rule=rule).exists():
            RuleVersion.objects.create(
                rule=rule,
                number=1,
                expression=item["expression"],
                score=item["score"],
                outcome=item.get("outcome", "ALLOW"),
                explanation_en=item["explanation_en"],
                explanation_zh=item["explanation_zh"],
                status="LIVE",
            )


def builtin_ensure() -> None:
    from django.apps import apps

    seed(apps)
