from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shire.demo"
    label = "demo"
    verbose_name = "Leicestershire demo data"
