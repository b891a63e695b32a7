from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cerchia.core"
    label = "core"

    def ready(self) -> None:
        from cerchia.core import checks  # noqa: F401 - registers system checks
