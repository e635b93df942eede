"""The audit log in the admin: read-only, for auditors (and superusers) only, exportable as CSV.

The table is append-only in the database; here nothing can be added, changed or deleted either.
An export is itself audited (``core.auditevent.export``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.models import AuditEvent

AUDITOR_GROUP = "AUDITOR"  # the role name (accounts.StaffRole.AUDITOR); core imports no domain app
CSV_COLUMNS = (
    "occurred_at",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "reason",
    "changes",
    "ip_address",
    "request_id",
)


def is_auditor(user: Any) -> bool:
    if not getattr(user, "is_active", False) or not getattr(user, "is_staff", False):
        return False
    return bool(user.is_superuser or user.groups.filter(name=AUDITOR_GROUP).exists())


def _csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell never starts with = + - @ or a control."""
    text = "" if value is None else str(value)
    if text and text[0] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_rows(queryset: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)  # BOM: Excel opens UTF-8 (Chinese) correctly
    for event in queryset.order_by("occurred_at", "id").iterator(chunk_size=2000):
        row = []
        for column in CSV_COLUMNS:
            value = getattr(event, column)
            if column == "occurred_at":
                value = timezone.localtime(value).isoformat()
            elif column == "changes":
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            row.append(_csv_safe(value))
        yield writer.writerow(row)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "short_reason",
        "ip_address",
    )
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter), "occurred_at", "object_type")
    search_fields = ("action", "actor_label", "object_id", "request_id")
    date_hierarchy = "occurred_at"
    list_per_page = 100
    show_full_result_count = False
    actions = ["export_csv"]
    readonly_fields = (
        "occurred_at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "reason",
        "changes",
        "ip_address",
        "request_id",
    )
    fields = readonly_fields

    @admin.display(description=_("reason"))
    def short_reason(self, obj: AuditEvent) -> str:
        return obj.reason[:60] + ("…" if len(obj.reason) > 60 else "")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_auditor(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_auditor(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_export_permission(self, request: HttpRequest) -> bool:
        return is_auditor(request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self) -> list[Any]:
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="core_auditevent_export"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """CSV of every event matching the changelist's current filters (same query string)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self.export_csv(request, changelist.get_queryset(request))

    @admin.action(
        description=_("Export selected audit events as CSV (tick “select all” for every match)"), permissions=["export"]
    )
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> StreamingHttpResponse:
        count = queryset.count()
        audit_record(
            action="core.auditevent.export",
            actor=request.user,
            request=request,
            changes={"rows": count, "filters": dict(request.GET.items())},
        )
        response = StreamingHttpResponse(audit_csv_rows(queryset), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response
