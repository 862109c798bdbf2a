from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "buurtonderzoek.monitor"
    label = "monitor"
    verbose_name = _("Communitymonitor veiligheid")
    default_auto_field = "django.db.models.BigAutoField"
