from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "cerchia.moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Notification kinds register themselves on import.
        from cerchia.moderation import (  # noqa: F401
            notifications_queue,
            notifications_sanctions,
            notifications_welcome,
        )
