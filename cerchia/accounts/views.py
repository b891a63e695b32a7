"""Profile and settings pages: parse the request, call an action or a query, render."""

from __future__ import annotations

import json
from typing import Any

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cerchia.accounts import actions, queries
from cerchia.accounts.forms import (
    AccessTokenForm,
    DeleteAccountForm,
    PreferencesForm,
    PrivacyForm,
    ProfileForm,
    apply_errors,
)
from cerchia.accounts.models import User
from cerchia.accounts.permissions import can_create_access_token, can_edit_profile
from cerchia.core.errors import ActionRefused


def _member(request: HttpRequest) -> User:
    """The signed-in member (views using it are behind ``login_required``)."""
    user = request.user
    assert isinstance(user, User)
    return user


SECTION_TITLES = {
    "profile": gettext_lazy("Profile"),
    "privacy": gettext_lazy("Privacy and consent"),
    "preferences": gettext_lazy("Language and timezone"),
    "tokens": gettext_lazy("Access tokens"),
    "export": gettext_lazy("Export your data"),
    "delete": gettext_lazy("Delete your account"),
}


def _data(request: HttpRequest) -> Any:
    """The submitted form data for a POST (even an empty one), ``None`` for a GET."""
    return request.POST if request.method == "POST" else None


def _settings_page(
    request: HttpRequest, section: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request,
        f"accounts/settings/{section}.html",
        {
            "section": section,
            "title": SECTION_TITLES[section],
            "member": _member(request),
            **context,
        },
        status=status,
    )


# --- Profile ------------------------------------------------------------------------


@require_GET
def profile(request: HttpRequest, handle: str) -> HttpResponse:
    """A member's public profile, as far as the viewer may see it."""
    user = queries.get_profile(request.user, handle)
    if user.handle != handle:
        return redirect("accounts:profile", handle=user.handle)
    context = {
        "profile_user": user,
        "interests": list(user.interests.all()),
        "memberships": queries.list_profile_memberships(request.user, user),
        "is_self": request.user.is_authenticated and request.user.pk == user.pk,
    }
    return render(request, "accounts/profile.html", context)


# --- Settings ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request: HttpRequest) -> HttpResponse:
    """Display name, handle, bio, avatar, interests and profile visibility."""
    member = _member(request)
    files = request.FILES if request.method == "POST" else None
    form = ProfileForm(_data(request), files, user=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_profile(
                member,
                member,
                display_name=data["display_name"],
                handle=data["handle"],
                bio=data["bio"],
                interests=data["interests"],
                profile_visibility=data["profile_visibility"],
                avatar=data.get("avatar"),
                remove_avatar=bool(data.get("remove_avatar")),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:settings")
    return _settings_page(
        request,
        "profile",
        {"form": form, "can_edit": can_edit_profile(member, member)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_privacy(request: HttpRequest) -> HttpResponse:
    """Analytics and marketing-email consent, with the history of every change."""
    member = _member(request)
    form = PrivacyForm(
        _data(request),
        initial={
            "analytics_consent": member.analytics_consent,
            "marketing_consent": member.marketing_consent,
        },
    )
    if request.method == "POST" and form.is_valid():
        changed = actions.update_consents(
            member,
            member,
            analytics=form.cleaned_data["analytics_consent"],
            marketing=form.cleaned_data["marketing_consent"],
        )
        if changed:
            messages.success(request, _("Your choices are saved."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("accounts:settings_privacy")
    return _settings_page(
        request,
        "privacy",
        {"form": form, "history": queries.list_consent_history(member)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_preferences(request: HttpRequest) -> HttpResponse:
    """Interface language and timezone."""
    member = _member(request)
    form = PreferencesForm(
        _data(request), initial={"language": member.language, "timezone": member.timezone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_preferences(
                member,
                member,
                language=form.cleaned_data["language"],
                timezone_name=form.cleaned_data["timezone"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            response = redirect("accounts:settings_preferences")
            if member.language:
                _set_language_cookie(response, member.language)
            messages.success(request, _("Your preferences are saved."))
            return response
    return _settings_page(
        request,
        "preferences",
        {"form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def settings_tokens(request: HttpRequest) -> HttpResponse:
    """Personal access tokens: create one (its value shown once, here) and list them."""
    member = _member(request)
    form = AccessTokenForm(_data(request))
    new_token: str | None = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = actions.create_access_token(
                member, member, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            form = AccessTokenForm()
    return _settings_page(
        request,
        "tokens",
        {
            "form": form,
            "new_token": new_token,
            "tokens": queries.list_access_tokens(member),
            "can_create": can_create_access_token(member, member),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the member's tokens."""
    member = _member(request)
    token = queries.get_own_access_token(member, token_id)
    if actions.revoke_access_token(member, token):
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:settings_tokens")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def settings_export(request: HttpRequest) -> HttpResponse:
    """Explain the export (GET) and download it as a JSON attachment (POST)."""
    member = _member(request)
    if request.method == "GET":
        return _settings_page(request, "export", {})
    data = actions.export_account(member, member)
    filename = f"cerchia-{member.handle}-{timezone.now():%Y-%m-%d}.json"
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def settings_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account after the password, unless the member still owns a community."""
    member = _member(request)
    form = DeleteAccountForm(_data(request))
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="reauthenticate", user=member):
            form.add_error(None, _("Too many attempts. Wait a minute and try again."))
        else:
            try:
                actions.delete_account(
                    member,
                    member,
                    password=form.cleaned_data["password"],
                    posts=form.cleaned_data["posts"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                logout(request)
                messages.success(request, _("Your account is deleted. Goodbye, and thank you."))
                return redirect("/")
    return _settings_page(
        request,
        "delete",
        {"form": form, "owned_communities": queries.list_owned_communities(member)},
        status=400 if form.errors else 200,
    )


# --- Language switch --------------------------------------------------------------------


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


def _safe_next(request: HttpRequest) -> str:
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return "/"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: a cookie for everyone, the profile for members."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(
            _("Unknown language."), content_type="text/plain; charset=utf-8"
        )
    response = HttpResponseRedirect(_safe_next(request))
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        actions.update_preferences(user, user, language=language)
    _set_language_cookie(response, language)
    return response
