"""Profile and settings pages (namespace ``accounts``), and the top-level language switch."""

from django.urls import URLPattern, path

from cerchia.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("u/<str:handle>/", views.profile, name="profile"),
    path("settings/", views.settings_profile, name="settings"),
    path("settings/privacy/", views.settings_privacy, name="settings_privacy"),
    path("settings/preferences/", views.settings_preferences, name="settings_preferences"),
    path("settings/tokens/", views.settings_tokens, name="settings_tokens"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.revoke_token,
        name="revoke_token",
    ),
    path("settings/export/", views.settings_export, name="settings_export"),
    path("settings/delete/", views.settings_delete, name="settings_delete"),
]

#: Mounted at the site root without a namespace: ``{% url "set_language" %}``.
root_urlpatterns: list[URLPattern] = [
    path("language/", views.set_language, name="set_language"),
]
