from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "buurtonderzoek.dashboards"
    label = "dashboards"
