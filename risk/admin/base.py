"""Shared pieces of the risk admin: branch scope and actions that ask for a reason first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.selectors import customer_qs_browsable, staff_is_bank_wide
from core.errors import DomainError
from core.validators import reject_card_numbers


def scope(request: HttpRequest, qs: QuerySet[Any], path: str = "customer") -> QuerySet[Any]:
    """Bank-wide roles see everything; branch staff the customers they browse (their branch tree
    plus whom their exact searches just found)."""
    if staff_is_bank_wide(request.user):
        return qs
    return qs.filter(**{f"{path}__in": customer_qs_browsable(request).values("pk")})


class ReasonForm(forms.Form):
    text = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), min_length=5, validators=[reject_card_numbers]
    )


def form_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    title: Any,
    form_class: type[forms.Form],
    apply: Callable[[Any, dict[str, Any]], Any],
) -> HttpResponse | None:
    """An admin action that first asks for a reason (or any small form), then applies ``apply``
    to each selected row through its service; refusals are shown per row, nothing else changes."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    apply(obj, form.cleaned_data)
                    done += 1
                except DomainError as error:
                    modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
            if done:
                modeladmin.message_user(
                    request, ngettext("%(n)d item done.", "%(n)d items done.", done) % {"n": done}, messages.SUCCESS
                )
            return None
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/risk/action_form.html", context)


def each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], apply: Callable[[Any], Any]
) -> None:
    """An action without a form: ``apply`` per row, refusals shown per row."""
    done = 0
    for obj in queryset:
        try:
            apply(obj)
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
    if done:
        modeladmin.message_user(
            request, ngettext("%(n)d item done.", "%(n)d items done.", done) % {"n": done}, messages.SUCCESS
        )
