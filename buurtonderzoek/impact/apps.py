from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "buurtonderzoek.impact"
    verbose_name = _("Design voor impact")
    default_auto_field = "django.db.models.BigAutoField"
