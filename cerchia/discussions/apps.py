from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "cerchia.discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        from cerchia.discussions import page_cache

        page_cache.connect()
