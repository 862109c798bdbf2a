from django.urls import include, path
from rest_framework.routers import SimpleRouter

from buurtonderzoek.handoff import api

router = SimpleRouter()
router.register("reports", api.ReportViewSet, basename="api-report")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/report-schema/", api.report_schema, name="api-report-schema"),
    path("v1/police/totals/", api.police_totals, name="api-police-totals"),
]
