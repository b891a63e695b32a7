"""The site admin's view of members: search, suspension, tokens and consents (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cerchia.accounts import actions
from cerchia.accounts.forms import SuspendForm
from cerchia.accounts.models import AccessToken, ConsentRecord, Interest, User


class MemberCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "handle")


class MemberChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Suspended")), ("no", _("Not suspended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = ("kind", "granted", "created_at")
    readonly_fields = fields
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AccessTokenInline(admin.TabularInline):
    model = AccessToken
    extra = 0
    can_delete = False
    fields = ("name", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = (
        "email",
        "handle",
        "display_name",
        "is_staff",
        "is_active",
        "suspended_at",
        "date_joined",
    )
    list_filter = (SuspendedFilter, "is_staff", "is_superuser", "is_active", "profile_visibility")
    search_fields = ("email", "handle", "display_name")
    ordering = ("-date_joined",)
    readonly_fields = (
        "suspended_at",
        "suspension_reason",
        "deleted_at",
        "date_joined",
        "last_login",
    )
    filter_horizontal = ("groups", "user_permissions", "interests")
    inlines = (ConsentRecordInline, AccessTokenInline)
    actions = ("suspend_selected", "unsuspend_selected")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "handle",
                    "display_name",
                    "bio",
                    "avatar",
                    "interests",
                    "language",
                    "timezone",
                    "profile_visibility",
                )
            },
        ),
        (_("Consent"), {"fields": ("analytics_consent", "marketing_consent")}),
        (_("Suspension"), {"fields": ("suspended_at", "suspension_reason")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("date_joined", "last_login", "deleted_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "handle", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Consent is the member's own answer: admins read it, never change it.
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += ["analytics_consent", "marketing_consent"]
        return readonly

    @admin.action(description=_("Suspend selected members"))
    def suspend_selected(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = self._apply(
                request,
                queryset,
                lambda user: actions.suspend_account(
                    request.user, user, form.cleaned_data["reason"]
                ),
            )
            self.message_user(
                request,
                ngettext("%(count)d member suspended.", "%(count)d members suspended.", done)
                % {"count": done},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Suspend members"),
            "opts": self.model._meta,
            "members": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "accounts/admin/suspend_confirmation.html", context)

    @admin.action(description=_("Lift the suspension of selected members"))
    def unsuspend_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = self._apply(
            request, queryset, lambda user: actions.unsuspend_account(request.user, user)
        )
        self.message_user(
            request,
            ngettext("%(count)d suspension lifted.", "%(count)d suspensions lifted.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    def _apply(self, request: HttpRequest, queryset: QuerySet[User], change: Any) -> int:
        done = 0
        for user in queryset:
            try:
                if change(user):
                    done += 1
            except (PermissionDenied, ValidationError) as error:
                message = error.messages[0] if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{user.email}: {message}", messages.ERROR)
        return done


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix", "user__email", "user__handle")
    raw_id_fields = ("user",)
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Members revoke their tokens themselves; suspending an account stops its writes.
        return False
