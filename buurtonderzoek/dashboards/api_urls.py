from django.urls import path

from buurtonderzoek.dashboards import api

urlpatterns = [
    path("v1/gemeenten/<int:gemeente_id>/grip/", api.grip_figures, name="api-grip"),
    path("v1/gemeenten/<int:gemeente_id>/team-health/", api.team_health_list, name="api-team-health"),
]
