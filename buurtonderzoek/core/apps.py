from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "buurtonderzoek.core"
    label = "core"
    verbose_name = "Kern"
