"""Rebuild the search index from the posts, in batches (after a restore, an import or a seed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from cerchia.discussions.models import Post
from cerchia.search import backend


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the posts, in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Posts per transaction (default 1000)."
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Empty the index first (faster on a large fresh fill; searches find nothing "
            "until the rebuild is done).",
        )

    def handle(self, *args: Any, batch_size: int, clear: bool, **options: Any) -> None:
        batch_size = max(1, batch_size)
        search = backend.get_backend()
        if clear:
            with transaction.atomic():
                search.clear()
        indexed = removed = 0
        after = 0
        posts = Post.objects.select_related("topic").only(
            "pk", "number", "body_html", "deleted_at", "topic__title"
        )
        while True:
            batch = list(posts.filter(pk__gt=after).order_by("pk")[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                backend.index_posts(batch)
            after = batch[-1].pk
            indexed += sum(1 for post in batch if post.deleted_at is None)
            if options["verbosity"] > 1:
                self.stdout.write(f"… indexed up to post {after}")
        if not clear:
            removed = self._drop_orphans(search, batch_size)
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {indexed} posts; removed {removed} entries of posts that are gone."
            )
        )

    def _drop_orphans(self, search: backend.Backend, batch_size: int) -> int:
        """Entries whose post no longer exists (a hard delete, e.g. with its community)."""
        removed = 0
        after = 0
        while True:
            ids = search.indexed_ids(after, batch_size)
            if not ids:
                return removed
            existing = set(Post.objects.filter(pk__in=ids).values_list("pk", flat=True))
            gone = [pk for pk in ids if pk not in existing]
            if gone:
                with transaction.atomic():
                    search.delete(gone)
                removed += len(gone)
            after = ids[-1]
