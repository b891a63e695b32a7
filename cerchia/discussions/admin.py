"""Site admins' view of topics and posts: for looking and for repairs.

Writes that matter (delete, move, lock) go through the pages, whose actions record
events and keep the search index current; here counters and HTML stay read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cerchia.discussions.models import Attachment, Post, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "kind", "author", "reply_count", "last_posted_at")
    list_filter = ("kind", "is_pinned")
    search_fields = ("title",)
    raw_id_fields = ("author", "last_poster", "accepted_answer", "deleted_by", "community")
    readonly_fields = (
        "created_at",
        "last_posted_at",
        "last_post_number",
        "reply_count",
        "participant_ids",
    )
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("community", "author")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "community", "author", "created_at", "deleted_at")
    raw_id_fields = ("topic", "community", "author", "reply_to", "quoted", "deleted_by")
    readonly_fields = ("body_html", "reaction_counts", "created_at", "edited_at", "edit_count")
    search_fields = ("body",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("community", "author")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "community", "uploaded_by", "content_type", "size", "created_at")
    raw_id_fields = ("community", "uploaded_by", "post")
    readonly_fields = ("content_type", "width", "height", "size", "created_at")
