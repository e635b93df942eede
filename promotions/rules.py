"""Campaign rules: declared JSON Schemas, parsed into typed, frozen values. No free code.

Marketing writes a campaign's ``conditions``, ``benefit``, ``window`` and ``segment`` as JSON
documents. Each is validated against a JSON Schema (Draft 2020-12, ``additionalProperties: false``
everywhere, amounts as decimal strings, never numbers) and then parsed into the dataclasses below,
which are all the reward code ever reads. A document that does not fit its schema is refused with
``RulesInvalid`` (400) naming every offending field; nothing is evaluated from raw JSON.

Money in a benefit is in the campaign's currency (``CNY``; ``PTS`` for points campaigns, scale 0).
Percentages are decimal strings with at most two decimals (``"5.5"`` = 5.5 %); every computation
rounds DOWN in one helper (``percent_of``), so the bank never pays a fraction it did not promise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_DOWN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator

from core.errors import DomainError
from core.money import Money

__all__ = [
    "AGE_BANDS",
    "BENEFIT_SCHEMAS",
    "CAMPAIGN_TZ",
    "CONDITION_SCHEMAS",
    "DEFERRED_KINDS",
    "INSTANT_KINDS",
    "SEGMENT_SCHEMA",
    "SUPPORTED_KINDS",
    "WINDOW_SCHEMA",
    "CashbackBenefit",
    "Conditions",
    "FixedDiscountBenefit",
    "LotteryBenefit",
    "MilestoneBenefit",
    "PercentBenefit",
    "PointsBenefit",
    "PointsExchange",
    "ReferralBenefit",
    "Rules",
    "RulesInvalid",
    "Segment",
    "ThresholdBenefit",
    "Window",
    "campaign_currency",
    "percent_of",
    "rules_parse",
]

CAMPAIGN_TZ = ZoneInfo("Asia/Shanghai")

# The reward kinds (issue 12). The values are ``promotions.models.RewardKind``'s.
FIRST_ORDER, CASHBACK, REFERRAL, COUPON, POINTS = "FIRST_ORDER", "CASHBACK", "REFERRAL", "COUPON", "POINTS"
TOPUP_REBATE, SPEND_THRESHOLD, CO_FUNDED = "TOPUP_REBATE", "SPEND_THRESHOLD", "CO_FUNDED"
LIMITED_TIME, CUMULATIVE_SPEND, LOTTERY = "LIMITED_TIME", "CUMULATIVE_SPEND", "LOTTERY"

# Granted after the event by outbox consumers (promotions.services.rewards).
DEFERRED_KINDS = frozenset({CASHBACK, POINTS, TOPUP_REBATE, CUMULATIVE_SPEND})
# Granted by their own consumers and jobs (promotions.services.referrals / lottery) through the
# same grant machinery (``rewards.grant_decide``).
SOCIAL_KINDS = frozenset({REFERRAL, LOTTERY})
# Applied inside the payment through the quote hook (wired by the payments lead; rules and
# exposure are designed and approved here).
INSTANT_KINDS = frozenset({FIRST_ORDER, COUPON, SPEND_THRESHOLD, CO_FUNDED, LIMITED_TIME})
SUPPORTED_KINDS = DEFERRED_KINDS | INSTANT_KINDS | SOCIAL_KINDS

# Marketing's generations, as accounts.selectors.customer_age_band labels them: [from, to) years.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "post-70": (1970, 1980),
    "post-80": (1980, 1990),
    "post-90": (1990, 1995),
    "post-95": (1995, 2000),
    "post-00": (2000, 2100),
}
MCC_CATEGORY_NAMES = [
    "GROCERIES",
    "DINING",
    "TRANSPORT",
    "SHOPPING",
    "HEALTH",
    "ENTERTAINMENT",
    "EDUCATION",
    "TRAVEL",
    "OTHER",
]

# --- schemas ----------------------------------------------------------------------------------
_MONEY = {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$", "description": "decimal string"}
_POINTS = {"type": "integer", "minimum": 1, "maximum": 10_000_000}
_PERCENT = {
    "type": "string",
    "pattern": r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$",
    "description": "percent, 0-100, up to two decimals",
}
_DAYS = {"type": "integer", "minimum": 0, "maximum": 365}
_HHMM = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"}
_DATETIME = {
    "type": "string",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})$",
    "description": "ISO 8601 date and time with its UTC offset",
}


def _array(items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": items, "uniqueItems": True, "minItems": 1, "maxItems": 500, **extra}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": properties, "required": required or []}


_PAYMENT_CONDITIONS = _object(
    {
        "min_amount": _MONEY,
        "payment_types": _array({"enum": ["MERCHANT", "BILL"]}),
        "mcc_categories": _array({"enum": MCC_CATEGORY_NAMES}),
        "mccs": _array({"type": "string", "pattern": r"^[0-9]{4}$"}),
        "merchants": _array(
            {"type": "string", "pattern": r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
        ),
    }
)
_TOPUP_CONDITIONS = _object({"min_amount": _MONEY})

CONDITION_SCHEMAS: dict[str, dict[str, Any]] = dict.fromkeys(
    (FIRST_ORDER, CASHBACK, COUPON, POINTS, SPEND_THRESHOLD, CO_FUNDED, LIMITED_TIME, CUMULATIVE_SPEND),
    _PAYMENT_CONDITIONS,
)
CONDITION_SCHEMAS[TOPUP_REBATE] = _TOPUP_CONDITIONS
# Referral: the referee's qualifying payment; lottery: a payment that earns an entry.
CONDITION_SCHEMAS[REFERRAL] = _PAYMENT_CONDITIONS
CONDITION_SCHEMAS[LOTTERY] = _PAYMENT_CONDITIONS

_FIXED_DISCOUNT = _object({"discount": _MONEY}, ["discount"])
BENEFIT_SCHEMAS: dict[str, dict[str, Any]] = {
    CASHBACK: _object({"percent": _PERCENT, "cap": _MONEY, "release_after_days": _DAYS}, ["percent", "cap"]),
    TOPUP_REBATE: _object({"percent": _PERCENT, "cap": _MONEY, "release_after_days": _DAYS}, ["percent", "cap"]),
    POINTS: _object(
        {
            "points_per_yuan": {"type": "integer", "minimum": 1, "maximum": 100},
            "multipliers": {
                "type": "array",
                "maxItems": 20,
                "items": _object(
                    {
                        "mcc_categories": _array({"enum": MCC_CATEGORY_NAMES}),
                        "factor": {"type": "integer", "minimum": 2, "maximum": 10},
                    },
                    ["mcc_categories", "factor"],
                ),
            },
            "max_points": _POINTS,
            "expire_after_days": {"type": "integer", "minimum": 1, "maximum": 1095},
        },
        ["points_per_yuan", "max_points", "expire_after_days"],
    ),
    CUMULATIVE_SPEND: _object(
        {
            "period": {"enum": ["CAMPAIGN", "MONTH"]},
            "milestones": {
                "type": "array",
                "minItems": 1,
                "maxItems": 10,
                "items": _object({"spend": _MONEY, "reward": _MONEY}, ["spend", "reward"]),
            },
        },
        ["period", "milestones"],
    ),
    FIRST_ORDER: _FIXED_DISCOUNT,
    LIMITED_TIME: _FIXED_DISCOUNT,
    COUPON: _object(
        {
            "discount": _MONEY,
            "min_amount": _MONEY,
            # Coupons offered for points (docs/promotions.md "Coupons for points"): the price in points,
            # the coupons sold for points in total (stock) and per customer, when the offer is open
            # (ISO 8601 with an offset, inside the campaign's validity; default: the whole schedule)
            # and how long a coupon bought keeps (default: until the campaign ends).
            "points_exchange": _object(
                {
                    "points": _POINTS,
                    "stock": {"type": "integer", "minimum": 1, "maximum": 10_000_000},
                    "per_person": {"type": "integer", "minimum": 1, "maximum": 1000},
                    "from": _DATETIME,
                    "until": _DATETIME,
                    "coupon_valid_days": {"type": "integer", "minimum": 1, "maximum": 365},
                },
                ["points", "stock"],
            ),
        },
        ["discount"],
    ),
    SPEND_THRESHOLD: _object(
        {
            "tiers": {
                "type": "array",
                "minItems": 1,
                "maxItems": 10,
                "items": _object({"threshold": _MONEY, "discount": _MONEY}, ["threshold", "discount"]),
            }
        },
        ["tiers"],
    ),
    CO_FUNDED: _object({"percent": _PERCENT, "cap": _MONEY}, ["percent", "cap"]),
    REFERRAL: _object(
        {"referrer_reward": _MONEY, "referee_reward": _MONEY, "cooling_off_days": _DAYS},
        ["referrer_reward", "referee_reward", "cooling_off_days"],
    ),
    LOTTERY: _object(
        {
            "prizes": {
                "type": "array",
                "minItems": 1,
                "maxItems": 20,
                "items": _object(
                    {"amount": _MONEY, "count": {"type": "integer", "minimum": 1, "maximum": 100_000}},
                    ["amount", "count"],
                ),
            },
            "draw_after_minutes": {"type": "integer", "minimum": 0, "maximum": 10_080},
        },
        ["prizes"],
    ),
}

WINDOW_SCHEMA: dict[str, Any] = _object(
    {
        "weekdays": _array({"type": "integer", "minimum": 1, "maximum": 7}, maxItems=7),
        "hours": _object({"from": _HHMM, "to": _HHMM}, ["from", "to"]),
    }
)

SEGMENT_SCHEMA: dict[str, Any] = _object(
    {
        "age_bands": _array({"enum": list(AGE_BANDS)}),
        "customer_types": _array({"enum": ["INDIVIDUAL", "SMALL_BUSINESS"]}),
        "tenure": {"enum": ["NEW", "EXISTING"]},
        "new_within_days": {"type": "integer", "minimum": 1, "maximum": 3650},
        "home_branches": _array({"type": "string", "minLength": 1, "maxLength": 20}),
        "kyc_tiers": _array({"type": "integer", "minimum": 0, "maximum": 9}),
        "activity": {"enum": ["ACTIVE", "DORMANT"]},
        "activity_months": {"type": "integer", "minimum": 1, "maximum": 36},
        "card_linked": {"type": "boolean"},
    }
)


class RulesInvalid(DomainError):
    code = "campaign_rules_invalid"
    status_code = 400
    default_message = _("The campaign rules are invalid.")


def _validate(section: str, schema: dict[str, Any], document: Any, errors: list[dict[str, str]]) -> None:
    validator = Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path)
        errors.append({"field": f"{section}.{path}" if path else section, "error": error.message})


# --- typed values -------------------------------------------------------------------------------
def percent_of(amount: Money, percent: Decimal) -> Money:
    """``percent`` % of ``amount``, rounded DOWN to the minor unit (the one rounding helper)."""
    value = (Decimal(amount.minor) * percent / Decimal(100)).to_integral_value(rounding=ROUND_DOWN)
    return Money(int(value), amount.currency)


@dataclass(frozen=True)
class Conditions:
    min_amount: Money | None = None
    payment_types: frozenset[str] = frozenset()
    mcc_categories: frozenset[str] = frozenset()
    mccs: frozenset[str] = frozenset()
    merchants: frozenset[str] = frozenset()

    def refusal(self, *, amount: Money, payment_type: str, mcc: str, category: str, merchant: str) -> str:
        """Empty when a payment meets the conditions, else the reason code of the first miss."""
        if self.min_amount is not None and (amount.currency != self.min_amount.currency or amount < self.min_amount):
            return "below_min_amount"
        if self.payment_types and payment_type not in self.payment_types:
            return "payment_type"
        if self.mcc_categories and category not in self.mcc_categories:
            return "merchant_category"
        if self.mccs and mcc not in self.mccs:
            return "merchant_category"
        if self.merchants and merchant not in self.merchants:
            return "merchant"
        return ""


@dataclass(frozen=True)
class Window:
    """Weekdays (ISO, 1 = Monday) and daily hours in Asia/Shanghai; empty = always. Hours wrap
    midnight when ``hour_to`` < ``hour_from`` (22:00-02:00)."""

    weekdays: frozenset[int] = frozenset()
    hour_from: time | None = None
    hour_to: time | None = None

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(CAMPAIGN_TZ)
        if self.weekdays and local.isoweekday() not in self.weekdays:
            return False
        if self.hour_from is None or self.hour_to is None:
            return True
        now = local.time()
        if self.hour_from <= self.hour_to:
            return self.hour_from <= now < self.hour_to
        return now >= self.hour_from or now < self.hour_to


@dataclass(frozen=True)
class Segment:
    age_bands: frozenset[str] = frozenset()
    customer_types: frozenset[str] = frozenset()
    tenure: str = ""
    new_within_days: int = 30
    home_branches: frozenset[str] = frozenset()
    kyc_tiers: frozenset[int] = frozenset()
    activity: str = ""
    activity_months: int = 3
    card_linked: bool | None = None


@dataclass(frozen=True)
class CashbackBenefit:
    """Cashback and top-up rebate: ``percent`` of the amount, at most ``cap``, paid after ``release_after_days``."""

    percent: Decimal
    cap: Money
    release_after_days: int = 0

    def reward_for(self, amount: Money) -> Money:
        return min(percent_of(amount, self.percent), self.cap)

    @property
    def max_single(self) -> Money:
        return self.cap


@dataclass(frozen=True)
class PointsBenefit:
    points_per_yuan: int
    multipliers: tuple[tuple[frozenset[str], int], ...]
    max_points: int
    expire_after_days: int

    def points_for(self, amount: Money, category: str) -> Money:
        """Points for a CNY amount: whole yuan x ``points_per_yuan`` x the largest matching multiplier."""
        factor = max([f for categories, f in self.multipliers if category in categories], default=1)
        whole_yuan = amount.minor // 100
        return Money(min(whole_yuan * self.points_per_yuan * factor, self.max_points), "PTS")

    @property
    def max_single(self) -> Money:
        return Money(self.max_points, "PTS")


@dataclass(frozen=True)
class MilestoneBenefit:
    period: str  # CAMPAIGN or MONTH
    milestones: tuple[tuple[Money, Money], ...]  # (cumulative spend, reward), ascending spend

    @property
    def max_single(self) -> Money:
        return max(reward for _spend, reward in self.milestones)

    @property
    def per_period(self) -> Money:
        currency = self.milestones[0][1].currency
        return Money(sum(reward.minor for _spend, reward in self.milestones), currency)


@dataclass(frozen=True)
class PointsExchange:
    """A coupon campaign's offer of its coupons for points: ``points`` each, ``stock`` coupons in
    total, at most ``per_person`` per customer (None: only the campaign's own per-person limit),
    open from ``opens_at`` until ``closes_at`` (None: the campaign's schedule), each coupon usable
    for ``coupon_valid_days`` after the exchange (None: until the campaign ends)."""

    points: int
    stock: int
    per_person: int | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    coupon_valid_days: int | None = None

    def open_at(self, at: datetime) -> bool:
        return (self.opens_at is None or self.opens_at <= at) and (self.closes_at is None or at < self.closes_at)


@dataclass(frozen=True)
class FixedDiscountBenefit:
    discount: Money
    min_amount: Money | None = None
    points_exchange: PointsExchange | None = None  # COUPON only

    @property
    def max_single(self) -> Money:
        return self.discount


@dataclass(frozen=True)
class ThresholdBenefit:
    tiers: tuple[tuple[Money, Money], ...]  # (threshold, discount), ascending threshold

    @property
    def max_single(self) -> Money:
        return max(discount for _threshold, discount in self.tiers)


@dataclass(frozen=True)
class PercentBenefit:
    percent: Decimal
    cap: Money

    @property
    def max_single(self) -> Money:
        return self.cap


@dataclass(frozen=True)
class ReferralBenefit:
    """Both sides of a referral: paid (held for ``cooling_off_days``) once the referee qualifies."""

    referrer_reward: Money
    referee_reward: Money
    cooling_off_days: int

    @property
    def max_single(self) -> Money:
        return max(self.referrer_reward, self.referee_reward)


@dataclass(frozen=True)
class LotteryBenefit:
    """The prize table (cash prizes with counts, largest first; every other entry wins no prize)
    and the draw's delay after entries close (the campaign's ``ends_at``)."""

    prizes: tuple[tuple[Money, int], ...]
    draw_after_minutes: int

    @property
    def max_single(self) -> Money:
        return max(amount for amount, _count in self.prizes)

    @property
    def total(self) -> Money:
        currency = self.prizes[0][0].currency
        return Money(sum(amount.minor * count for amount, count in self.prizes), currency)

    def expanded(self) -> list[int]:
        """One amount (minor units) per prize, largest first: what the draw hands out in rank order."""
        ordered = sorted(self.prizes, key=lambda p: -p[0].minor)
        return [amount.minor for amount, count in ordered for _ in range(count)]


Benefit = (
    ReferralBenefit
    | LotteryBenefit
    | CashbackBenefit
    | PointsBenefit
    | MilestoneBenefit
    | FixedDiscountBenefit
    | ThresholdBenefit
    | PercentBenefit
)


@dataclass(frozen=True)
class Rules:
    kind: str
    currency: str
    conditions: Conditions
    benefit: Benefit
    window: Window
    segment: Segment


def campaign_currency(kind: str) -> str:
    """The currency of a campaign's budget: points campaigns pay points, every other kind CNY."""
    return "PTS" if kind == POINTS else "CNY"


def _money(value: str | None, currency: str) -> Money | None:
    return None if value is None else Money.parse(value, currency)


def _parse_benefit(kind: str, doc: Mapping[str, Any], currency: str, errors: list[dict[str, str]]) -> Benefit | None:
    if kind in (CASHBACK, TOPUP_REBATE):
        percent = Decimal(doc["percent"])
        if percent <= 0:
            errors.append({"field": "benefit.percent", "error": "must be greater than 0"})
        return CashbackBenefit(percent, Money.parse(doc["cap"], currency), int(doc.get("release_after_days", 0)))
    if kind == POINTS:
        multipliers = tuple((frozenset(m["mcc_categories"]), int(m["factor"])) for m in doc.get("multipliers", []))
        return PointsBenefit(
            int(doc["points_per_yuan"]), multipliers, int(doc["max_points"]), int(doc["expire_after_days"])
        )
    if kind == CUMULATIVE_SPEND:
        steps = tuple((Money.parse(m["spend"], "CNY"), Money.parse(m["reward"], currency)) for m in doc["milestones"])
        if [s for s, _r in steps] != sorted({s for s, _r in steps}, key=lambda m: m.minor):
            errors.append({"field": "benefit.milestones", "error": "spend must strictly increase"})
        return MilestoneBenefit(doc["period"], steps)
    if kind == SPEND_THRESHOLD:
        tiers = tuple(
            (Money.parse(t["threshold"], currency), Money.parse(t["discount"], currency)) for t in doc["tiers"]
        )
        if [t for t, _d in tiers] != sorted({t for t, _d in tiers}, key=lambda m: m.minor):
            errors.append({"field": "benefit.tiers", "error": "thresholds must strictly increase"})
        if any(discount >= threshold for threshold, discount in tiers):
            errors.append({"field": "benefit.tiers", "error": "a discount must be below its threshold"})
        return ThresholdBenefit(tiers)
    if kind == CO_FUNDED:
        return PercentBenefit(Decimal(doc["percent"]), Money.parse(doc["cap"], currency))
    if kind in (FIRST_ORDER, LIMITED_TIME, COUPON):
        exchange = _parse_exchange(doc["points_exchange"], errors) if "points_exchange" in doc else None
        return FixedDiscountBenefit(
            Money.parse(doc["discount"], currency), _money(doc.get("min_amount"), currency), exchange
        )
    if kind == REFERRAL:
        return ReferralBenefit(
            Money.parse(doc["referrer_reward"], currency),
            Money.parse(doc["referee_reward"], currency),
            int(doc["cooling_off_days"]),
        )
    if kind == LOTTERY:
        prizes = tuple((Money.parse(p["amount"], currency), int(p["count"])) for p in doc["prizes"])
        if any(amount.minor <= 0 for amount, _count in prizes):
            errors.append({"field": "benefit.prizes", "error": "a prize is a positive amount (no prize needs no row)"})
        return LotteryBenefit(prizes, int(doc.get("draw_after_minutes", 10)))
    errors.append({"field": "kind", "error": f"{kind} campaigns are not available yet"})
    return None


def _parse_exchange(doc: Mapping[str, Any], errors: list[dict[str, str]]) -> PointsExchange:
    bounds: dict[str, datetime | None] = {}
    for key in ("from", "until"):
        bounds[key] = None
        if key in doc:
            try:
                bounds[key] = datetime.fromisoformat(doc[key].replace("Z", "+00:00"))
            except ValueError:
                errors.append({"field": f"benefit.points_exchange.{key}", "error": "not a date and time"})
    opens_at, closes_at = bounds["from"], bounds["until"]
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        errors.append({"field": "benefit.points_exchange.until", "error": "must be after from"})
    per_person = doc.get("per_person")
    valid_days = doc.get("coupon_valid_days")
    return PointsExchange(
        points=int(doc["points"]),
        stock=int(doc["stock"]),
        per_person=int(per_person) if per_person is not None else None,
        opens_at=opens_at,
        closes_at=closes_at,
        coupon_valid_days=int(valid_days) if valid_days is not None else None,
    )


def _parse_window(doc: Mapping[str, Any], errors: list[dict[str, str]]) -> Window:
    hours = doc.get("hours")
    hour_from = time.fromisoformat(hours["from"]) if hours else None
    hour_to = time.fromisoformat(hours["to"]) if hours else None
    if hours and hour_from == hour_to:
        errors.append({"field": "window.hours", "error": "from and to must differ"})
    return Window(frozenset(doc.get("weekdays", [])), hour_from, hour_to)


def _parse_segment(doc: Mapping[str, Any]) -> Segment:
    card = doc.get("card_linked")
    return Segment(
        age_bands=frozenset(doc.get("age_bands", [])),
        customer_types=frozenset(doc.get("customer_types", [])),
        tenure=str(doc.get("tenure", "")),
        new_within_days=int(doc.get("new_within_days", 30)),
        home_branches=frozenset(doc.get("home_branches", [])),
        kyc_tiers=frozenset(doc.get("kyc_tiers", [])),
        activity=str(doc.get("activity", "")),
        activity_months=int(doc.get("activity_months", 3)),
        card_linked=bool(card) if card is not None else None,
    )


def segment_parse(segment: Any) -> Segment:
    """A segment document alone (the admin's size preview), validated like a campaign's."""
    errors: list[dict[str, str]] = []
    _validate("segment", SEGMENT_SCHEMA, segment, errors)
    if errors:
        raise RulesInvalid(details={"errors": errors})
    return _parse_segment(segment)


def rules_parse(*, kind: str, conditions: Any, benefit: Any, window: Any, segment: Any) -> Rules:
    """Validate the four documents of a campaign against their schemas and parse them.

    Raises ``RulesInvalid`` (400) with ``details.errors``: a list of ``{field, error}``, one per
    problem, so marketing sees every mistake at once (a number where an amount string belongs,
    an unknown key, a percent above 100, a kind without a schema)."""
    errors: list[dict[str, str]] = []
    if kind not in SUPPORTED_KINDS:
        raise RulesInvalid(details={"errors": [{"field": "kind", "error": f"{kind} campaigns are not available yet"}]})
    currency = campaign_currency(kind)
    _validate("conditions", CONDITION_SCHEMAS[kind], conditions, errors)
    _validate("benefit", BENEFIT_SCHEMAS[kind], benefit, errors)
    _validate("window", WINDOW_SCHEMA, window, errors)
    _validate("segment", SEGMENT_SCHEMA, segment, errors)
    if errors:
        raise RulesInvalid(details={"errors": errors})
    parsed_benefit = _parse_benefit(kind, benefit, currency, errors)
    parsed_window = _parse_window(window, errors)
    if parsed_benefit is not None and parsed_benefit.max_single.minor <= 0:
        errors.append({"field": "benefit", "error": "the reward must be greater than zero"})
    if errors or parsed_benefit is None:
        raise RulesInvalid(details={"errors": errors})
    return Rules(
        kind=kind,
        currency=currency,
        conditions=Conditions(
            min_amount=_money(conditions.get("min_amount"), "CNY"),
            payment_types=frozenset(conditions.get("payment_types", [])),
            mcc_categories=frozenset(conditions.get("mcc_categories", [])),
            mccs=frozenset(conditions.get("mccs", [])),
            merchants=frozenset(conditions.get("merchants", [])),
        ),
        benefit=parsed_benefit,
        window=parsed_window,
        segment=_parse_segment(segment),
    )
