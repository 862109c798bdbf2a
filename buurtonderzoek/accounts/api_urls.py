from django.urls import include, path
from rest_framework.routers import DefaultRouter

from buurtonderzoek.accounts import api

router = DefaultRouter()
router.register("teams", api.TeamViewSet, basename="api-team")
router.register("police-units", api.PoliceUnitViewSet, basename="api-police-unit")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/me/memberships/", api.my_memberships, name="api-my-memberships"),
]
