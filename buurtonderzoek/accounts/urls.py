"""Pages under /accounts/ next to allauth's (included after these, so these win on a clash)."""

from django.urls import path

from buurtonderzoek.accounts import views

urlpatterns = [
    path("uitnodiging/<str:token>/", views.accept_invitation, name="accept_invitation"),
    # Shadows allauth's e-mail management page; see views.email_managed.
    path("email/", views.email_managed, name="account_email"),
]
