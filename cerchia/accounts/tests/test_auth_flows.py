"""Sign-up, verification, sign-in, reset: the allauth flows as Cerchia configures them."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from cerchia.accounts.models import User
from cerchia.core.testing import PASSWORD, clear_cache, make_user
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db
STRONG = "a-long and unusual passphrase 42"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    clear_cache()
    yield
    clear_cache()


def sign_up(client: Client, email: str, password: str = STRONG):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": password, "password2": password}
    )


def confirmation_link() -> str:
    match = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", str(mail.outbox[-1].body)
    )
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_sign_up_verify_and_sign_in():
    client = Client()
    response = sign_up(client, "Anna.Rossi@Example.org")
    assert response.status_code == 302
    user = User.objects.get(email__iexact="anna.rossi@example.org")
    assert user.handle == "annarossi"
    assert user.password.startswith(("argon2", "md5"))  # md5 only under the test hasher
    assert not EmailAddress.objects.get(user=user).verified
    assert Event.objects.filter(kind="account.signed_up", actor=user).exists()
    # Unverified accounts cannot use the site yet.
    assert Client().post(
        "/accounts/login/", {"login": "anna.rossi@example.org", "password": STRONG}
    ).status_code in (200, 302)
    link = confirmation_link()
    page = client.get(link)
    assert page.status_code == 200
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    other = Client()
    response = other.post(
        "/accounts/login/", {"login": "ANNA.ROSSI@example.org", "password": STRONG}
    )
    assert response.status_code == 302
    assert other.get("/settings/").status_code == 200


def test_sign_up_refuses_weak_or_mismatched_passwords():
    client = Client()
    assert sign_up(client, "weak@example.org", "12345678").status_code == 200
    response = client.post(
        "/accounts/signup/",
        {"email": "mismatch@example.org", "password1": STRONG, "password2": STRONG + "x"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email__in=["weak@example.org", "mismatch@example.org"]).exists()


def test_sign_up_with_a_taken_email_does_not_reveal_it():
    make_user("taken", email="taken@example.org")
    fresh = sign_up(Client(), "fresh@example.org")
    taken = sign_up(Client(), "taken@example.org")
    # Same answer as for a new address; the owner of the address gets an email instead.
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert any("taken@example.org" in message.to for message in mail.outbox)


def test_password_reset_does_not_reveal_whether_an_email_is_registered():
    make_user("known", email="known@example.org")
    known = Client().post("/accounts/password/reset/", {"email": "known@example.org"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_wrong_password_message_is_the_same_for_unknown_emails():
    make_user("known", email="known@example.org")
    wrong = Client().post(
        "/accounts/login/", {"login": "known@example.org", "password": "nope-nope"}
    )
    unknown = Client().post(
        "/accounts/login/", {"login": "ghost@example.org", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 200
    errors = lambda response: response.context["form"].non_field_errors()  # noqa: E731
    assert list(errors(wrong)) == list(errors(unknown))


def test_failed_logins_are_rate_limited_per_account():
    make_user("target", email="target@example.org")
    client = Client()
    for _ in range(6):
        client.post("/accounts/login/", {"login": "target@example.org", "password": "wrong"})
    # Even the right password is refused while the limit holds.
    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_login_requests_are_rate_limited_per_address():
    client = Client()
    statuses = [
        client.post(
            "/accounts/login/", {"login": f"u{index}@example.org", "password": "x"}
        ).status_code
        for index in range(35)
    ]
    assert 429 in statuses


def test_sign_up_is_rate_limited():
    client = Client()
    statuses = [sign_up(client, f"new{index}@example.org").status_code for index in range(25)]
    assert 429 in statuses
    assert User.objects.count() < 25


def test_logout_needs_post():
    user = make_user("leaving")
    client = Client()
    client.force_login(user)
    client.get("/accounts/logout/")
    assert client.get("/settings/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/settings/").status_code == 302


def test_two_factor_sign_in_asks_for_the_code():
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    user = make_user("careful", email="careful@example.org")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "careful@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value(secret, counter))
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_never_hands_out_a_reserved_handle():
    sign_up(Client(), "admin@example.org")
    handle = User.objects.get(email="admin@example.org").handle
    assert handle.startswith("admin_")
