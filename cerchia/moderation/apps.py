from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "cerchia.moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Notification kinds register themselves on import.
        from cerchia.moderation import notifications_queue  # noqa: F401
        from cerchia.moderation import notifications_sanctions  # noqa: F401
        from cerchia.moderation import notifications_welcome  # noqa: F401

        pass
