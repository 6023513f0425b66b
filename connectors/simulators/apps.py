from django.apps import AppConfig


class SimulatorsConfig(AppConfig):
    name = "connectors.simulators"
    label = "simulators"
    verbose_name = "Provider simulators"
