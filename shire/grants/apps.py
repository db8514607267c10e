from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "shire.grants"
    label = "grants"
    verbose_name = "Community grants"
