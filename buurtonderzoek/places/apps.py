from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "buurtonderzoek.places"
    label = "places"
