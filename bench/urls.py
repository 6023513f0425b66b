"""The product's URLs plus the baseline views the benchmarks compare the product with."""

from django.urls import path

from bench import views
from smsconsole.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/minimal-api/", views.MinimalApi.as_view()),
    path("bench/minimal-view", views.minimal_view),
    path("bench/minimal-send/", views.MinimalSendApi.as_view()),
    path("bench/minimal-receiver", views.minimal_receiver),
    path("bench/minimal-dlr/<int:connector_id>/<str:token>/", views.minimal_receipt),
    *product_urlpatterns,
]
