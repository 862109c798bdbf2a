"""Review, corrections, sending the report, the inbox and report pages, notifications."""

from django.urls import path

from buurtonderzoek.handoff import views

urlpatterns = [
    path("incidenten/<int:pk>/beoordelen/", views.review_list, name="review_list"),
    path("incidenten/<int:pk>/beoordelen/<int:visit_pk>/", views.review_visit, name="review_visit"),
    path("incidenten/<int:pk>/mijn-bezoeken/", views.my_visits, name="my_visits"),
    path("incidenten/<int:pk>/mijn-bezoeken/<int:visit_pk>/", views.visit_correct, name="visit_correct"),
    path("incidenten/<int:pk>/verslag/", views.report_submit, name="report_submit"),
    path("verslagen/", views.report_list, name="report_list"),
    path("verslagen/<int:pk>/", views.report_detail, name="report_detail"),
    path("verslagen/<int:pk>/actie/", views.report_action, name="report_action"),
    path("verslagen/<int:pk>/verslag.pdf", views.report_pdf, name="report_pdf"),
    path("verslagen/<int:pk>/verslag.json", views.report_json, name="report_json"),
    path("verslagen/<int:pk>/pdf-status/", views.report_pdf_status, name="report_pdf_status"),
    path("verslagen/<int:pk>/aanvulling/", views.supplement_submit, name="supplement_submit"),
    path("verslagen/<int:pk>/aanvulling/<int:number>/", views.supplement_detail, name="supplement_detail"),
    path("verslagen/<int:pk>/aanvulling/<int:number>/aanvulling.pdf", views.supplement_pdf, name="supplement_pdf"),
    path("verslagen/<int:pk>/aanvulling/<int:number>/aanvulling.json", views.supplement_json, name="supplement_json"),
    path("berichten/", views.notifications, name="notifications"),
]
