from django.urls import path

from messaging import api, views

app_name = "messaging"

urlpatterns = [
    path("compose/", views.ComposeView.as_view(), name="compose"),
    path("compose/counter/", views.ComposeCounterView.as_view(), name="compose-counter"),
    path("messages/", views.MessageListView.as_view(), name="list"),
    path("messages/export.csv", views.MessageExportView.as_view(), name="export"),
    path("messages/<int:pk>/", views.MessageDetailView.as_view(), name="detail"),
    path("messages/<int:pk>/status/", views.MessageStatusView.as_view(), name="status"),
    path("delivery-reports/", views.DeliveryReportListView.as_view(), name="delivery-reports"),
    # Providers push delivery reports here (a contract: the URL is pasted into their panels).
    path(
        "dlr/<int:connector_id>/<str:token>/",
        views.DeliveryReceiptView.as_view(),
        name="receipt",
    ),
]

api_urlpatterns = [
    path("messages/", api.MessageCollectionApi.as_view(), name="api-message-list"),
    path("messages/<int:pk>/", api.MessageDetailApi.as_view(), name="api-message-detail"),
]
