"""The field app: its pages, its JSON API and the service worker, mounted at the site root.

The service worker must be served from /sw.js (not /static/) so that its scope is the whole site.
"""

from django.urls import path

from buurtonderzoek.canvass import api, field_views

urlpatterns = [
    path("sw.js", field_views.service_worker, name="service_worker"),
    path("veld/", field_views.field_routes, name="field_routes"),
    path("veld/routes/<int:pk>/", field_views.field_route, name="field_route"),
    path("api/v1/field/routes/", api.routes, name="api-field-routes"),
    path("api/v1/field/routes/<int:pk>/", api.route_detail, name="api-field-route"),
    path("api/v1/field/sync/", api.sync, name="api-field-sync"),
    path("api/v1/field/incidents/<int:pk>/conflicts/", api.conflicts, name="api-field-conflicts"),
]
