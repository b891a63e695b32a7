"""Hooks Cerchia into django-allauth's sign-up flow."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest

from cerchia.accounts.handles import unique_handle_for
from cerchia.insights.log import record_event


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=False)
            if not user.handle:
                user.handle = unique_handle_for(user.email.split("@")[0])
            language = getattr(request, "LANGUAGE_CODE", "")
            if language and not user.language:
                user.language = language
            if commit:
                user.save()
                record_event("account.signed_up", actor=user, subject=user)
        return user

    def get_client_ip(self, request: HttpRequest) -> str:
        return getattr(request, "client_ip", None) or super().get_client_ip(request)
