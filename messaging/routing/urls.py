from django.urls import path

from messaging.routing import api, views

app_name = "routes"

urlpatterns = [
    path("", views.RoutesView.as_view(), name="list"),
    path("explain/", views.RouteExplainView.as_view(), name="explain"),
    path("<str:region>/", views.CountryRulesView.as_view(), name="country"),
]

api_urlpatterns = [
    path("routes/explain/", api.RouteExplainApi.as_view(), name="api-route-explain"),
]
