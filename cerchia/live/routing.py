"""Websocket URLs: one endpoint per page."""

from __future__ import annotations

from django.urls import path

from cerchia.live.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/", LiveConsumer.as_asgi()),
]
