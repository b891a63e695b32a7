from django.urls import URLPattern, path

from cerchia.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:notification_id>/", views.open_notification, name="open"),
    path("notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("notifications/badge/", views.badge, name="badge"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("settings/notifications/", views.preferences, name="preferences"),
]
