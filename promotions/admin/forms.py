"""Forms of the campaign admin: the draft (amounts in yuan, rules as JSON checked against their
schemas on the page), the reason and the schedule of a transition, the segment preview."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.money import Money, MoneyError
from core.validators import reject_card_numbers
from promotions.models import Campaign
from promotions.rules import SEGMENT_SCHEMA, campaign_currency
from promotions.services.campaigns import EDITABLE_FIELDS, campaign_validate

__all__ = ["CampaignForm", "ReasonForm", "ScheduleForm", "SegmentPreviewForm"]

_JSON_WIDGET = forms.Textarea(attrs={"rows": 4, "cols": 80, "spellcheck": "false", "class": "vLargeTextField"})
_HELP = {
    "conditions": _('e.g. {"min_amount": "20.00", "payment_types": ["MERCHANT"], "mcc_categories": ["DINING"]}'),
    "benefit": _(
        'Cashback: {"percent": "10", "cap": "5.00", "release_after_days": 7}. Coupon offered for points too: '
        '{"discount": "5.00", "min_amount": "30.00", "points_exchange": {"points": 800, "stock": 5000, '
        '"per_person": 2, "coupon_valid_days": 30}} (optional "from"/"until", e.g. "2026-05-01T00:00:00+08:00")'
    ),
    "window": _('Optional: {"weekdays": [1, 2, 3, 4, 5], "hours": {"from": "11:00", "to": "14:00"}} (Asia/Shanghai)'),
    "segment": _(
        'Optional: {"age_bands": ["post-90", "post-95"], "kyc_tiers": [1, 2], "activity": "ACTIVE", "card_linked": true}'
    ),
}


def _error_lines(error: DomainError) -> list[str]:
    errors = error.details.get("errors") if isinstance(error.details, dict) else None
    if errors:
        return [f"{e['field']}: {e['error']}" for e in errors]
    if isinstance(error.details, dict) and error.details:
        return [f"{error.message} ({json.dumps(error.details, ensure_ascii=False, default=str)})"]
    return [error.message]


class CampaignForm(forms.ModelForm):
    """The draft. The budget is entered in yuan (points for a points campaign); the four rule
    documents are JSON validated against their schemas before anything is saved."""

    budget = forms.DecimalField(
        label=_("Budget"),
        max_digits=15,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("In yuan (e.g. 10000.00); a points campaign's budget is in points."),
    )

    class Meta:
        model = Campaign
        fields = [f for f in EDITABLE_FIELDS if f != "budget_minor"]
        widgets = dict.fromkeys(("conditions", "benefit", "window", "segment"), _JSON_WIDGET)
        help_texts = _HELP

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("description_zh", "description_en"):
            if name in self.fields:
                self.fields[name].validators.append(reject_card_numbers)
        for name in ("conditions", "window", "segment"):
            if name in self.fields:
                self.fields[name].required = False
        if self.instance.pk and "budget" in self.fields:
            exponent = 0 if self.instance.currency == "PTS" else 2
            self.fields["budget"].initial = Decimal(self.instance.budget_minor).scaleb(-exponent)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("conditions", "window", "segment"):
            if name in self.fields and data.get(name) is None:
                data[name] = {}
        kind, budget = data.get("kind"), data.get("budget")
        if kind and budget is not None:
            try:
                data["budget_minor"] = Money.parse(format(budget.normalize(), "f"), campaign_currency(kind)).minor
            except MoneyError as error:
                self.add_error("budget", str(error))
        if self.errors:
            return data
        trial = Campaign(
            **{f: data.get(f, getattr(self.instance, f, None)) for f in EDITABLE_FIELDS if f != "merchant"}
        )
        trial.merchant = data.get("merchant")
        try:
            campaign_validate(trial)
        except DomainError as error:
            for line in _error_lines(error):
                self.add_error(None, line)
        return data

    def service_data(self) -> dict[str, Any]:
        """What the services take: ``EDITABLE_FIELDS`` from the cleaned form."""
        return {f: self.cleaned_data[f] for f in EDITABLE_FIELDS if f in self.cleaned_data}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=2,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_card_numbers],
    )


class ScheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), help_text=_("Asia/Shanghai time, e.g. 2026-05-01 00:00"))
    ends_at = forms.DateTimeField(label=_("Ends at"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["starts_at"] >= data["ends_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class SegmentPreviewForm(forms.Form):
    segment = forms.JSONField(
        label=_("Segment"),
        widget=_JSON_WIDGET,
        help_text=_HELP["segment"],
        initial=dict,
        required=False,  # {} (everyone marketing may reach) is a segment too
    )
    holdout_bps = forms.IntegerField(label=_("Holdout (basis points)"), min_value=0, max_value=5000, initial=1000)

    schema = json.dumps(SEGMENT_SCHEMA, indent=1)
