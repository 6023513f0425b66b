"""Simulator endpoints at /simulators/<slug>/<documented path>, and the console page."""

from django.urls import path

from connectors.simulators import jetsms, views

app_name = "simulators"

urlpatterns = [
    path("", views.SimulatorIndexView.as_view(), name="index"),
    path("<slug:slug>/mode/", views.SimulatorModeView.as_view(), name="mode"),
    path("accounts/<int:pk>/", views.SimulatorAccountView.as_view(), name="account"),
    path("<slug:slug>/clear/", views.SimulatorClearView.as_view(), name="clear"),
    # Jet SMS
    path("jetsms/SMS-Web8/xmlsms", jetsms.xmlsms, name="jetsms-xmlsms"),
]
