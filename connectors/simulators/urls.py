"""Simulator endpoints at /simulators/<slug>/<documented path>, and the console page.

Each configured provider's simulator module brings its own endpoints (see setup.py).
"""

from django.urls import include, path

from connectors.simulators import views
from connectors.simulators.setup import simulator_modules

app_name = "simulators"

urlpatterns = [
    path("", views.SimulatorIndexView.as_view(), name="index"),
    path("<slug:slug>/mode/", views.SimulatorModeView.as_view(), name="mode"),
    path("<slug:slug>/receipts/", views.SimulatorReceiptsView.as_view(), name="receipts"),
    path("accounts/<int:pk>/", views.SimulatorAccountView.as_view(), name="account"),
    path("<slug:slug>/clear/", views.SimulatorClearView.as_view(), name="clear"),
    *(
        path(f"{module.SETUP.simulator_slug}/", include(module.urlpatterns))
        for module in simulator_modules().values()
        if module.urlpatterns
    ),
]
