from django.urls import URLPattern, path

from cerchia.search import views

app_name = "search"

urlpatterns: list[URLPattern] = [
    path("search/", views.search, name="search"),
]
