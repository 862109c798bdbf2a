from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "buurtonderzoek.incidents"
    label = "incidents"
