from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from connectors import urls as connector_urls
from inbox import urls as inbox_urls
from messaging import urls as messaging_urls
from messaging.campaigns import urls as campaign_urls
from smsconsole import views

api_v1 = [
    *connector_urls.api_urlpatterns,
    *messaging_urls.api_urlpatterns,
    *inbox_urls.api_urlpatterns,
    *campaign_urls.api_urlpatterns,
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/api-keys/", views.ApiKeyCreateView.as_view(), name="api-key-create"),
    path(
        "settings/api-keys/<int:pk>/revoke/",
        views.ApiKeyRevokeView.as_view(),
        name="api-key-revoke",
    ),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    path("connectors/", include("connectors.urls")),
    path("", include("messaging.urls")),
    path("", include("messaging.campaigns.urls")),
    path("", include("inbox.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

if settings.SMSCONSOLE_SIMULATORS:
    urlpatterns.append(path("simulators/", include("connectors.simulators.urls")))
