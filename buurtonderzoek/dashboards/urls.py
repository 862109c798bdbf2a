from django.urls import path

from buurtonderzoek.dashboards import grip_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("mijn-buurt/", views.find_buurt, name="find_buurt"),
    path("start/", views.start, name="start"),
    path("vrijwilliger/", views.start_volunteer, name="start_volunteer"),
    path("vrijwilliger/inzet/", views.my_effort, name="my_effort"),
    path("vrijwilliger/team/<int:pk>/", views.team_effort, name="team_effort"),
    path("vrijwilliger/team/<int:pk>/bewijs-van-inzet/<int:year>.pdf", views.my_certificate, name="my_certificate"),
    path("vrijwilliger/team/<int:pk>/bewijzen-van-inzet/", views.team_certificates, name="team_certificates"),
    path("coordinator/", views.start_coordinator, name="start_coordinator"),
    path("politie/", views.start_police, name="start_police"),
    path("politie/totalen/", views.police_totals, name="police_totals"),
    path("politie/totalen/waarderapport/", views.police_value_report, name="police_value_report"),
    path("gemeente/", views.start_municipal, name="start_municipal"),
    path("gemeente/grip/", grip_views.grip_index, name="grip_index"),
    path("gemeente/<int:gemeente_id>/grip/", grip_views.grip, name="grip"),
    path("gemeente/<int:gemeente_id>/teams/", grip_views.team_health_page, name="grip_teams"),
    path("gemeente/<int:gemeente_id>/monitor-en-teams/", grip_views.monitor_effect_page, name="grip_monitor"),
    path("samenvatting/", grip_views.digest_settings, name="digest_settings"),
    path("beheer/", views.start_admin, name="start_admin"),
    path("beheer/bewaartermijnen/", views.run_retention, name="run_retention"),
]
