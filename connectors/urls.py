from django.urls import path

from connectors import api, views

app_name = "connectors"

urlpatterns = [
    path("", views.ConnectorListView.as_view(), name="list"),
    path("add/", views.ConnectorProviderPickView.as_view(), name="add"),
    path("add/<slug:provider>/", views.ConnectorCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.ConnectorEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.ConnectorDeleteView.as_view(), name="delete"),
    path("<int:pk>/toggle/", views.ConnectorToggleView.as_view(), name="toggle"),
    path("<int:pk>/move/<str:direction>/", views.ConnectorMoveView.as_view(), name="move"),
    path("<int:pk>/test/", views.ConnectorTestView.as_view(), name="test"),
    path(
        "<int:pk>/regenerate-receipt-token/",
        views.ConnectorReceiptTokenView.as_view(),
        name="regenerate-receipt-token",
    ),
]

api_urlpatterns = [
    path("connectors/", api.ConnectorCollectionApi.as_view(), name="api-connector-list"),
    path("connectors/<int:pk>/", api.ConnectorDetailApi.as_view(), name="api-connector-detail"),
    path("connectors/<int:pk>/test/", api.ConnectorTestApi.as_view(), name="api-connector-test"),
    path(
        "connectors/<int:pk>/regenerate-receipt-token/",
        api.ConnectorRegenerateReceiptTokenApi.as_view(),
        name="api-connector-regenerate-receipt-token",
    ),
    path("providers/", api.ProviderListApi.as_view(), name="api-provider-list"),
]
