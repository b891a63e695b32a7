from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cerchia.insights.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """Read-only: the event log is append-only."""

    list_display = ("created_at", "kind", "actor", "community", "subject_type", "subject_id")
    list_filter = ("kind",)
    search_fields = ("kind", "actor__handle", "community__slug")
    list_select_related = ("actor", "community")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
