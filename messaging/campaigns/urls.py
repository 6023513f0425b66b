from django.urls import path

from messaging.campaigns import api, views

app_name = "campaigns"

urlpatterns = [
    path("templates/", views.TemplateListView.as_view(), name="template-list"),
    path("templates/new/", views.TemplateFormView.as_view(), name="template-create"),
    path("templates/preview/", views.TemplatePreviewView.as_view(), name="template-preview"),
    path("templates/<int:pk>/edit/", views.TemplateFormView.as_view(), name="template-edit"),
    path("templates/<int:pk>/delete/", views.TemplateDeleteView.as_view(), name="template-delete"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path(
        "campaigns/<int:pk>/progress/",
        views.CampaignProgressView.as_view(),
        name="campaign-progress",
    ),
    path(
        "campaigns/<int:pk>/<str:action>/",
        views.CampaignActionView.as_view(),
        name="campaign-action",
    ),
    path("rest/3.0/sendNotification", api.SendNotificationApi.as_view(), name="send-notification"),
]

api_urlpatterns = [
    path("templates/", api.TemplateCollectionApi.as_view(), name="api-template-list"),
    path("templates/<str:key_or_id>/", api.TemplateDetailApi.as_view(), name="api-template-detail"),
    path("campaigns/", api.CampaignCollectionApi.as_view(), name="api-campaign-list"),
    path("campaigns/<int:pk>/", api.CampaignDetailApi.as_view(), name="api-campaign-detail"),
    *(
        path(
            f"campaigns/<int:pk>/{action}/",
            api.CampaignActionApi.as_view(),
            {"action": action},
            name=f"api-campaign-{action}",
        )
        for action in api.CampaignActionApi.actions
    ),
]
