"""The API's request and response shapes.

Request bodies are strict ``pydantic.BaseModel``s that forbid unknown fields (a
``ninja.Schema`` body would accept a bare JSON string); the actions then apply the
domain rules and answer with field errors of their own. Response models are built
by the ``*_out`` functions from rows the queries loaded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from django.conf import settings
from django.urls import reverse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from cerchia.communities import permissions as community_permissions
from cerchia.moderation.disclosure import post_disclosure_label

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.communities.actions import JoinOutcome
    from cerchia.communities.models import Community, Invitation, JoinRequest, Membership
    from cerchia.communities.permissions import Actor

VisibilityName = Literal["public", "private", "hidden"]
JoinPolicyName = Literal["open", "request", "invitation"]
RoleName = Literal["owner", "moderator", "member"]
AffiliationName = Literal["staff", "brand", "partner", "ambassador"]
DisclosureName = Literal["sponsored", "gift"]
ProfileVisibilityName = Literal["public", "members", "private"]
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
RULES_HELP = "Required `true` when the community has rules."
WHOLE_LIST = "Always `null`: the whole list fits one page."
Tag = Annotated[str, StringConstraints(max_length=60)]


def _language(*, blank: bool) -> Any:
    choices: list[Any] = ["", *LANGUAGE_CODES] if blank else list(LANGUAGE_CODES)
    return Field(
        max_length=8,
        description="One of: "
        + ", ".join(f"`{c}`" if c else '`""` (follow the browser)' for c in choices),
        json_schema_extra={"enum": list(choices)},
    )


# --- Request bodies -----------------------------------------------------------------


def has_nul(value: Any) -> bool:
    """Whether text anywhere in ``value`` holds a NUL, which databases refuse to store.

    Walks with an explicit stack: a body nested thousands of levels deep must get a 4xx, not
    exhaust the interpreter's recursion limit.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
    return False


def unset(**kwargs: Any) -> Any:
    """An optional field that may be left out but not sent as ``null``: leaving it out keeps
    the current value. (Not ``X | None``: the schema would then promise that null works.)"""
    return Field(default=None, **kwargs)


def _drop_null_defaults(schema: dict[str, Any]) -> None:
    """``unset()`` fields default to None in Python, which the JSON schema must not show."""
    for prop in schema.get("properties", {}).values():
        nullable = {"type": "null"} in prop.get("anyOf", [])
        if "default" in prop and prop["default"] is None and not nullable:
            del prop["default"]


class Body(BaseModel):
    """Strict JSON: no unknown fields, no type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_drop_null_defaults)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError("Text cannot contain NUL (\\u0000) characters.")
        return value


class PatchBody(Body):
    """Only the fields sent change; ``null`` is accepted only where it means something."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: Any) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("This field cannot be null; leave it out to keep it as it is.")
        return value

    def changes(self, *, exclude: set[str] | None = None) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude=exclude)


class ConsentsPatch(PatchBody):
    analytics: bool = unset(description="May we use your activity for community analytics?")
    marketing: bool = unset(description="May communities send you marketing email?")


class MePatch(PatchBody):
    """Profile, preferences and consents; omitted fields stay as they are."""

    display_name: Annotated[str, Field(max_length=60)] = unset()
    handle: Annotated[str, Field(min_length=3, max_length=31)] = unset()
    bio: Annotated[str, Field(max_length=600)] = unset()
    interests: Annotated[list[Tag], Field(max_length=10)] = unset(
        description="Interest tags, normalised to lowercase slugs (at most 10)."
    )
    profile_visibility: ProfileVisibilityName = unset(
        description="Who sees your profile: `public` anyone, `members` people in your "
        "communities, `private` only their hosts.",
    )
    language: Annotated[str, _language(blank=True)] = unset()
    timezone: Annotated[str, Field(max_length=64)] = unset(
        description='An IANA timezone such as `Europe/Rome`; `""` for the site default.',
    )
    consents: ConsentsPatch = unset()


SlugText = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$",
        description="3–50 lowercase letters, digits or hyphens: the community's address.",
    ),
]
NameText = Annotated[Text, Field(min_length=1, max_length=80)]
TaglineText = Annotated[
    Text, Field(min_length=1, max_length=140, description="The niche in one line.")
]
MarkdownText = Annotated[str, Field(max_length=20_000, description="Markdown.")]
CapInt = Annotated[int, Field(ge=1, le=1_000_000, description="Most members; `null` for no cap.")]
Questions = Annotated[
    list[Annotated[str, Field(max_length=300)]],
    Field(max_length=5, description="Up to 5 questions applicants answer (`request` policy)."),
]
Tags = Annotated[list[Tag], Field(max_length=10, description="Interest tags (at most 10).")]


class CommunityCreate(Body):
    name: NameText
    slug: SlugText
    tagline: TaglineText
    description: MarkdownText = ""
    rules: MarkdownText = Field(
        default="",
        max_length=20_000,
        description="Rules and code of conduct (Markdown); members accept them when they join.",
    )
    interests: Tags = []
    language: Annotated[str, _language(blank=False)] = "en"
    visibility: VisibilityName = Field(
        default="public",
        description="`public`: anyone reads; `private`: listed, members read; "
        "`hidden`: unlisted, invitation only.",
    )
    join_policy: JoinPolicyName = unset(
        description="`open`, `request` or `invitation` (the default for hidden)."
    )
    member_cap: CapInt | None = None
    screening_questions: Questions = []


class CommunityPatch(PatchBody):
    """Settings to change; omitted fields stay as they are."""

    nullable = frozenset({"member_cap"})

    name: NameText = unset()
    slug: SlugText = unset()
    tagline: TaglineText = unset()
    description: MarkdownText = unset()
    rules: MarkdownText = unset()
    interests: Tags = unset()
    language: Annotated[str, _language(blank=False)] = unset()
    visibility: VisibilityName = unset()
    join_policy: JoinPolicyName = unset()
    member_cap: CapInt | None = None
    screening_questions: Questions = unset()
    timezone: Annotated[str, Field(max_length=64)] = unset(
        description="An IANA timezone name such as `Europe/Rome`: insights count days from "
        "midnight there; changing it recounts them."
    )


#: An answer to a member field: text, an ISO date or an option; a number; a list of options;
#: yes/no; or null for none.
FieldAnswer = str | int | float | bool | list[Annotated[str, Field(max_length=200)]] | None
JOINING_ANSWERS_HELP = (
    "Answers to the community's questions asked on joining, by field id: text (at most 500 "
    "characters), a number, an ISO date (`YYYY-MM-DD`), one of the options, a list of options, "
    "or true/false. Required ones must be answered; a bad answer is a `422` naming "
    "`fields.<id>`."
)
JoiningAnswers = Annotated[dict[str, FieldAnswer], Field(max_length=30)]


class JoinIn(Body):
    accept_rules: bool = Field(default=False, description=RULES_HELP)
    fields: JoiningAnswers = Field(default={}, description=JOINING_ANSWERS_HELP)


class JoinRequestIn(Body):
    answers: Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=5)] = Field(
        default=[], description="One answer per screening question, in order."
    )
    message: Annotated[str, Field(max_length=2000)] = Field(
        default="", description="A note to the hosts."
    )
    accept_rules: bool = Field(default=False, description=RULES_HELP)
    fields: JoiningAnswers = Field(
        default={},
        description=JOINING_ANSWERS_HELP + " They are saved when the request is approved.",
    )


class DecisionIn(Body):
    note: Annotated[str, Field(max_length=2000)] = Field(
        default="", description="Shared with the applicant in the outcome email."
    )


class InvitationIn(Body):
    email: Annotated[str, Field(max_length=254)] = Field(
        default="",
        description="Invite one person by email (single use, only for that address); "
        "leave empty for a link anyone holding it may use.",
    )
    expires_in_hours: Annotated[int, Field(ge=1, le=8760)] | None = Field(
        default=168,
        description="Hours the invitation stays valid (1 hour to 1 year); `null` for never.",
    )
    max_uses: Annotated[int, Field(ge=1, le=10_000)] | None = Field(
        default=None, description="How many people may join with a link; `null` for no limit."
    )


class RoleIn(Body):
    role: Literal["moderator", "member"] = Field(
        description="Promote to `moderator` or demote to `member`; ownership moves only by "
        "transfer."
    )


class TransferIn(Body):
    handle: Annotated[str, Field(min_length=1, max_length=31)] = Field(
        description="The member who becomes the owner; you stay on as a moderator."
    )


# --- Responses ----------------------------------------------------------------------


class UserSummary(BaseModel):
    handle: str
    name: str = Field(description="The display name, or the handle when there is none.")
    avatar_url: str | None


class ProfileCommunity(BaseModel):
    slug: str
    name: str
    role: RoleName


class ProfileOut(UserSummary):
    display_name: str
    bio: str
    interests: list[str]
    joined_at: datetime
    communities: list[ProfileCommunity] = Field(
        description="The communities this member belongs to that you may see."
    )


class Consents(BaseModel):
    analytics: bool
    marketing: bool


class MeOut(UserSummary):
    display_name: str
    bio: str
    interests: list[str]
    joined_at: datetime
    email: str
    profile_visibility: ProfileVisibilityName
    language: str = Field(description='`""` follows the browser.')
    timezone: str = Field(description='`""` uses the site default.')
    consents: Consents
    suspended: bool = Field(description="A suspended member can read but not write.")


class CommunityCard(BaseModel):
    slug: str
    name: str
    tagline: str
    interests: list[str]
    language: str
    visibility: VisibilityName
    join_policy: JoinPolicyName
    member_count: int
    member_cap: int | None
    cover_url: str | None
    is_member: bool = Field(description="Whether you belong to it.")


class Viewer(BaseModel):
    """What you are and may do here."""

    role: RoleName | None
    can_read: bool = Field(description="See discussions and the member directory.")
    can_join: bool
    can_request_to_join: bool
    can_leave: bool
    can_manage: bool = Field(description="Change settings, decide requests, invite.")
    can_manage_roles: bool
    has_pending_request: bool


class CommunityOut(CommunityCard):
    description: str
    description_html: str = Field(description="The description rendered to sanitised HTML.")
    rules: str
    rules_html: str
    screening_questions: list[str]
    created_at: datetime
    viewer: Viewer


class CommunityPage(BaseModel):
    items: list[CommunityCard]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class MembershipOut(BaseModel):
    user: UserSummary
    role: RoleName
    joined_at: datetime


class MemberPage(BaseModel):
    items: list[MembershipOut]
    next_cursor: str | None


class MyMembershipOut(BaseModel):
    community: CommunityCard
    role: RoleName
    joined_at: datetime


class MyMembershipList(BaseModel):
    items: list[MyMembershipOut]
    next_cursor: None = Field(default=None, description=WHOLE_LIST)


class JoinOutcomeOut(BaseModel):
    status: Literal["joined", "waitlisted"] = Field(
        description="`waitlisted` when the community is full: you keep your place in line."
    )
    community: str = Field(description="The community's slug.")
    membership: MembershipOut | None


class Answer(BaseModel):
    question: str
    answer: str


class JoinRequestOut(BaseModel):
    id: int
    community: str = Field(description="The community's slug.")
    user: UserSummary
    answers: list[Answer]
    message: str
    status: Literal["pending", "approved", "declined", "withdrawn"]
    created_at: datetime
    decided_at: datetime | None


class JoinRequestList(BaseModel):
    items: list[JoinRequestOut]
    next_cursor: None = Field(default=None, description=WHOLE_LIST)


class DecisionOut(BaseModel):
    join_request: JoinRequestOut
    outcome: Literal["joined", "waitlisted"] | None = Field(
        description="For an approval: whether the applicant got in or onto the waitlist."
    )


class InvitationOut(BaseModel):
    id: int
    email: str = Field(description='The addressee, or `""` for a link.')
    expires_at: datetime | None
    max_uses: int | None
    use_count: int
    created_at: datetime
    created_by: UserSummary | None


class InvitationCreated(InvitationOut):
    token: str = Field(description="The secret in the link; shown only now.")
    url: str = Field(description="The link to share (for an email, already sent).")


class InvitationList(BaseModel):
    items: list[InvitationOut]
    next_cursor: None = Field(default=None, description=WHOLE_LIST)


# --- Building responses ------------------------------------------------------------


def _file_url(field: Any) -> str | None:
    return field.url if field else None


def user_summary(user: User) -> UserSummary:
    return UserSummary(handle=user.handle, name=user.name, avatar_url=_file_url(user.avatar))


def _interest_slugs(obj: Any) -> list[str]:
    return [interest.slug for interest in obj.interests.all()]


def profile_out(user: User, memberships: list[Membership]) -> ProfileOut:
    return ProfileOut(
        **user_summary(user).model_dump(),
        display_name=user.display_name,
        bio=user.bio,
        interests=_interest_slugs(user),
        joined_at=user.date_joined,
        communities=[
            ProfileCommunity(slug=m.community.slug, name=m.community.name, role=m.role)  # type: ignore[arg-type]
            for m in memberships
        ],
    )


def me_out(user: User) -> MeOut:
    return MeOut(
        **user_summary(user).model_dump(),
        display_name=user.display_name,
        bio=user.bio,
        interests=_interest_slugs(user),
        joined_at=user.date_joined,
        email=user.email,
        profile_visibility=user.profile_visibility,  # type: ignore[arg-type]
        language=user.language,
        timezone=user.timezone,
        consents=Consents(analytics=user.analytics_consent, marketing=user.marketing_consent),
        suspended=user.suspended_at is not None,
    )


def community_card(community: Community, *, is_member: bool | None = None) -> CommunityCard:
    if is_member is None:
        is_member = bool(getattr(community, "is_member", False))
    return CommunityCard(
        slug=community.slug,
        name=community.name,
        tagline=community.tagline,
        interests=_interest_slugs(community),
        language=community.language,
        visibility=community.visibility,  # type: ignore[arg-type]
        join_policy=community.join_policy,  # type: ignore[arg-type]
        member_count=community.member_count,
        member_cap=community.member_cap,
        cover_url=_file_url(community.cover),
        is_member=is_member,
    )


def community_out(actor: Actor, community: Community) -> CommunityOut:
    flags = community_permissions.community_flags(actor, community)
    card = community_card(community, is_member=flags.role is not None)
    return CommunityOut(
        **card.model_dump(),
        description=community.description,
        description_html=community.description_html,
        rules=community.rules,
        rules_html=community.rules_html,
        screening_questions=[str(q) for q in community.screening_questions or []],
        created_at=community.created_at,
        viewer=Viewer(
            role=flags.role,  # type: ignore[arg-type]
            can_read=flags.read,
            can_join=flags.join,
            can_request_to_join=flags.request,
            can_leave=flags.leave,
            can_manage=flags.manage,
            can_manage_roles=flags.manage_roles,
            has_pending_request=flags.pending_request,
        ),
    )


def membership_out(membership: Membership) -> MembershipOut:
    return MembershipOut(
        user=user_summary(membership.user),
        role=membership.role,  # type: ignore[arg-type]
        joined_at=membership.joined_at,
    )


def outcome_out(outcome: JoinOutcome, community: Community) -> JoinOutcomeOut:
    return JoinOutcomeOut(
        status=outcome.status,  # type: ignore[arg-type]
        community=community.slug,
        membership=membership_out(outcome.membership) if outcome.membership else None,
    )


def join_request_out(join_request: JoinRequest) -> JoinRequestOut:
    answers = [
        Answer(question=str(item.get("question", "")), answer=str(item.get("answer", "")))
        for item in join_request.answers or []
        if isinstance(item, dict)
    ]
    return JoinRequestOut(
        id=join_request.pk,
        community=join_request.community.slug,
        user=user_summary(join_request.user),
        answers=answers,
        message=join_request.message,
        status=join_request.status,  # type: ignore[arg-type]
        created_at=join_request.created_at,
        decided_at=join_request.decided_at,
    )


def invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.pk,
        email=invitation.email,
        expires_at=invitation.expires_at,
        max_uses=invitation.max_uses,
        use_count=invitation.use_count,
        created_at=invitation.created_at,
        created_by=user_summary(invitation.created_by) if invitation.created_by else None,
    )


def invitation_url(invitation: Invitation) -> str:
    """The page where the invitation is accepted, absolute (``SITE_URL``)."""
    return settings.SITE_URL + reverse("communities:invitation", kwargs={"token": invitation.token})


# === Discussions: topics, posts, reactions, bookmarks, reading ===========================

if TYPE_CHECKING:  # this section's own imports, kept with it
    from cerchia.discussions.models import Bookmark, Post, PostRevision, Reaction, Topic
    from cerchia.discussions.permissions import TopicFlags
    from cerchia.discussions.queries import PostRow, TopicPage, TopicRow

TopicKindName = Literal["discussion", "question", "announcement"]
ReactionName = Literal["thumbs_up", "heart", "thanks", "insightful", "funny"]
NotificationLevelName = Literal["watching", "tracking", "muted"]
FeedFilterName = Literal["all", "unread", "unanswered", "mine"]
#: Database ids: positive, and small enough for any database's integer column.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
TopicTags = Annotated[
    list[Tag],
    Field(max_length=5, description="Up to 5 tags, each one of the community's own tags."),
]
TitleText = Annotated[str, Field(max_length=200, description="3–200 characters.")]
PostText = Annotated[
    str, Field(min_length=1, max_length=50_000, description="The message, in Markdown.")
]
AttachmentIds = Annotated[
    list[Id],
    Field(
        max_length=10,
        description="Images you uploaded to this community, to attach (at most 10).",
    ),
]


DisclosureChoice = Annotated[
    Literal["", "none", "sponsored", "gift"],
    Field(
        description="Members with an affiliation only: `sponsored` or `gift` labels the post; "
        "`none` says explicitly it is not (where the community asks staff, brand and partner "
        "members to choose); fixed once published."
    ),
]


class TopicCreate(Body):
    title: TitleText
    body: PostText
    kind: TopicKindName = Field(
        default="discussion",
        description="`question` lets the asker accept an answer; `announcement` is for hosts.",
    )
    tags: TopicTags = []
    attachment_ids: AttachmentIds = []
    disclosure: DisclosureChoice = ""


class TopicPatch(PatchBody):
    """What changes on a topic; omitted fields stay as they are."""

    title: TitleText = unset(description="A new title (the author or a host).")
    tags: TopicTags = unset(description="The new set of tags (the author or a host).")
    pinned: bool = unset(description="Pin to the top of the community (hosts).")
    locked: bool = unset(description="Lock: no replies, edits or reactions but the hosts'.")
    closed: bool = unset(description="Close to new replies (hosts); reactions stay open.")


class TopicMoveIn(Body):
    community: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The slug of the community to move to; you must host both."
    )


class AcceptedAnswerIn(Body):
    post_id: Id = Field(description="A reply in this question.")


class ReplyCreate(Body):
    body: PostText
    reply_to: Id | None = Field(default=None, description="The post in this topic answered.")
    quoted: Id | None = Field(default=None, description="The post in this topic quoted.")
    attachment_ids: AttachmentIds = []
    disclosure: DisclosureChoice = ""


class PostPatch(Body):
    body: PostText


class ReadStateIn(Body):
    last_read_number: Annotated[int, Field(ge=0, le=2**31 - 1)] = Field(
        description="The number of the last post read; read state never moves backwards."
    )


class NotificationLevelIn(Body):
    level: NotificationLevelName = Field(
        description="`watching`: every new post; `tracking`: mentions and replies to you; "
        "`muted`: nothing."
    )


class CommunityLink(BaseModel):
    slug: str
    name: str


class Author(BaseModel):
    handle: str
    display_name: str = Field(description="The display name, or the handle when there is none.")
    avatar_url: str | None
    role: RoleName | None = Field(description="Their role in the community; `null` if they left.")
    affiliation: AffiliationName | None = Field(
        default=None, description="Who they speak for in the community, set by its hosts."
    )
    affiliation_name: str = Field(default="", description="The organisation, e.g. a brand.")


class TopicOut(BaseModel):
    id: int
    community: CommunityLink
    kind: TopicKindName
    title: str
    tags: list[str]
    author: UserSummary | None
    created_at: datetime
    last_posted_at: datetime
    last_poster: UserSummary | None
    reply_count: int
    last_post_number: int = Field(description="The highest post number so far.")
    pinned: bool
    locked: bool
    closed: bool
    answered: bool = Field(description="A question with an accepted answer.")
    deleted: bool = Field(description="Only hosts see deleted topics.")


class TopicListItem(TopicOut):
    participants: list[UserSummary] = Field(description="A few recent participants.")
    unread: bool = Field(description="Activity you have not read (always false signed out).")
    unread_count: int
    new: bool = Field(description="Started since you last caught up, never opened.")


class TopicList(BaseModel):
    items: list[TopicListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class PostLink(BaseModel):
    id: int
    number: int


class PostViewer(BaseModel):
    """You and this post."""

    reactions: list[ReactionName] = Field(description="The reactions you gave it.")
    bookmarked: bool
    can_edit: bool
    can_delete: bool
    can_view_history: bool
    can_react: bool
    can_accept: bool = Field(description="Accept it as the question's answer.")
    collapsed: bool = Field(
        default=False,
        description="A block stands between you and its author: apps show it collapsed.",
    )


class PostOut(BaseModel):
    id: int
    topic_id: int
    number: int = Field(description="1 is the opening post; replies follow in order.")
    author: Author | None
    body: str | None = Field(
        description="Markdown; `null` for a deleted post unless you host the community."
    )
    body_html: str | None = Field(description="The body rendered to sanitised HTML.")
    reply_to: PostLink | None
    quoted_id: int | None
    created_at: datetime
    edited_at: datetime | None
    edit_count: int
    deleted: bool
    hidden: bool = Field(
        description="Hidden by the hosts: `body` is `null` unless you wrote it or host here."
    )
    reaction_counts: dict[str, int] = Field(
        description="Per reaction kind, kinds with none left out."
    )
    disclosure: DisclosureName | None = Field(
        default=None, description="The author's label: sponsored, or about a gift."
    )
    disclosure_label: str | None = Field(
        default=None,
        description="The label as shown at the start of the post, in the community's language.",
    )
    viewer: PostViewer


class TopicViewer(BaseModel):
    """You and this topic."""

    can_reply: bool
    can_moderate: bool = Field(description="Pin, lock, close, move, restore (hosts).")
    can_follow: bool = Field(description="Keep read state and choose notifications (members).")
    can_accept: bool
    is_member: bool
    last_read_number: int
    first_unread_number: int | None
    notification_level: NotificationLevelName


class TopicDetail(TopicOut):
    opening_post: PostOut | None = Field(description="Post number 1.")
    accepted_answer: PostOut | None
    viewer: TopicViewer


class PostList(BaseModel):
    items: list[PostOut]
    page: int | None = Field(description="The page shown (20 posts a page), with `page`.")
    page_count: int
    last_post_number: int
    next_after: int | None = Field(
        description="Pass as `after` for the posts that follow; `null` at the end."
    )


class RevisionOut(BaseModel):
    number: int
    title: str = Field(description='The topic\'s title then (opening post), else `""`.')
    body: str
    edited_by: UserSummary | None
    created_at: datetime


class RevisionList(BaseModel):
    items: list[RevisionOut] = Field(description="Earlier versions, oldest first.")
    next_cursor: None = Field(default=None, description=WHOLE_LIST)


class ReactorOut(BaseModel):
    kind: ReactionName
    emoji: str
    user: UserSummary
    created_at: datetime


class ReactionList(BaseModel):
    counts: dict[str, int]
    items: list[ReactorOut] = Field(description="Who reacted, oldest first (the first 200).")
    next_cursor: None = Field(default=None, description=WHOLE_LIST)


class BookmarkOut(BaseModel):
    post: PostLink
    topic_id: int
    topic_title: str
    community: CommunityLink
    author: UserSummary | None
    body: str
    body_html: str
    bookmarked_at: datetime


class BookmarkList(BaseModel):
    items: list[BookmarkOut]
    next_cursor: str | None


class ReadStateOut(BaseModel):
    topic_id: int
    last_read_number: int
    last_post_number: int
    first_unread_number: int | None
    unread_count: int


class UnreadOut(BaseModel):
    community: CommunityLink
    unread_topics: int


class UnreadList(BaseModel):
    items: list[UnreadOut] = Field(description="Each of your communities, by name.")
    next_cursor: None = Field(default=None, description=WHOLE_LIST)


class NotificationLevelOut(BaseModel):
    level: NotificationLevelName


def community_link(community: Community) -> CommunityLink:
    return CommunityLink(slug=community.slug, name=community.name)


def _maybe_user(user: User | None) -> UserSummary | None:
    return user_summary(user) if user is not None else None


def load_topic_tags(topics: list[Topic]) -> None:
    """Tags for a page of topics in one query (skipped when already loaded)."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(topics, "tags")


def topic_out(topic: Topic) -> TopicOut:
    return TopicOut(
        id=topic.pk,
        community=community_link(topic.community),
        kind=topic.kind,  # type: ignore[arg-type]
        title=topic.title,
        tags=[tag.slug for tag in topic.tags.all()],
        author=_maybe_user(topic.author),
        created_at=topic.created_at,
        last_posted_at=topic.last_posted_at,
        last_poster=_maybe_user(topic.last_poster),
        reply_count=topic.reply_count,
        last_post_number=topic.last_post_number,
        pinned=topic.is_pinned,
        locked=topic.is_locked,
        closed=topic.is_closed,
        answered=topic.is_answered,
        deleted=topic.is_deleted,
    )


def topic_list(rows: list[TopicRow], next_cursor: str | None) -> TopicList:
    load_topic_tags([row.topic for row in rows])
    return TopicList(
        items=[
            TopicListItem(
                **topic_out(row.topic).model_dump(),
                participants=[user_summary(user) for user in row.participants],
                unread=row.unread,
                unread_count=row.unread_count,
                new=row.is_new,
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


def post_out(row: PostRow, *, host: bool) -> PostOut:
    """A post as the actor sees it: a deleted one keeps its place, its text only for hosts;
    one the hosts hid, its text only for its author and the hosts."""
    post = row.post
    hidden = (post.is_deleted and not host) or not row.flags.see_hidden
    author = post.author
    flags = row.flags
    return PostOut(
        id=post.pk,
        topic_id=post.topic_id,
        number=post.number,
        author=Author(
            handle=author.handle,
            display_name=author.name,
            avatar_url=_file_url(author.avatar),
            role=row.role,  # type: ignore[arg-type]
            affiliation=row.affiliation or None,  # type: ignore[arg-type]
            affiliation_name=row.affiliation_name,
        )
        if author is not None
        else None,
        body=None if hidden else post.body,
        body_html=None if hidden else post.body_html,
        reply_to=PostLink(id=post.reply_to.pk, number=post.reply_to.number)
        if post.reply_to_id and post.reply_to is not None
        else None,
        quoted_id=post.quoted_id,
        created_at=post.created_at,
        edited_at=post.edited_at,
        edit_count=post.edit_count,
        deleted=post.is_deleted,
        hidden=post.is_hidden,
        reaction_counts=dict(post.reaction_counts or {}),
        disclosure=post.disclosure or None,  # type: ignore[arg-type]
        disclosure_label=post_disclosure_label(post, post.topic.community) or None,
        viewer=PostViewer(
            reactions=sorted(row.my_reactions),  # type: ignore[arg-type]
            bookmarked=row.bookmarked,
            can_edit=flags.edit,
            can_delete=flags.delete,
            can_view_history=flags.history,
            can_react=flags.react,
            can_accept=flags.accept,
            collapsed=bool(row.blocked),
        ),
    )


def topic_detail(page: TopicPage, flags: TopicFlags) -> TopicDetail:
    """The topic with its opening post, accepted answer and the actor's state, from the
    first page of ``get_topic_page``."""
    topic = page.topic
    opening = next((row for row in page.rows if row.post.number == 1), None)
    return TopicDetail(
        **topic_out(topic).model_dump(),
        opening_post=post_out(opening, host=flags.moderate) if opening else None,
        accepted_answer=post_out(page.answer, host=flags.moderate) if page.answer else None,
        viewer=TopicViewer(
            can_reply=flags.reply,
            can_moderate=flags.moderate,
            can_follow=flags.follow,
            can_accept=flags.accept,
            is_member=flags.is_member,
            last_read_number=page.last_read,
            first_unread_number=page.first_unread,
            notification_level=page.level,  # type: ignore[arg-type]
        ),
    )


def read_state_out(topic: Topic, last_read: int) -> ReadStateOut:
    from cerchia.discussions.queries import first_unread_number

    return ReadStateOut(
        topic_id=topic.pk,
        last_read_number=last_read,
        last_post_number=topic.last_post_number,
        first_unread_number=first_unread_number(topic, last_read),
        unread_count=max(0, topic.last_post_number - last_read),
    )


def revision_out(revision: PostRevision) -> RevisionOut:
    return RevisionOut(
        number=revision.number,
        title=revision.title,
        body=revision.body,
        edited_by=_maybe_user(revision.edited_by),
        created_at=revision.created_at,
    )


def reaction_list(post: Post, reactions: list[Reaction]) -> ReactionList:
    from cerchia.discussions.models import REACTION_EMOJI

    return ReactionList(
        counts=dict(post.reaction_counts or {}),
        items=[
            ReactorOut(
                kind=reaction.kind,  # type: ignore[arg-type]
                emoji=REACTION_EMOJI.get(reaction.kind, ""),
                user=user_summary(reaction.user),
                created_at=reaction.created_at,
            )
            for reaction in reactions
        ],
    )


def bookmark_out(bookmark: Bookmark) -> BookmarkOut:
    post = bookmark.post
    topic = post.topic
    return BookmarkOut(
        post=PostLink(id=post.pk, number=post.number),
        topic_id=topic.pk,
        topic_title=topic.title,
        community=community_link(topic.community),
        author=_maybe_user(post.author),
        body=post.body,
        body_html=post.body_html,
        bookmarked_at=bookmark.created_at,
    )
