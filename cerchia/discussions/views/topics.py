"""Topic and post pages: parse the input, call an action or a query, render.

Rights are checked once by the resolvers (``@community_view``, ``@topic_view``,
``@post_view``) and again by every action; refusals become the 403 page, what one
may not see a 404, bad input form errors (400, or 422 for htmx), never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cerchia.communities import queries as community_queries
from cerchia.communities.forms import add_action_errors
from cerchia.communities.models import HOST_ROLES, Community
from cerchia.communities.resolvers import CommunityRequest, MemberRequest, community_view
from cerchia.core.errors import ActionRefused
from cerchia.core.htmx import is_htmx, render_page
from cerchia.core.pagination import InvalidCursor
from cerchia.discussions import actions, permissions, queries
from cerchia.discussions.forms import (
    EditPostForm,
    LevelForm,
    ModerateForm,
    MoveForm,
    NumberForm,
    ReactForm,
    ReplyForm,
    TopicForm,
)
from cerchia.discussions.models import REACTION_EMOJI, Post, ReactionKind, Topic, TopicKind
from cerchia.discussions.queries import PostRow, TopicPage
from cerchia.discussions.resolvers import (
    MemberPostRequest,
    MemberTopicRequest,
    PostRequest,
    TopicRequest,
    post_view,
    topic_view,
)
from cerchia.discussions.views.feed import _next_url
from cerchia.moderation.screening import PostHeld
from cerchia.moderation.templatetags.moderation_held import held_items

#: How many page links the topic's pagination shows on each side of the current page.
PAGE_WINDOW = 2


# --- What templates show ---------------------------------------------------------------


@dataclass(frozen=True)
class ReactionChip:
    kind: str
    emoji: str
    label: str
    count: int
    mine: bool


@dataclass
class PostItem:
    """A post row with its reactions laid out for the template."""

    row: PostRow
    reactions: list[ReactionChip]

    @property
    def post(self) -> Post:
        return self.row.post

    @property
    def flags(self) -> Any:
        return self.row.flags

    @property
    def role(self) -> str | None:
        return self.row.role

    @property
    def bookmarked(self) -> bool:
        return self.row.bookmarked

    @property
    def page(self) -> int:
        return queries.page_for_number(self.row.post.number)

    @property
    def reacted(self) -> bool:
        return any(chip.count for chip in self.reactions)


def _item(row: PostRow) -> PostItem:
    counts = row.post.reaction_counts or {}
    chips = [
        ReactionChip(
            kind=kind.value,
            emoji=REACTION_EMOJI[kind],
            label=str(kind.label),
            count=int(counts.get(kind.value, 0)),
            mine=kind.value in row.my_reactions,
        )
        for kind in ReactionKind
    ]
    return PostItem(row=row, reactions=chips)


def _items(rows: list[PostRow]) -> list[PostItem]:
    return [_item(row) for row in rows]


def _one_item(request: HttpRequest, topic: Topic, post: Post) -> PostItem:
    """The post as the topic page shows it, freshly loaded (after a change)."""
    rows = queries.list_posts_after(request.user, topic, post.number - 1, limit=1)
    if not rows:
        raise Http404(_("No such post."))
    return _item(rows[0])


def _composer(community: Community) -> dict[str, str]:
    """What a message box links to: @mention suggestions and image uploads, where they exist."""
    urls = {}
    for key, name in (
        ("mention_url", "discussions:mention_candidates"),
        ("upload_url", "discussions:upload_attachment"),
    ):
        try:
            urls[key] = reverse(name, kwargs={"slug": community.slug})
        except NoReverseMatch:
            urls[key] = ""
    return urls


def _attachment_ids(request: HttpRequest) -> list[int]:
    """The images the composer's script uploaded and listed; anything else is ignored."""
    return [int(v) for v in request.POST.getlist("attachment_ids")[:20] if v.isdigit()][:10]


def topic_url(topic: Topic, page: int = 1) -> str:
    url = reverse("discussions:topic", kwargs={"slug": topic.community.slug, "topic_id": topic.pk})
    return f"{url}?page={page}" if page > 1 else url


def post_url(topic: Topic, number: int) -> str:
    """The permanent link of post ``number``: its page, then its anchor."""
    return f"{topic_url(topic, queries.page_for_number(number))}#post-{number}"


def _page_links(page: int, count: int) -> list[int | None]:
    """Page numbers around the current page, with the first and last; None marks a gap."""
    wanted = {1, count, *range(page - PAGE_WINDOW, page + PAGE_WINDOW + 1)}
    numbers = sorted(n for n in wanted if 1 <= n <= count)
    links: list[int | None] = []
    for number in numbers:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


def _tags(community: Community) -> list[Any]:
    return list(community.interests.all())


# --- The community's topics --------------------------------------------------------------


def topic_list_context(request: HttpRequest, community: Community) -> dict[str, Any]:
    """The first or ``?cursor=`` page of the community's topics (for the community page too)."""
    cursor = request.GET.get("cursor") or None
    try:
        rows, next_cursor = queries.list_topics(request.user, community, cursor=cursor)
    except (InvalidCursor, ValidationError, ValueError, TypeError, OverflowError):
        cursor = None
        rows, next_cursor = queries.list_topics(request.user, community)
    return {
        "topic_rows": rows,
        "next_cursor": next_cursor,
        "is_later_page": bool(cursor),
        "can_create_topic": permissions.can_create_topic(request.user, community),
    }


@require_GET
@community_view("read")
def topic_list(request: CommunityRequest) -> HttpResponse:
    """Keyset pages of topics; htmx "load more" gets the next rows only."""
    community = request.community
    context = {"community": community, "flags": request.flags}
    context.update(topic_list_context(request, community))
    return render_page(
        request,
        "discussions/topics.html",
        context,
        partial="discussions/_partials/topic_rows.html",
    )


@require_http_methods(["GET", "POST"])
@community_view("read", login=True)
def new_topic(request: MemberRequest) -> HttpResponse:
    """Start a topic: a discussion, a question, or (hosts) an announcement."""
    community = request.community
    permissions.check_create_topic(request.user, community)
    options: dict[str, Any] = {
        "tags": _tags(community),
        "allow_announcement": permissions.can_create_topic(
            request.user, community, TopicKind.ANNOUNCEMENT
        ),
    }
    if request.method == "POST":
        form = TopicForm(request.POST, **options)
        if form.is_valid():
            try:
                topic = actions.create_topic(
                    request.user,
                    community,
                    attachment_ids=_attachment_ids(request),
                    **form.action_kwargs(),
                )
            except ValidationError as error:
                add_action_errors(form, error)
            except PostHeld as held:
                return _held_topic(request, held)
            else:
                topic.community = community
                return redirect(topic_url(topic))
        status = 400
    else:
        form = TopicForm(**options)
        status = 200
    context = {"community": community, "form": form, **_composer(community)}
    return render(request, "discussions/new_topic.html", context, status=status)


# --- The topic page ----------------------------------------------------------------------


def _topic_context(
    request: TopicRequest, data: TopicPage, *, reply_form: ReplyForm | None = None
) -> dict[str, Any]:
    topic = request.topic
    flags = request.topic_flags
    items = _items(data.rows)
    if reply_form is None and flags.reply:
        reply_form = _reply_form(request, items)
    last_shown = items[-1].post.number if items else 0
    return {
        "community": request.community,
        "topic": topic,
        "flags": flags,
        "data": data,
        "items": items,
        "answer": _item(data.answer) if data.answer is not None else None,
        "last_shown": last_shown,
        "page_links": _page_links(data.page, data.page_count),
        "prev_page": data.page - 1 if data.page > 1 else None,
        "next_page": data.page + 1 if data.page < data.page_count else None,
        "tags": list(topic.tags.all()),
        "reply_form": reply_form,
        "level_form": LevelForm(initial={"level": data.level}) if flags.follow else None,
        **_composer(request.community),
        "kinds": TopicKind,
    }


def _reply_form(request: HttpRequest, items: list[PostItem]) -> ReplyForm:
    """An empty composer, or one prepared by a post's "reply" or "quote" link."""
    on_page = {item.post.pk: item.post for item in items if not item.post.is_deleted}
    initial: dict[str, Any] = {}
    reply_to = on_page.get(_int(request.GET.get("reply_to")))
    if reply_to is not None:
        initial["reply_to"] = reply_to.pk
    quoted = on_page.get(_int(request.GET.get("quote")))
    if quoted is not None:
        initial["quote"] = quoted.pk
        initial["reply_to"] = quoted.pk
        author = quoted.author.name if quoted.author else _("deleted member")
        lines = [_("%(name)s wrote:") % {"name": author}, *quoted.body.splitlines()]
        initial["body"] = "\n".join(f"> {line}".rstrip() for line in lines) + "\n\n"
    return ReplyForm(initial=initial)


@require_GET
@topic_view()
def topic(request: TopicRequest) -> HttpResponse:
    """One page of a topic (20 posts by number); reading it moves the member's read mark."""
    data = queries.get_topic_page(request.user, request.topic, _int(request.GET.get("page"), 1))
    context = _topic_context(request, data)
    if request.user.is_authenticated and request.topic_flags.follow and context["last_shown"]:
        actions.mark_read(request.user, request.topic, context["last_shown"])
    return render(request, "discussions/topic.html", context)


@require_GET
@topic_view()
def post_link(request: TopicRequest, number: int) -> HttpResponse:
    """The permanent link to post ``number``: its page and anchor."""
    if not 1 <= number <= request.topic.last_post_number:
        raise Http404(_("No such post."))
    return redirect(post_url(request.topic, number))


@require_GET
@topic_view()
def first_unread(request: TopicRequest) -> HttpResponse:
    """Jump to the member's first unread post (the first post for everyone else)."""
    topic = request.topic
    if not request.topic_flags.follow:
        return redirect(topic_url(topic))
    last_read = queries.get_last_read(request.user, topic)
    number = queries.first_unread_number(topic, last_read) or topic.last_post_number
    return redirect(post_url(topic, max(number, 1)))


def _reply_target(request: HttpRequest, topic: Topic, post_id: int | None) -> Post | None:
    """A post of this topic the reply answers or quotes; a ValidationError otherwise."""
    if not post_id:
        return None
    try:
        post = queries.get_post(request.user, post_id)
    except Http404:
        post = None
    if post is None or post.topic_id != topic.pk:
        raise ValidationError({"reply_to": _("You can only reply to a post in this topic.")})
    return post


def _reply_errors(request: MemberTopicRequest, form: ReplyForm) -> HttpResponse:
    """The composer again, with what went wrong (htmx: only the composer)."""
    if is_htmx(request):
        context = {
            "community": request.community,
            "topic": request.topic,
            "flags": request.topic_flags,
            "reply_form": form,
            **_composer(request.community),
        }
        response = render(request, "discussions/_partials/composer.html", context, status=422)
        response["HX-Retarget"] = "#composer"
        response["HX-Reswap"] = "outerHTML"
        return response
    data = queries.get_topic_page(
        request.user, request.topic, queries.page_for_number(request.topic.last_post_number)
    )
    context = _topic_context(request, data, reply_form=form)
    return render(request, "discussions/topic.html", context, status=400)


@require_POST
@topic_view(login=True)
def reply(request: MemberTopicRequest) -> HttpResponse:
    """Post a reply; htmx gets the new post (and a fresh composer), others its permalink."""
    topic = request.topic
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _reply_errors(request, form)
    try:
        reply_to = _reply_target(request, topic, form.cleaned_data.get("reply_to"))
        quoted = _reply_target(request, topic, form.cleaned_data.get("quote"))
        post = actions.create_reply(
            request.user,
            topic,
            body=form.cleaned_data.get("body", ""),
            reply_to=reply_to,
            quoted=quoted,
            idempotency_key=form.cleaned_data.get("idempotency_key", ""),
            attachment_ids=_attachment_ids(request),
            disclosure=form.cleaned_data.get("disclosure", ""),
        )
    except ValidationError as error:
        add_action_errors(
            form, error, {"quote": "body", "reply_to": "body", "idempotency_key": "__all__"}
        )
        return _reply_errors(request, form)
    except ActionRefused as refusal:
        form.add_error(None, refusal.message)
        return _reply_errors(request, form)
    except PostHeld as held:
        return _held_reply(request, held)
    if is_htmx(request):
        context = {
            "community": request.community,
            "topic": topic,
            "flags": request.topic_flags,
            "item": _one_item(request, topic, post),
            "reply_form": ReplyForm(),
            **_composer(request.community),
        }
        return render(request, "discussions/_partials/reply_done.html", context)
    return redirect(post_url(topic, post.number))


def _held_message(held: PostHeld) -> str:
    return _("Thanks! Your post is awaiting approval. %(notice)s") % {"notice": held.held.notice}


def _held_topic(request: MemberRequest, held: PostHeld) -> HttpResponse:
    """A held topic: tell its author, who finds it in "My posts awaiting approval"."""
    messages.info(request, _held_message(held))
    url = reverse("communities:detail", kwargs={"slug": request.community.slug})
    return redirect(f"{url}#held-{held.held.pk}")


def _held_reply(request: MemberTopicRequest, held: PostHeld) -> HttpResponse:
    """A held reply: htmx gets it marked "awaiting approval" and a fresh composer."""
    messages.info(request, _held_message(held))
    if is_htmx(request):
        context = {
            "community": request.community,
            "topic": request.topic,
            "flags": request.topic_flags,
            "item": held_items([held.held])[0],
            "reply_form": ReplyForm(),
            **_composer(request.community),
        }
        return render(request, "moderation/_partials/held_reply_done.html", context)
    last_page = queries.page_for_number(request.topic.last_post_number)
    return redirect(f"{topic_url(request.topic, last_page)}#held-{held.held.pk}")


@require_GET
@topic_view()
def posts_after(request: TopicRequest) -> HttpResponse:
    """The posts after ``?after=N`` as list items, for live updates and "load newer"."""
    after = max(0, _int(request.GET.get("after")))
    rows = queries.list_posts_after(request.user, request.topic, after)
    context = {
        "community": request.community,
        "topic": request.topic,
        "flags": request.topic_flags,
        "items": _items(rows),
    }
    return render(request, "discussions/_partials/post_items.html", context)


@require_POST
@topic_view(login=True)
def mark_read(request: MemberTopicRequest) -> HttpResponse:
    """Move the member's read mark to post ``number``."""
    topic = request.topic
    permissions.check_follow_topic(request.user, topic)
    form = NumberForm(request.POST)
    if form.is_valid():
        actions.mark_read(request.user, topic, form.cleaned_data["number"])
    if is_htmx(request):
        return HttpResponse(status=204)
    return redirect(topic_url(topic))


MODERATION = {
    "pin": (actions.pin_topic, True),
    "unpin": (actions.pin_topic, False),
    "lock": (actions.lock_topic, True),
    "unlock": (actions.lock_topic, False),
    "close": (actions.close_topic, True),
    "reopen": (actions.close_topic, False),
}


def _moderation_message(action: str) -> str:
    return {
        "pin": _("Topic pinned to the top of the community page."),
        "unpin": _("Topic unpinned."),
        "lock": _("Topic locked: only hosts can post, edit or react."),
        "unlock": _("Topic unlocked."),
        "close": _("Topic closed to new replies."),
        "reopen": _("Topic reopened."),
    }[action]


@require_POST
@topic_view(login=True)
def moderate(request: MemberTopicRequest) -> HttpResponse:
    """Pin, lock or close the topic (or undo it): hosts."""
    topic = request.topic
    permissions.check_moderate_topic(request.user, topic)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the topic."))
        return redirect(topic_url(topic))
    action = form.cleaned_data["action"]
    write, value = MODERATION[action]
    write(request.user, topic, value)
    messages.success(request, _moderation_message(action))
    return redirect(topic_url(topic))


def _move_targets(request: HttpRequest, topic: Topic) -> list[Community]:
    return [
        membership.community
        for membership in community_queries.list_my_memberships(request.user)
        if membership.role in HOST_ROLES and membership.community_id != topic.community_id
    ]


@require_http_methods(["GET", "POST"])
@topic_view(login=True)
def move(request: MemberTopicRequest) -> HttpResponse:
    """Move the topic to another community the host runs."""
    topic = request.topic
    permissions.check_moderate_topic(request.user, topic)
    targets = _move_targets(request, topic)
    form = MoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        target = community_queries.get_community(request.user, form.cleaned_data["target"])
        actions.move_topic(request.user, topic, target)
        messages.success(request, _("Topic moved to %(name)s.") % {"name": target.name})
        return redirect(topic_url(topic))
    context = {
        "community": request.community,
        "topic": topic,
        "form": form,
        "targets": targets,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "discussions/move.html", context, status=status)


@require_POST
@topic_view(login=True)
def accept(request: MemberTopicRequest) -> HttpResponse:
    """Mark a reply as the question's answer, or (``action=unaccept``) take it back."""
    topic = request.topic
    if not request.topic_flags.accept:
        if topic.kind != TopicKind.QUESTION:
            raise PermissionDenied(_("Only questions have accepted answers."))
        raise PermissionDenied(_("Only the person who asked or a host can accept an answer."))
    if request.POST.get("action") == "unaccept":
        actions.unaccept_answer(request.user, topic)
        messages.success(request, _("The answer is no longer marked as accepted."))
        return redirect(topic_url(topic))
    post_id = _int(request.POST.get("post"))
    if not post_id:
        messages.error(request, _("Choose a reply in this question."))
        return redirect(topic_url(topic))
    post = queries.get_post(request.user, post_id)
    actions.accept_answer(request.user, topic, post)
    messages.success(request, _("Marked as the accepted answer."))
    return redirect(topic_url(topic))


@require_POST
@topic_view(login=True)
def topic_level(request: MemberTopicRequest) -> HttpResponse:
    """Watch, track or mute the topic."""
    topic = request.topic
    form = LevelForm(request.POST)
    if form.is_valid():
        actions.set_topic_notification_level(request.user, topic, form.cleaned_data["level"])
        message = _("Notification setting saved.")
        level = "success"
    else:
        permissions.check_follow_topic(request.user, topic)
        message = _("Choose watching, tracking or muted.")
        level = "error"
    if is_htmx(request):
        context = {
            "community": request.community,
            "topic": topic,
            "level_form": LevelForm(
                initial={"level": queries.topic_notification_level(request.user, topic)}
            ),
            "toast": {"text": message, "level": level},
        }
        return render(request, "discussions/_partials/topic_level.html", context)
    getattr(messages, level)(request, message)
    return redirect(topic_url(topic))


# --- One post ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@post_view(login=True)
def edit_post(request: MemberPostRequest) -> HttpResponse:
    """Edit a post (the opening post also edits the title and tags); earlier text is kept."""
    post, topic = request.post, request.topic
    permissions.check_edit_post(request.user, post)
    opening = post.number == 1
    options: dict[str, Any] = {
        "opening": opening,
        "tags": _tags(request.community) if opening else [],
    }
    if request.method == "POST":
        form = EditPostForm(request.POST, **options)
        if form.is_valid():
            try:
                actions.edit_post(request.user, post, **form.action_kwargs())
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(post_url(topic, post.number))
        status = 400
    else:
        initial: dict[str, Any] = {"body": post.body}
        if opening:
            initial["title"] = topic.title
            initial["tags"] = [tag.slug for tag in topic.tags.all()]
        form = EditPostForm(initial=initial, **options)
        status = 200
    context = {
        "community": request.community,
        "topic": topic,
        "post": post,
        "form": form,
        **_composer(request.community),
    }
    return render(request, "discussions/edit_post.html", context, status=status)


@require_GET
@post_view(login=True)
def post_history(request: PostRequest) -> HttpResponse:
    """Earlier versions of a post: its author and the hosts."""
    post = request.post
    revisions = queries.list_post_history(request.user, post)
    context = {
        "community": request.community,
        "topic": request.topic,
        "post": post,
        "revisions": list(reversed(revisions)),
    }
    return render(request, "discussions/post_history.html", context)


def _post_changed(request: MemberPostRequest, message: str) -> HttpResponse:
    """After a delete or restore: htmx gets the post again, others go back to the topic."""
    post, topic = request.post, request.topic
    if post.number == 1 and topic.deleted_at is not None:
        messages.success(request, message)
        url = reverse("communities:detail", kwargs={"slug": request.community.slug})
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if is_htmx(request):
        messages.success(request, message)
        context = {
            "community": request.community,
            "topic": topic,
            "flags": permissions.topic_flags(request.user, topic),
            "item": _one_item(request, topic, post),
            "with_messages": True,
        }
        return render(request, "discussions/_partials/post.html", context)
    messages.success(request, message)
    return redirect(post_url(topic, post.number))


@require_POST
@post_view(login=True)
def delete_post(request: MemberPostRequest) -> HttpResponse:
    """Soft-delete a post; deleting the opening post deletes the topic."""
    post = request.post
    actions.delete_post(request.user, post)
    if post.number == 1:
        return _post_changed(request, _("Topic deleted."))
    return _post_changed(request, _("Post deleted."))


@require_POST
@post_view(login=True)
def restore_post(request: MemberPostRequest) -> HttpResponse:
    """Bring a deleted post (or topic) back: hosts."""
    actions.restore_post(request.user, request.post)
    return _post_changed(request, _("Post restored."))


@require_POST
@post_view(login=True)
def react(request: MemberPostRequest) -> HttpResponse:
    """Add a reaction of one kind, or take it back if it was there (a toggle)."""
    post, topic = request.post, request.topic
    form = ReactForm(request.POST)
    if not form.is_valid():
        permissions.check_react(request.user, post)
        messages.error(request, _("Choose one of the available reactions."))
        return redirect(post_url(topic, post.number))
    kind = form.cleaned_data["kind"]
    if not actions.add_reaction(request.user, post, kind):
        actions.remove_reaction(request.user, post, kind)
    if is_htmx(request):
        context = {
            "community": request.community,
            "topic": topic,
            "item": _one_item(request, topic, post),
        }
        return render(request, "discussions/_partials/reactions.html", context)
    return redirect(post_url(topic, post.number))


@require_GET
@post_view()
def reactors(request: PostRequest) -> HttpResponse:
    """Who reacted to a post, grouped by reaction."""
    post = request.post
    reactions = queries.list_reactors(request.user, post)
    groups: dict[str, list[Any]] = {}
    for reaction in reactions:
        groups.setdefault(reaction.kind, []).append(reaction.user)
    context = {
        "community": request.community,
        "topic": request.topic,
        "post": post,
        "groups": [
            {"emoji": REACTION_EMOJI[kind], "label": kind.label, "people": groups[kind.value]}
            for kind in ReactionKind
            if kind.value in groups
        ],
    }
    return render_page(
        request,
        "discussions/reactors.html",
        context,
        partial="discussions/_partials/reactor_groups.html",
    )


@require_POST
@post_view(login=True)
def bookmark(request: MemberPostRequest) -> HttpResponse:
    """Bookmark the post or forget the bookmark: ``action=add``/``remove`` says which (a stale
    list never flips a bookmark back), no action toggles. ``next`` returns to a local page."""
    post, topic = request.post, request.topic
    wanted = request.POST.get("action")
    if wanted not in {"add", "remove"}:
        wanted = "remove" if queries.get_bookmark_ids(request.user, [post.pk]) else "add"
    if wanted == "remove":
        actions.remove_bookmark(request.user, post)
        bookmarked, message = False, _("Bookmark removed.")
    else:
        actions.add_bookmark(request.user, post)
        bookmarked, message = True, _("Bookmarked. Find it again in your bookmarks.")
    if is_htmx(request):
        context = {"community": request.community, "post": post, "bookmarked": bookmarked}
        return render(request, "discussions/_partials/bookmark.html", context)
    messages.success(request, message)
    return redirect(_next_url(request, post_url(topic, post.number)))


TOPIC = "c/<slug:slug>/t/<int:topic_id>/"
POST = "c/<slug:slug>/posts/<int:post_id>/"

urlpatterns = [
    path("c/<slug:slug>/topics/new/", new_topic, name="new_topic"),
    path("c/<slug:slug>/topics/", topic_list, name="topic_list"),
    path(TOPIC, topic, name="topic"),
    path(f"{TOPIC}p/<int:number>/", post_link, name="post_link"),
    path(f"{TOPIC}unread/", first_unread, name="first_unread"),
    path(f"{TOPIC}reply/", reply, name="reply"),
    path(f"{TOPIC}posts/", posts_after, name="posts_after"),
    path(f"{TOPIC}read/", mark_read, name="mark_read"),
    path(f"{TOPIC}moderate/", moderate, name="moderate"),
    path(f"{TOPIC}move/", move, name="move"),
    path(f"{TOPIC}accept/", accept, name="accept"),
    path(f"{TOPIC}notifications/", topic_level, name="topic_level"),
    path(f"{POST}edit/", edit_post, name="edit_post"),
    path(f"{POST}history/", post_history, name="post_history"),
    path(f"{POST}delete/", delete_post, name="delete_post"),
    path(f"{POST}restore/", restore_post, name="restore_post"),
    path(f"{POST}react/", react, name="react"),
    path(f"{POST}reactions/", reactors, name="reactors"),
    path(f"{POST}bookmark/", bookmark, name="bookmark"),
]
