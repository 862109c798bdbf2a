from django.urls import path

from buurtonderzoek.monitor import survey, views

app_name = "monitor"

urlpatterns = [
    # Municipal officers
    path("monitor/", views.index, name="index"),
    path("monitor/meetronde/<int:pk>/", views.wave_detail, name="wave_detail"),
    path("monitor/meetronde/<int:pk>/wijzigen/", views.wave_edit, name="wave_edit"),
    path("monitor/meetronde/<int:pk>/openbare-link/", views.wave_public_link, name="wave_public_link"),
    path("monitor/meetronde/<int:pk>/uitnodigingen/", views.print_run_create, name="print_run_create"),
    path("monitor/drukrun/<int:pk>/", views.print_run_detail, name="print_run_detail"),
    path("monitor/drukrun/<int:pk>/download/", views.print_run_download, name="print_run_download"),
    path("monitor/drukrun/<int:pk>/verwijderen/", views.print_run_delete_file, name="print_run_delete_file"),
    path("monitor/drukrun/<int:pk>/opnieuw/", views.print_run_retry, name="print_run_retry"),
    path("monitor/drukrun/<int:pk>/intrekken/", views.print_run_void, name="print_run_void"),
    # Summaries for residents and teams
    path("monitor/buurt/<str:code>/", views.buurt_summary, name="buurt_summary"),
    path("monitor/team/<int:pk>/", views.team_summary, name="team_summary"),
    path("monitor/<str:code>/", views.results, name="results"),
    path("monitor/<str:code>/nieuwe-meetronde/", views.wave_create, name="wave_create"),
    path("monitor/<str:code>/veiligheidspols/", views.pulse_canvasses, name="pulse_canvasses"),
    path("monitor/<str:code>/downloaden/csv/", views.export, {"fmt": "csv"}, name="export_csv"),
    path("monitor/<str:code>/downloaden/xlsx/", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("monitor/<str:code>/rapport/", views.export_pdf, name="export_pdf"),
    # Residents (no account)
    path("enquete/", survey.start, name="survey_start"),
    path("enquete/c/<str:code>/", survey.code_link, name="survey_code_link"),
    path("enquete/open/<str:token>/", survey.public, name="survey_public"),
    path("enquete/vragen/", survey.section, name="survey_section"),
    path("enquete/klaar/", survey.done, name="survey_done"),
]
