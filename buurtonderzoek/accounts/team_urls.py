"""Team pages, mounted at /teams/."""

from django.urls import path

from buurtonderzoek.accounts import views

urlpatterns = [
    path("<int:team_id>/", views.team_detail, name="team_detail"),
    path("<int:team_id>/uitnodigen/", views.team_invite, name="team_invite"),
    path(
        "<int:team_id>/uitnodigingen/<int:invitation_id>/intrekken/",
        views.invitation_revoke,
        name="team_invitation_revoke",
    ),
    path("<int:team_id>/leden/<int:membership_id>/verwijderen/", views.member_remove, name="team_member_remove"),
    path("<int:team_id>/leden/<int:membership_id>/rol/", views.member_role, name="team_member_role"),
]
