from django.urls import path

from buurtonderzoek.incidents import views

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("nieuw/", views.incident_new, name="incident_new"),
    path("adressen/", views.address_suggestions, name="incident_address_suggestions"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/wijzigen/", views.incident_edit, name="incident_edit"),
    path("<int:pk>/status/", views.incident_transition, name="incident_transition"),
]
