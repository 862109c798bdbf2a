"""Consolidation and alert management (logged in), and the public alert pages, feeds and subscriptions."""

from django.urls import path

from buurtonderzoek.signalements import public_views, views

urlpatterns = [
    path("incidenten/<int:pk>/signalementen/", views.consolidation, name="consolidation"),
    path("incidenten/<int:pk>/signalementen/<str:ref>/oproep/", views.alert_compose, name="alert_compose"),
    path("oproepen/beheer/<int:pk>/", views.alert_manage, name="alert_manage"),
    # Public: no login, no personal data.
    path("oproepen/buurt/<str:code>/", public_views.buurt_page, name="buurt_alerts"),
    path("oproepen/buurt/<str:code>/feed.atom", public_views.BuurtFeed(), name="buurt_feed"),
    path("oproepen/gemeente/<str:code>/", public_views.gemeente_page, name="gemeente_alerts"),
    path("oproepen/gemeente/<str:code>/feed.atom", public_views.GemeenteFeed(), name="gemeente_feed"),
    path("oproepen/aanmelden/verstuurd/", public_views.subscription_sent, name="subscription_sent"),
    path("oproepen/aanmelden/<str:code>/", public_views.subscribe, name="subscribe"),
    path(
        "oproepen/abonnement/<int:pk>/<str:token>/bevestigen/",
        public_views.subscription_confirm,
        name="subscription_confirm",
    ),
    path(
        "oproepen/abonnement/<int:pk>/<str:token>/afmelden/",
        public_views.subscription_unsubscribe,
        name="subscription_unsubscribe",
    ),
    path("oproepen/<str:token>/", public_views.alert_public, name="alert_public"),
    path("oproepen/<str:token>/poster.pdf", public_views.alert_poster, name="alert_poster"),
]
