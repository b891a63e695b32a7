from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "cerchia.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        # The announcement notification and email kinds register themselves on import.
        from cerchia.insights import notifications_announcements  # noqa: F401
