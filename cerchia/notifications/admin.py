"""Site admins' view of email deliveries: what was sent, what failed and why."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cerchia.notifications.models import EmailDelivery


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ("dedupe_key", "recipient", "kind", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "kind")
    search_fields = ("dedupe_key", "recipient__email")
    date_hierarchy = "created_at"
    readonly_fields = (
        "recipient",
        "kind",
        "notification",
        "payload",
        "dedupe_key",
        "attempts",
        "claimed_at",
        "last_error",
        "created_at",
        "sent_at",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("recipient")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
