from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "messaging.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns and templates"

    def ready(self) -> None:
        from messaging import filters
        from messaging.campaigns.selectors import campaign_choices

        filters.campaign_choice_sources.append(campaign_choices)  # the message log's filter
