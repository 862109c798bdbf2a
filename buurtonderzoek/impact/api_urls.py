from django.urls import include, path
from rest_framework.routers import SimpleRouter

from buurtonderzoek.impact import api

router = SimpleRouter()
router.register("impact/actions", api.ActionViewSet, basename="api-impact-action")

urlpatterns = [path("v1/", include(router.urls))]
