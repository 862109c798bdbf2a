"""Canvass pages, mounted under /incidenten/<pk>/buurtonderzoek/."""

from django.urls import path

from buurtonderzoek.canvass import odk_views, views

urlpatterns = [
    path("", views.canvass_overview, name="canvass_overview"),
    path("plan/", views.canvass_plan, name="canvass_plan"),
    path("plan/voorbeeld/", views.canvass_plan_preview, name="canvass_plan_preview"),
    path("dekking/", views.canvass_coverage, name="canvass_coverage"),
    path("lopers/", views.canvass_assign, name="canvass_assign"),
    path("optimaliseren/", views.canvass_optimise, name="canvass_optimise"),
    path("optimaliseren/status/", views.canvass_improve_status, name="canvass_improve_status"),
    path("looplijsten/", views.canvass_walking_lists, name="canvass_walking_lists"),
    path("briefjes/", views.canvass_leaflet, name="canvass_leaflet"),
    path("tips/", views.canvass_tips, name="canvass_tips"),
    path("odk/", odk_views.canvass_odk_import, name="canvass_odk_import"),
    path("odk/<int:job_pk>/", odk_views.canvass_odk_import_job, name="canvass_odk_import_job"),
    path("dubbel/<int:visit_pk>/telt/", views.canvass_choose_visit, name="canvass_choose_visit"),
]
