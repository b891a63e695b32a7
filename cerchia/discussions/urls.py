from django.urls import URLPattern

from cerchia.discussions.views import feed, topics

app_name = "discussions"

urlpatterns: list[URLPattern] = [*topics.urlpatterns, *feed.urlpatterns]
