from django.apps import AppConfig


class SmsConsoleConfig(AppConfig):
    """The project itself: settings, urls, the console's own pages and project commands."""

    name = "smsconsole"
    label = "project"  # "smsconsole" is the core app's label (its tables were made under it)
    verbose_name = "SMS Console"
