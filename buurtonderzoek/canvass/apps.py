from typing import Any

from django.apps import AppConfig


class CanvassConfig(AppConfig):
    name = "buurtonderzoek.canvass"
    label = "canvass"

    def ready(self) -> None:
        from buurtonderzoek.incidents.signals import incident_transitioned

        incident_transitioned.connect(_on_incident_transitioned, dispatch_uid="canvass_sync_status")


def _on_incident_transitioned(sender: Any, *, incident: Any, to_status: str, **kwargs: Any) -> None:
    from buurtonderzoek.canvass.actions import sync_canvass_status

    sync_canvass_status(incident, to_status)
