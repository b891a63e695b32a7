from django.urls import URLPattern, path

from cerchia.communities import views

app_name = "communities"

urlpatterns: list[URLPattern] = [
    path("c/", views.directory, name="directory"),
    path("c/new/", views.create, name="create"),
    path("c/<slug:slug>/", views.detail, name="detail"),
    path("c/<slug:slug>/members/", views.members, name="members"),
    path("c/<slug:slug>/join/", views.join, name="join"),
    path("c/<slug:slug>/leave/", views.leave, name="leave"),
    path("c/<slug:slug>/request/", views.request_to_join, name="request"),
    path("c/<slug:slug>/request/withdraw/", views.withdraw_request, name="withdraw_request"),
    path("c/<slug:slug>/waitlist/leave/", views.leave_waitlist, name="leave_waitlist"),
    path("c/<slug:slug>/settings/", views.settings_general, name="settings"),
    path(
        "c/<slug:slug>/settings/membership/",
        views.settings_membership,
        name="settings_membership",
    ),
    path("c/<slug:slug>/settings/requests/", views.requests, name="requests"),
    path(
        "c/<slug:slug>/settings/requests/<int:request_id>/",
        views.decide_request,
        name="decide_request",
    ),
    path("c/<slug:slug>/settings/invitations/", views.invitations, name="invitations"),
    path(
        "c/<slug:slug>/settings/invitations/<int:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("c/<slug:slug>/settings/roles/", views.roles, name="roles"),
    path("c/<slug:slug>/settings/roles/<str:handle>/", views.change_role, name="change_role"),
    path(
        "c/<slug:slug>/settings/roles/<str:handle>/transfer/",
        views.transfer,
        name="transfer",
    ),
    path("invite/<str:token>/", views.invitation, name="invitation"),
]

#: Included by the root URLconf without a namespace: ``{% url "home" %}``.
root_urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
]
