"""Site admins' view of communities, memberships, requests, invitations and waitlists.

The admin is for looking and for repairs; day-to-day changes go through the
pages, whose actions record events. Counters and rendered HTML stay read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cerchia.communities.models import (
    Community,
    Invitation,
    JoinRequest,
    Membership,
    SiteSettings,
    WaitlistEntry,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "joined_at", "rules_accepted_at")
    readonly_fields = ("joined_at", "rules_accepted_at")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("user")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "visibility",
        "join_policy",
        "member_count",
        "member_cap",
        "language",
        "created_at",
    )
    list_filter = ("visibility", "join_policy", "language", "created_at")
    search_fields = ("name", "slug", "tagline")
    readonly_fields = ("member_count", "created_by", "created_at", "description_html", "rules_html")
    filter_horizontal = ("interests",)
    date_hierarchy = "created_at"
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("name", "slug", "tagline", "language", "cover")}),
        (_("Text"), {"fields": ("description", "rules", "interests")}),
        (
            _("Access"),
            {"fields": ("visibility", "join_policy", "member_cap", "screening_questions")},
        ),
        (
            _("Record"),
            {"fields": ("member_count", "created_by", "created_at")},
        ),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "role", "joined_at")
    list_filter = ("role", "joined_at")
    search_fields = ("user__handle", "user__email", "user__display_name", "community__name")
    raw_id_fields = ("user", "community")
    list_select_related = ("user", "community")
    readonly_fields = ("joined_at", "rules_accepted_at")


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "status", "created_at", "decided_at", "decided_by")
    list_filter = ("status", "created_at")
    search_fields = ("user__handle", "user__email", "community__name")
    raw_id_fields = ("user", "community", "decided_by")
    list_select_related = ("user", "community", "decided_by")
    readonly_fields = ("created_at", "decided_at", "decided_by", "answers")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "community",
        "email",
        "created_by",
        "use_count",
        "max_uses",
        "expires_at",
        "revoked_at",
        "created_at",
    )
    list_filter = ("created_at", "expires_at", "revoked_at")
    search_fields = ("community__name", "email")
    raw_id_fields = ("community", "created_by")
    list_select_related = ("community", "created_by")
    readonly_fields = ("token", "use_count", "created_at")


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "created_at")
    list_filter = ("created_at",)
    search_fields = ("user__handle", "user__email", "community__name")
    raw_id_fields = ("user", "community")
    list_select_related = ("user", "community")


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "community_creation")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row, made on first use by SiteSettings.load().
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
