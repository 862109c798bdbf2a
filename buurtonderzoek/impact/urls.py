from django.urls import path

from buurtonderzoek.impact import views

app_name = "impact"
urlpatterns = [
    path("", views.index, name="index"),
    path("nieuw/<str:code>/", views.table_create, name="table_create"),
    path("overleg/<int:pk>/", views.table_detail, name="table_detail"),
    path("overleg/<int:pk>/delen/", views.table_sharing, name="table_sharing"),
    path("overleg/<int:pk>/actie/", views.action_create, name="action_create"),
    path("overleg/<int:pk>/buurtbeeld/", views.buurtbeeld_view, name="buurtbeeld"),
    path("actie/<int:pk>/", views.action_detail, name="action_detail"),
    path("actie/<int:pk>/toets/", views.action_check, name="action_check"),
    path("actie/<int:pk>/status/", views.action_transition, name="action_transition"),
    path("actie/<int:pk>/voortgang/", views.action_update, name="action_update"),
    path("actie/<int:pk>/toezegging/", views.commitment_add, name="commitment_add"),
    path("actie/<int:pk>/toezegging/<int:commitment_pk>/gedaan/", views.commitment_done, name="commitment_done"),
    path("actie/<int:pk>/rapport/", views.action_report, name="action_report"),
    path("bibliotheek/", views.library, name="library"),
]
