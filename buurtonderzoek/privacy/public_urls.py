"""The public privacy statement, mounted under /privacyverklaring/ (no login)."""

from django.urls import path

from buurtonderzoek.privacy import public_views

urlpatterns = [
    path("", public_views.statement, name="privacy_statement"),
    path("versie/<str:version>/", public_views.statement_version, name="privacy_statement_version"),
]
