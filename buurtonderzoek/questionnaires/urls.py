from django.urls import path

from buurtonderzoek.questionnaires import views

urlpatterns = [
    path("xlsform/", views.xlsform_upload, name="xlsform_upload"),
    path("xlsform/<int:pk>/", views.xlsform_preview, name="xlsform_preview"),
    path("xlsform/<int:pk>/weggooien/", views.xlsform_discard, name="xlsform_discard"),
]
