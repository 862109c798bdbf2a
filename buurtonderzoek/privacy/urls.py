from django.urls import path

from buurtonderzoek.privacy import views

urlpatterns = [
    path("", views.request_page, name="privacy_requests"),
    path("export/", views.export, name="privacy_export"),
    path("verwijderen/", views.erase, name="privacy_erase"),
]
