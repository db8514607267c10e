from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shire.core"
    label = "core"
    verbose_name = "People, teams and audit"
