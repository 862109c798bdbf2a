"""Pages under /accounts/ next to allauth's (included after these, so these win on a clash)."""

from django.urls import path

from buurtonderzoek.accounts import views

urlpatterns = [
    path("uitnodiging/<str:token>/", views.accept_invitation, name="accept_invitation"),
    # Shadows allauth's e-mail management page; see views.email_managed.
    path("email/", views.email_managed, name="account_email"),
    path("api-sleutels/", views.api_token_list, name="api_token_list"),
    path("api-sleutels/nieuw/", views.api_token_create, name="api_token_create"),
    path("api-sleutels/<int:token_id>/intrekken/", views.api_token_revoke, name="api_token_revoke"),
]
