from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "shire.directory"
    label = "directory"
    verbose_name = "Community directory"

    def ready(self):
        from . import signals

        signals.connect()
