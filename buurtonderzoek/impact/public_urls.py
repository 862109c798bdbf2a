from django.urls import path

from buurtonderzoek.impact import views

app_name = "impact_public"
urlpatterns = [path("<str:token>/", views.public_summary, name="summary")]
