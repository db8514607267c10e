from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "shire.consult"
    label = "consult"
    verbose_name = "Consultations"
