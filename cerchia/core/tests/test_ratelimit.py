"""Named rate limits on posting, invitations and uploads: 429 with Retry-After on pages and
in the API, counted per account, nothing written when refused, open when the cache is down."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache.backends.base import BaseCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.models import Invitation
from cerchia.core import ratelimit
from cerchia.core.testing import clear_cache, make_topic, make_user
from cerchia.discussions import actions as discussion_actions
from cerchia.discussions.models import Attachment, Post, Topic
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


class BrokenCache(BaseCache):
    """A cache whose server is down: every call raises, as Redis does when unreachable."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _down(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache server unreachable")

    add = get = set = touch = delete = incr = clear = has_key = get_many = set_many = _down
    delete_many = _down


BROKEN_CACHES = {"default": {"BACKEND": "cerchia.core.tests.test_ratelimit.BrokenCache"}}


def cache_down() -> override_settings:
    """Within the block the cache is unreachable (a context manager: the settings fixture
    would restore the cache only after other fixtures' teardown had used it)."""
    return override_settings(CACHES=BROKEN_CACHES)


@pytest.fixture(autouse=True)
def fresh_counts() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def topic_url(community: Any) -> str:
    return reverse("discussions:new_topic", kwargs={"slug": community.slug})


def reply_url(topic: Topic) -> str:
    return reverse("discussions:reply", kwargs={"slug": topic.community.slug, "topic_id": topic.pk})


def topic_form(title: str) -> dict[str, str]:
    return {"title": title, "body": "Hello there", "kind": "discussion"}


def png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), color="red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def assert_retry_after(response: Any, period: int = 3600) -> None:
    assert 1 <= int(response["Retry-After"]) <= period


# --- The counter ------------------------------------------------------------------------------


def test_parse_rates_reads_several_windows() -> None:
    assert ratelimit.parse_rates("10/m, 100/d") == [(10, 60), (100, 86400)]
    assert ratelimit.parse_rates("3/5m") == [(3, 300)]
    assert ratelimit.parse_rates("") == []
    with pytest.raises(ValueError, match="invalid rate"):
        ratelimit.parse_rate("3/w")


def test_a_limit_refuses_past_its_count_with_the_wait(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"report": "2/m"}
    ratelimit.hit("report", ip="198.51.100.1")
    ratelimit.hit("report", ip="198.51.100.1")
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit("report", ip="198.51.100.1")
    assert refused.value.status == 429
    assert 1 <= refused.value.retry_after <= 60
    ratelimit.hit("report", ip="198.51.100.2")  # another address has its own count


def test_every_window_of_a_limit_counts(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"report": "5/m,2/d"}
    ratelimit.hit("report", ip="198.51.100.3")
    ratelimit.hit("report", ip="198.51.100.3")
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit("report", ip="198.51.100.3")
    assert refused.value.retry_after > 60  # the daily window is the one that refused


def test_signed_in_people_count_per_account_not_per_address(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"report": "1/h"}
    first, second = make_user("first"), make_user("second")
    ratelimit.hit("report", user=first, ip="198.51.100.4")
    ratelimit.hit("report", user=second, ip="198.51.100.4")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("report", user=first, ip="203.0.113.99")


def test_an_ipv6_client_is_counted_by_its_slash_64(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"report": "1/h"}
    ratelimit.hit("report", ip="2001:db8:1:2::1")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("report", ip="2001:db8:1:2:ffff::9")
    ratelimit.hit("report", ip="2001:db8:1:3::1")
    assert ratelimit.address_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert ratelimit.address_key("") == "-"


def test_the_environment_overrides_limits_and_refuses_nonsense(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from cerchia.config.env import env_rate_limits

    monkeypatch.setenv("RATE_LIMITS", " post = 10/5m, 60/d ; invite= ;")
    assert env_rate_limits("RATE_LIMITS") == {"post": "10/5m,60/d", "invite": ""}
    for nonsense in ("post", "post=ten/m", "post=10/w", "=10/m"):
        monkeypatch.setenv("RATE_LIMITS", nonsense)
        with pytest.raises(ImproperlyConfigured, match="RATE_LIMITS"):
            env_rate_limits("RATE_LIMITS")


def test_no_configured_rate_means_no_limit(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"report": ""}
    for _ in range(50):
        ratelimit.hit("report", ip="198.51.100.5")
        ratelimit.hit("post", ip="198.51.100.5")


def test_test_runs_have_no_limits_by_default() -> None:
    from django.conf import settings

    assert settings.CERCHIA_RATE_LIMITS == {}


# --- Posting ----------------------------------------------------------------------------------


def test_posting_too_fast_is_a_429_page_and_writes_nothing(
    client: Any, settings: Any, public_community: Any, member: Any
) -> None:
    settings.CERCHIA_RATE_LIMITS = {"post": "2/h"}
    client.force_login(member)
    for index in range(2):
        assert (
            client.post(topic_url(public_community), topic_form(f"Topic {index}")).status_code
            == 302
        )
    events_before = Event.objects.count()
    response = client.post(topic_url(public_community), topic_form("One too many"))
    assert response.status_code == 429
    assert_retry_after(response)
    assert "Please slow down a little" in response.content.decode()
    assert not Topic.objects.filter(title="One too many").exists()
    assert Event.objects.count() == events_before


def test_replying_too_fast_over_htmx_is_a_429_fragment(
    client: Any, settings: Any, public_community: Any, member: Any, owner: Any
) -> None:
    topic = make_topic(public_community, owner, title="Say hello")
    settings.CERCHIA_RATE_LIMITS = {"post": "1/h"}
    client.force_login(member)
    client.post(reply_url(topic), {"body": "First"}, **HTMX)
    posts = Post.objects.filter(topic=topic).count()
    response = client.post(reply_url(topic), {"body": "Second"}, **HTMX)
    assert response.status_code == 429
    assert_retry_after(response)
    html = response.content.decode()
    assert "too many tries" in html
    assert "<html" not in html
    assert Post.objects.filter(topic=topic).count() == posts


def test_posting_too_fast_in_the_api_is_a_429_problem(
    settings: Any, public_community: Any, member: Any
) -> None:
    settings.CERCHIA_RATE_LIMITS = {"post": "1/h"}
    api = ApiClient(make_token(member))
    path = f"/communities/{public_community.slug}/topics"
    body = {"title": "By the API", "body": "Hello", "kind": "discussion"}
    assert api.post(path, body).status_code == 201
    response = api.post(path, {**body, "title": "Again by the API"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "throttled"
    assert_retry_after(response)
    assert not Topic.objects.filter(title="Again by the API").exists()


def test_pages_and_the_api_share_one_posting_count(
    client: Any, settings: Any, public_community: Any, member: Any
) -> None:
    settings.CERCHIA_RATE_LIMITS = {"post": "1/h"}
    client.force_login(member)
    assert client.post(topic_url(public_community), topic_form("From the page")).status_code == 302
    topic = Topic.objects.get(title="From the page")
    response = ApiClient(make_token(member)).post(f"/topics/{topic.pk}/posts", {"body": "Hi"})
    assert response.status_code == 429


def test_each_account_has_its_own_posting_count(
    client: Any, settings: Any, public_community: Any, member: Any, moderator: Any
) -> None:
    settings.CERCHIA_RATE_LIMITS = {"post": "1/h"}
    client.force_login(member)
    client.post(topic_url(public_community), topic_form("Member's topic"))
    client.force_login(moderator)
    assert client.post(topic_url(public_community), topic_form("Host's topic")).status_code == 302


def test_people_who_may_not_post_are_refused_as_before_not_counted(
    client: Any, settings: Any, private_community: Any, stranger: Any
) -> None:
    # A 429 would tell a stranger the private community exists: rights come first.
    settings.CERCHIA_RATE_LIMITS = {"post": "1/h"}
    client.force_login(stranger)
    statuses = {
        client.post(topic_url(private_community), topic_form(f"Nope {i}")).status_code
        for i in range(3)
    }
    assert 429 not in statuses
    assert not Topic.objects.filter(community=private_community, title__startswith="Nope").exists()


def test_a_host_approving_a_held_post_does_not_use_the_authors_count(
    settings: Any, public_community: Any, member: Any
) -> None:
    settings.CERCHIA_RATE_LIMITS = {"post": "1/h"}
    discussion_actions.create_topic(member, public_community, title="Own topic", body="Hi")
    topic = discussion_actions.create_topic(
        member, public_community, title="Published on approval", body="Hi", screen=False
    )
    assert topic.pk


def test_posting_goes_on_when_the_cache_is_down(
    settings: Any, public_community: Any, member: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CERCHIA_RATE_LIMITS = {"post": "1/h"}
    with cache_down(), caplog.at_level(logging.WARNING, logger="cerchia.ratelimit"):
        for index in range(3):
            ratelimit.hit("post", user=member)
            discussion_actions.create_topic(
                member, public_community, title=f"Still posting {index}", body="Hi"
            )
    assert Topic.objects.filter(title__startswith="Still posting").count() == 3
    assert "cannot be counted; allowing" in caplog.text


def test_the_api_throttle_fails_open_when_the_cache_is_down(
    settings: Any, public_community: Any, member: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CERCHIA_API_RATES = {"anon": "1/m", "user": "1/m", "write": "1/m"}
    api = ApiClient(make_token(member))
    with cache_down(), caplog.at_level(logging.WARNING, logger="cerchia.api"):
        statuses = [api.get(f"/communities/{public_community.slug}").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert "cannot be counted; allowing" in caplog.text


# --- Reports ----------------------------------------------------------------------------------


def test_reporting_too_fast_is_refused_and_files_nothing(
    client: Any, settings: Any, public_community: Any, member: Any, owner: Any
) -> None:
    from cerchia.moderation.models import Report

    settings.CERCHIA_RATE_LIMITS = {"report": "1/h"}
    first = make_topic(public_community, owner, title="First odd topic")
    second = make_topic(public_community, owner, title="Second odd topic")
    client.force_login(member)

    def report(topic: Topic) -> Any:
        url = reverse(
            "moderation:report_topic", kwargs={"slug": public_community.slug, "topic_id": topic.pk}
        )
        return client.post(url, {"reason": "spam"})

    assert report(first).status_code == 302
    response = report(second)
    assert response.status_code == 429
    assert_retry_after(response)
    assert list(Report.objects.values_list("topic__title", flat=True)) == ["First odd topic"]


# --- Invitations ------------------------------------------------------------------------------


def test_inviting_too_fast_is_refused_on_the_page_and_in_the_api(
    client: Any, settings: Any, public_community: Any, owner: Any
) -> None:
    settings.CERCHIA_RATE_LIMITS = {"invite": "1/h"}
    page = reverse("communities:invitations", kwargs={"slug": public_community.slug})
    client.force_login(owner)
    assert client.post(page, {"expires_days": "7"}).status_code == 302
    before = Invitation.objects.count()
    response = client.post(page, {"expires_days": "7"})
    assert response.status_code == 429
    assert_retry_after(response)
    api = ApiClient(make_token(owner))
    problem = api.post(f"/communities/{public_community.slug}/invitations", {})
    assert problem.status_code == 429
    assert problem.json()["code"] == "throttled"
    assert Invitation.objects.count() == before


# --- Uploads ----------------------------------------------------------------------------------


def test_uploading_too_fast_is_a_429_json_error(
    client: Any, settings: Any, public_community: Any, member: Any
) -> None:
    settings.CERCHIA_RATE_LIMITS = {"upload": "1/h"}
    url = reverse("discussions:upload_attachment", kwargs={"slug": public_community.slug})
    client.force_login(member)
    json_accept = {"HTTP_ACCEPT": "application/json"}
    assert client.post(url, {"image": png()}, **json_accept).status_code == 201
    response = client.post(url, {"image": png("again.png")}, **json_accept)
    assert response.status_code == 429
    assert_retry_after(response)
    assert "too many tries" in response.json()["error"]
    assert Attachment.objects.filter(uploaded_by=member).count() == 1


def test_avatar_uploads_count_as_uploads(client: Any, settings: Any, member: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"upload": "1/h"}
    client.force_login(member)
    url = reverse("accounts:settings")
    form = {
        "display_name": member.display_name,
        "handle": member.handle,
        "bio": "",
        "interests": "",
        "profile_visibility": member.profile_visibility,
    }
    client.post(url, {**form, "avatar": png()})
    member.refresh_from_db()
    first_avatar = member.avatar.name
    response = client.post(url, {**form, "bio": "Changed", "avatar": png("second.png")})
    assert response.status_code == 429
    assert_retry_after(response)
    member.refresh_from_db()
    assert member.avatar.name == first_avatar
    assert member.bio == ""
