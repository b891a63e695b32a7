"""ASGI entry point: the websockets (``cerchia serve`` serves HTTP through WSGI).

HTTP is routed too, so one ASGI server alone can also serve the whole site.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cerchia.config.settings")
# Django must be set up before the consumers import models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from cerchia.live.relay import with_relay  # noqa: E402
from cerchia.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The relay takes events from the other processes of ``cerchia serve``.
        "http": with_relay(django_asgi_app),
        # Session cookies ride along cross-origin: only pages of this site may connect.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
