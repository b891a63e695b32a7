"""Writing posts: starting topics, replying, editing with history, deleting and restoring."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.core import ratelimit
from cerchia.core.errors import ActionRefused
from cerchia.core.markdown import render_markdown
from cerchia.core.tags import normalise_tags
from cerchia.discussions import events, permissions
from cerchia.discussions.mentions import handles_in_html, link_mentions, resolve_mentions
from cerchia.discussions.models import (
    Attachment,
    Mention,
    Post,
    PostRevision,
    ReadState,
    Topic,
    TopicKind,
)
from cerchia.insights.log import record_event
from cerchia.search import backend as search

if TYPE_CHECKING:
    from cerchia.accounts.models import User

TITLE_MIN = 3
TITLE_MAX = 200
BODY_MAX = 50_000
IDEMPOTENCY_KEY_MAX = 80
MAX_TOPIC_TAGS = 5
MAX_PARTICIPANTS = 5
MAX_ATTACHMENTS = 10


# --- Validation ------------------------------------------------------------------------


def _refuse_nul(field: str, value: str) -> None:
    # PostgreSQL cannot store NUL and SQLite would: refuse it alike on both.
    if "\x00" in value:
        raise ValidationError({field: _("Text cannot contain NUL characters.")})


def _clean_title(title: str) -> str:
    _refuse_nul("title", title or "")
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        raise ValidationError(
            {
                "title": _("Give the topic a title of at least %(min)d characters.")
                % {"min": TITLE_MIN}
            }
        )
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": _("Keep the title under %(max)d characters.") % {"max": TITLE_MAX}}
        )
    return title


def _clean_body(body: str) -> str:
    _refuse_nul("body", body or "")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": _("Keep the message under %(max)d characters.") % {"max": BODY_MAX}}
        )
    return body


def _clean_key(key: str) -> str:
    _refuse_nul("idempotency_key", key or "")
    key = (key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {"idempotency_key": _("An idempotency key has at most 80 characters.")}
        )
    return key


def _clean_tags(community: Community, raw: Iterable[str] | str) -> list[Any]:
    """Tags must come from the community's own tag set."""
    try:
        slugs = normalise_tags(raw, limit=MAX_TOPIC_TAGS)
    except ValidationError as error:
        raise ValidationError({"tags": error.messages}) from error
    if not slugs:
        return []
    allowed = {interest.slug: interest for interest in community.interests.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in allowed]
    if unknown:
        raise ValidationError(
            {"tags": _("“%(tag)s” is not one of this community's tags.") % {"tag": unknown[0]}}
        )
    return [allowed[slug] for slug in slugs]


def _render(community: Community, body: str, author_id: int | None = None) -> tuple[str, list[Any]]:
    """Markdown → sanitised HTML with member mentions linked; returns the mentioned members.

    Members with a block either way with ``author_id`` stay plain text."""
    html = render_markdown(body)
    members = resolve_mentions(community, handles_in_html(html), author_id=author_id)
    return link_mentions(html, members), list(members.values())


def _existing_for_key(actor: User, key: str) -> Post | None:
    if not key:
        return None
    return (
        Post.objects.select_related("topic", "topic__community")
        .filter(author=actor, idempotency_key=key)
        .first()
    )


def _once[T](actor: User, key: str, write: Callable[[], T], replay: Callable[[Post], T]) -> T:
    """Run ``write`` once per idempotency key: a repeat, even a concurrent one, gets the
    result of the first (the key is stored with the post, under a unique constraint)."""
    existing = _existing_for_key(actor, key)
    if existing is not None:
        return replay(existing)
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        existing = _existing_for_key(actor, key)
        if existing is None:
            raise
        return replay(existing)


def _attach(actor: User, community: Community, post: Post, attachment_ids: Iterable[int]) -> None:
    ids = list(dict.fromkeys(int(pk) for pk in attachment_ids))[:MAX_ATTACHMENTS]
    if ids:
        Attachment.objects.filter(
            pk__in=ids, uploaded_by=actor, community=community, post__isnull=True
        ).update(post=post)


def _record_mentions(post: Post, mentioned: list[Any]) -> None:
    Mention.objects.bulk_create(
        [Mention(post=post, user=user) for user in mentioned if user.pk != post.author_id],
        ignore_conflicts=True,
    )


def _screen(actor: User, community: Community, key: str, **submission: Any) -> None:
    """Hold the submission for review when the community's screening says so (raises
    ``PostHeld``), refuse it (ValidationError), or return to publish it.

    A key that already published a post is a retry: it replays, it is not screened again."""
    from cerchia.moderation.actions.held import hold_post
    from cerchia.moderation.screening import screen_post

    if _existing_for_key(actor, key) is not None:
        return
    verdict = screen_post(
        actor,
        community,
        body=submission["body"],
        title=submission.get("title", ""),
        topic_id=submission["topic"].pk if submission.get("topic") else None,
    )
    if verdict.hold:
        hold_post(actor, community, verdict, idempotency_key=key, **submission)


def _after_new_post(post: Post) -> None:
    from cerchia.notifications import tasks as notification_tasks

    # The author has read what they just wrote.
    if post.author_id is not None:
        updated = ReadState.objects.filter(user_id=post.author_id, topic_id=post.topic_id).update(
            last_read_number=post.number, updated_at=post.created_at
        )
        if not updated:
            ReadState.objects.create(
                user_id=post.author_id,
                topic_id=post.topic_id,
                last_read_number=post.number,
                updated_at=post.created_at,
            )

    post_id = post.pk
    transaction.on_commit(lambda: notification_tasks.notify_new_post.enqueue(post_id))
    events.publish_post("post.created", post)


# --- Topics and replies ------------------------------------------------------------------


def create_topic(
    actor: User,
    community: Community,
    *,
    title: str,
    body: str,
    kind: str = TopicKind.DISCUSSION,
    tags: Iterable[str] | str = (),
    idempotency_key: str = "",
    attachment_ids: Iterable[int] = (),
    disclosure: str = "",
    disclosure_brand: str = "",
    screen: bool = True,
) -> Topic:
    """Start a topic with its opening post.

    Raises PermissionDenied/Http404 (rights), ValidationError (fields, or a community rule
    refusing the text), ``PostHeld`` when the post waits for a host's approval. A repeated
    ``idempotency_key`` returns the topic the first submission created. ``screen=False``
    publishes without screening (a host approving a held post).
    """
    from cerchia.moderation.disclosure import clean_disclosure

    if kind not in TopicKind.values:
        raise ValidationError({"kind": _("Choose a discussion, a question or an announcement.")})
    permissions.check_create_topic(actor, community, kind)
    if screen:
        ratelimit.hit("post", user=actor)
    title = _clean_title(title)
    body = _clean_body(body)
    key = _clean_key(idempotency_key)
    topic_tags = _clean_tags(community, tags)
    disclosure, disclosure_brand = clean_disclosure(
        actor, community, disclosure, disclosure_brand, enforce_choice=screen
    )
    attachment_ids = [int(pk) for pk in attachment_ids]
    if screen:
        _screen(
            actor,
            community,
            key,
            body=body,
            title=title,
            kind=kind,
            tags=[interest.slug for interest in topic_tags],
            disclosure=disclosure,
            disclosure_brand=disclosure_brand,
            attachment_ids=attachment_ids,
        )

    def write() -> Topic:
        now = timezone.now()
        topic = Topic.objects.create(
            community=community,
            author=actor,
            kind=kind,
            title=title,
            created_at=now,
            last_posted_at=now,
            last_poster=actor,
            last_post_number=1,
            participant_ids=[actor.pk],
        )
        if topic_tags:
            topic.tags.set(topic_tags)
        body_html, mentioned = _render(community, body, actor.pk)
        post = Post.objects.create(
            topic=topic,
            community=community,
            author=actor,
            number=1,
            body=body,
            body_html=body_html,
            created_at=now,
            idempotency_key=key,
            disclosure=disclosure,
            disclosure_brand=disclosure_brand,
        )
        _record_mentions(post, mentioned)
        _attach(actor, community, post, attachment_ids)
        search.index_posts([post])
        record_event(
            "topic.created",
            actor=actor,
            community=community,
            subject=topic,
            topic_id=topic.pk,
            post_id=post.pk,
            topic_kind=kind,
        )
        _after_new_post(post)
        events.publish_topic("topic.created", topic)
        return topic

    return _once(actor, key, write, lambda existing: existing.topic)


def create_reply(
    actor: User,
    topic: Topic,
    *,
    body: str,
    reply_to: Post | None = None,
    quoted: Post | None = None,
    idempotency_key: str = "",
    attachment_ids: Iterable[int] = (),
    disclosure: str = "",
    disclosure_brand: str = "",
    screen: bool = True,
) -> Post:
    """Reply to a topic, optionally in reply to or quoting one of its posts.

    Raises PermissionDenied/Http404 (rights), ValidationError (fields, or a community rule
    refusing the text), ``PostHeld`` when the reply waits for a host's approval. A repeated
    ``idempotency_key`` returns the post the first submission created. ``screen=False``
    publishes without screening (a host approving a held post).
    """
    from cerchia.moderation.disclosure import clean_disclosure

    permissions.check_reply(actor, topic)
    if screen:
        ratelimit.hit("post", user=actor)
    body = _clean_body(body)
    key = _clean_key(idempotency_key)
    for target, field in ((reply_to, "reply_to"), (quoted, "quoted")):
        if target is not None and (target.topic_id != topic.pk or target.deleted_at is not None):
            raise ValidationError({field: _("You can only reply to a post in this topic.")})
    disclosure, disclosure_brand = clean_disclosure(
        actor, topic.community, disclosure, disclosure_brand, enforce_choice=screen
    )
    attachment_ids = [int(pk) for pk in attachment_ids]
    if screen:
        _screen(
            actor,
            topic.community,
            key,
            body=body,
            topic=topic,
            reply_to=reply_to,
            quoted=quoted,
            disclosure=disclosure,
            disclosure_brand=disclosure_brand,
            attachment_ids=attachment_ids,
        )

    def write() -> Post:
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.deleted_at is not None:
            raise ActionRefused(_("This topic has been deleted."), code="deleted", status=404)
        now = timezone.now()
        number = locked.last_post_number + 1
        body_html, mentioned = _render(topic.community, body, actor.pk)
        post = Post.objects.create(
            topic=topic,
            community_id=locked.community_id,
            author=actor,
            number=number,
            body=body,
            body_html=body_html,
            reply_to=reply_to,
            quoted=quoted,
            created_at=now,
            idempotency_key=key,
            disclosure=disclosure,
            disclosure_brand=disclosure_brand,
        )
        participants = [actor.pk] + [pk for pk in locked.participant_ids if pk != actor.pk]
        Topic.objects.filter(pk=topic.pk).update(
            last_post_number=number,
            reply_count=F("reply_count") + 1,
            last_posted_at=now,
            last_poster=actor,
            participant_ids=participants[:MAX_PARTICIPANTS],
        )
        topic.last_post_number = number
        topic.reply_count = locked.reply_count + 1
        topic.last_posted_at = now
        topic.last_poster = actor
        topic.participant_ids = participants[:MAX_PARTICIPANTS]
        post.topic = topic
        _record_mentions(post, mentioned)
        _attach(actor, topic.community, post, attachment_ids)
        search.index_posts([post])
        record_event(
            "post.created",
            actor=actor,
            community=topic.community,
            subject=post,
            topic_id=topic.pk,
            post_id=post.pk,
            number=number,
            topic_author_id=topic.author_id,
            reply_to_author_id=reply_to.author_id if reply_to else None,
        )
        _after_new_post(post)
        return post

    return _once(actor, key, write, lambda existing: existing)


# --- Editing and deleting ----------------------------------------------------------------


def edit_post(
    actor: User,
    post: Post,
    *,
    body: str,
    title: str | None = None,
    tags: Iterable[str] | str | None = None,
) -> Post:
    """Change a post (and, for the opening post, the topic's title and tags), keeping the
    earlier text as a revision. Raises PermissionDenied/Http404, ValidationError."""
    permissions.check_edit_post(actor, post)
    topic = post.topic
    body = _clean_body(body)
    new_title = _clean_title(title) if title is not None and post.number == 1 else None
    new_tags = _clean_tags(topic.community, tags) if tags is not None and post.number == 1 else None
    title_changed = new_title is not None and new_title != topic.title
    if body == post.body and not title_changed and new_tags is None:
        return post
    from cerchia.moderation.screening import check_edit

    check_edit(actor, topic.community, body=body, title=new_title or "")
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        PostRevision.objects.create(
            post=post,
            number=current.edit_count + 1,
            title=topic.title if post.number == 1 else "",
            body=current.body,
            edited_by=actor,
        )
        body_html, mentioned = _render(topic.community, body, post.author_id)
        already = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
        post.body = body
        post.body_html = body_html
        post.edited_at = timezone.now()
        post.edit_count = current.edit_count + 1
        post.save(update_fields=["body", "body_html", "edited_at", "edit_count"])
        fresh = [user for user in mentioned if user.pk not in already]
        _record_mentions(post, fresh)
        if title_changed and new_title is not None:
            topic.title = new_title
            topic.save(update_fields=["title"])
        if new_tags is not None:
            topic.tags.set(new_tags)
        if title_changed:
            search.reindex_topic(topic)
        else:
            search.index_posts([post])
        record_event(
            "post.edited",
            actor=actor,
            community=topic.community,
            subject=post,
            topic_id=topic.pk,
            post_id=post.pk,
            revision=post.edit_count,
            by_author=actor.pk == post.author_id,
        )
        events.publish_post("post.edited", post)
        if title_changed:
            events.publish_topic("topic.updated", topic)
        if fresh:
            from cerchia.notifications import tasks as notification_tasks

            post_id = post.pk
            transaction.on_commit(lambda: notification_tasks.notify_new_post.enqueue(post_id))
    return post


def delete_post(actor: User, post: Post) -> None:
    """Soft-delete a post; deleting the opening post deletes the whole topic.

    Raises PermissionDenied/Http404."""
    permissions.check_delete_post(actor, post)
    topic = post.topic
    now = timezone.now()
    with transaction.atomic():
        if post.number == 1:
            Topic.objects.filter(pk=topic.pk).update(deleted_at=now, deleted_by=actor)
            topic.deleted_at, topic.deleted_by = now, actor
            Post.objects.filter(pk=post.pk).update(deleted_at=now, deleted_by=actor)
            search.reindex_topic(topic)
            record_event(
                "topic.deleted",
                actor=actor,
                community=topic.community,
                subject=topic,
                topic_id=topic.pk,
                by_author=actor.pk == topic.author_id,
            )
            events.publish_topic("topic.updated", topic)
        else:
            Post.objects.filter(pk=post.pk).update(deleted_at=now, deleted_by=actor)
            _refresh_topic_activity(topic)
            search.remove_posts([post.pk])
            record_event(
                "post.deleted",
                actor=actor,
                community=topic.community,
                subject=post,
                topic_id=topic.pk,
                post_id=post.pk,
                by_author=actor.pk == post.author_id,
            )
        if topic.accepted_answer_id == post.pk:
            Topic.objects.filter(pk=topic.pk).update(accepted_answer=None)
            topic.accepted_answer = None
        post.deleted_at, post.deleted_by = now, actor
        events.publish_post("post.deleted", post)


def restore_post(actor: User, post: Post) -> None:
    """Undo a soft delete (a host's action). Raises PermissionDenied/Http404."""
    permissions.check_restore_post(actor, post)
    topic = post.topic
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(deleted_at=None, deleted_by=None)
        post.deleted_at = post.deleted_by = None
        if post.number == 1:
            Topic.objects.filter(pk=topic.pk).update(deleted_at=None, deleted_by=None)
            topic.deleted_at = topic.deleted_by = None
            search.reindex_topic(topic)
        else:
            _refresh_topic_activity(topic)
            search.index_posts([post])
        record_event(
            "post.restored",
            actor=actor,
            community=topic.community,
            subject=post,
            topic_id=topic.pk,
            post_id=post.pk,
        )
        events.publish_post("post.edited", post)


def _refresh_topic_activity(topic: Topic) -> None:
    """Recount replies and find the newest live post after a delete or restore."""
    live = Post.objects.filter(topic=topic, deleted_at__isnull=True)
    newest = live.order_by("-number").values("created_at", "author_id").first()
    reply_count = live.filter(number__gt=1).count()
    fields: dict[str, Any] = {"reply_count": reply_count}
    if newest is not None:
        fields["last_posted_at"] = newest["created_at"]
        fields["last_poster_id"] = newest["author_id"]
    Topic.objects.filter(pk=topic.pk).update(**fields)
    for name, value in fields.items():
        setattr(topic, name, value)
