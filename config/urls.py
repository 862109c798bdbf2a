from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from buurtonderzoek.core.views import favicon, healthz

urlpatterns = [
    path("", include("buurtonderzoek.dashboards.urls")),
    path("beheer/privacy/", include("buurtonderzoek.privacy.urls")),
    path("privacyverklaring/", include("buurtonderzoek.privacy.public_urls")),
    path("accounts/", include("buurtonderzoek.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("teams/", include("buurtonderzoek.accounts.team_urls")),
    path("incidenten/", include("buurtonderzoek.incidents.urls")),
    path("incidenten/<int:pk>/buurtonderzoek/", include("buurtonderzoek.canvass.urls")),
    path("tip/", include("buurtonderzoek.canvass.public_urls")),
    path("", include("buurtonderzoek.canvass.field_urls")),
    path("", include("buurtonderzoek.monitor.urls")),
    path("", include("buurtonderzoek.signalements.urls")),
    path("", include("buurtonderzoek.handoff.urls")),
    path("impact/", include("buurtonderzoek.impact.urls")),
    path("resultaat/", include("buurtonderzoek.impact.public_urls")),
    path("vragenlijsten/", include("buurtonderzoek.questionnaires.urls")),
    path("downloads/", include("buurtonderzoek.jobs.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    # Django's own admin login takes the password alone; every login goes through allauth instead, which asks
    # for the second factor. Listed before the admin's URLs so this one wins.
    path("admin/login/", secure_admin_login(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("buurtonderzoek.accounts.api_urls")),
    path("api/", include("buurtonderzoek.handoff.api_urls")),
    path("api/", include("buurtonderzoek.impact.api_urls")),
    path("api/", include("buurtonderzoek.dashboards.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Our own template (templates/api/swagger_ui.html): the package's has no lang attribute.
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api_schema", template_name="api/swagger_ui.html"),
        name="api_docs",
    ),
]
