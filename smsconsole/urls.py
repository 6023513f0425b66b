from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from connectors import urls as connector_urls
from dashboard import views as dashboard_views
from inbox import urls as inbox_urls
from messaging import urls as messaging_urls
from messaging.campaigns import urls as campaign_urls
from messaging.routing import urls as routing_urls
from smsconsole import views

api_v1 = [
    *connector_urls.api_urlpatterns,
    *messaging_urls.api_urlpatterns,
    *inbox_urls.api_urlpatterns,
    *campaign_urls.api_urlpatterns,
    *routing_urls.api_urlpatterns,
]

# The machine-facing paths first: Django tries the patterns in order, and every console include
# an API request or a provider's call passed through cost it a miss (a tenth of the send API's time).
urlpatterns = [
    path("api/v1/", include(api_v1)),
    *(
        [path("simulators/", include("connectors.simulators.urls"))]
        if settings.SMSCONSOLE_SIMULATORS
        else []
    ),
    path("", views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language, for signed-out visitors
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/api-keys/", views.ApiKeyCreateView.as_view(), name="api-key-create"),
    path(
        "settings/api-keys/<int:pk>/revoke/",
        views.ApiKeyRevokeView.as_view(),
        name="api-key-revoke",
    ),
    path(
        "settings/api-keys/<int:pk>/callback-secret/",
        views.ApiKeyCallbackSecretView.as_view(),
        name="api-key-callback-secret",
    ),
    path("dashboard/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    path("", include("accounts.urls")),
    path("connectors/", include("connectors.urls")),
    path("routes/", include("messaging.routing.urls")),
    path("", include("messaging.urls")),
    path("", include("messaging.campaigns.urls")),
    path("", include("inbox.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# JSON on API paths, Django's pages elsewhere.
handler400 = "core.api.bad_request"
handler403 = "core.api.permission_denied"
handler404 = "core.api.page_not_found"
handler500 = "core.api.server_error"
