from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cerchia.api"
    label = "api"
