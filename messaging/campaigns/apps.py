from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "messaging.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns and templates"
