from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "shire.directory"
    label = "directory"
    verbose_name = "Community directory"
