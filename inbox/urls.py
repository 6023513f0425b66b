from django.urls import path

from inbox import api, views
from inbox.receiver import SmsReceiverView

app_name = "inbox"

urlpatterns = [
    path("SMSReceiver", SmsReceiverView.as_view(), name="receiver"),
    path("inbox/", views.InboxView.as_view(), name="list"),
    # path: an alphanumeric sender may contain "/", and every sender must get a link.
    path("inbox/<path:number>/", views.ConversationView.as_view(), name="conversation"),
    path(
        "receive-connectors/",
        views.ReceiveConnectorListView.as_view(),
        name="receive-connector-list",
    ),
    path(
        "receive-connectors/add/",
        views.ReceiveConnectorCreateView.as_view(),
        name="receive-connector-create",
    ),
    path(
        "receive-connectors/<int:pk>/edit/",
        views.ReceiveConnectorEditView.as_view(),
        name="receive-connector-edit",
    ),
    path(
        "receive-connectors/<int:pk>/delete/",
        views.ReceiveConnectorDeleteView.as_view(),
        name="receive-connector-delete",
    ),
    path(
        "receive-connectors/<int:pk>/regenerate-token/",
        views.ReceiveConnectorRegenerateTokenView.as_view(),
        name="receive-connector-regenerate-token",
    ),
    path("opt-outs/", views.OptOutListView.as_view(), name="optout-list"),
    path("opt-outs/<int:pk>/delete/", views.OptOutDeleteView.as_view(), name="optout-delete"),
]

api_urlpatterns = [
    path("inbox/", api.InboxListApi.as_view(), name="api-inbox-list"),
    path(
        "receive-connectors/",
        api.ReceiveConnectorCollectionApi.as_view(),
        name="api-receive-connector-list",
    ),
    path(
        "receive-connectors/<int:pk>/",
        api.ReceiveConnectorDetailApi.as_view(),
        name="api-receive-connector-detail",
    ),
    path(
        "receive-connectors/<int:pk>/regenerate-token/",
        api.ReceiveConnectorRegenerateTokenApi.as_view(),
        name="api-receive-connector-regenerate-token",
    ),
    path("opt-outs/", api.OptOutCollectionApi.as_view(), name="api-optout-list"),
    path("opt-outs/<int:pk>/", api.OptOutDetailApi.as_view(), name="api-optout-detail"),
]
