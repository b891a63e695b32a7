from django.contrib import admin
from django.urls import include, path, re_path

from cerchia.accounts.urls import root_urlpatterns as account_root_urlpatterns
from cerchia.communities.urls import root_urlpatterns as community_root_urlpatterns
from cerchia.core.media import serve_media

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("cerchia.api.urls")),
    re_path(r"^media/(?P<path>.+)$", serve_media, name="media"),
    path("", include(("cerchia.accounts.urls", "accounts"))),
    *account_root_urlpatterns,
    *community_root_urlpatterns,
    path("", include(("cerchia.discussions.urls", "discussions"))),
    path("", include(("cerchia.search.urls", "search"))),
    path("", include(("cerchia.notifications.urls", "notifications"))),
    path("", include(("cerchia.moderation.urls", "moderation"))),
    path("", include(("cerchia.insights.urls", "insights"))),
    path("", include(("cerchia.communities.urls", "communities"))),
]

#: allauth answers its own rate limits (per email address, per account) with this view.
handler429 = "cerchia.core.ratelimit.allauth_too_many_requests"
