"""The public tip form behind the leaflet's QR code, mounted under /tip/."""

from django.urls import path

from buurtonderzoek.canvass import views

urlpatterns = [
    path("<str:token>/", views.tip_form, name="tip_form"),
    path("<str:token>/bedankt/", views.tip_thanks, name="tip_thanks"),
]
