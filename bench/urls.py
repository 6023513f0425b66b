"""The product's URLs plus minimal baseline views the benchmarks compare the product with."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView

from smsconsole.urls import urlpatterns as product_urlpatterns


class MinimalApi(APIView):
    """The product's API stack (API key authentication, permission, renderer) and no work."""

    def post(self, request):
        return Response({"ok": True}, status=202)


@csrf_exempt
def minimal_view(request):
    """A Django view that only answers 200, like /SMSReceiver's success answer."""
    return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/minimal-api/", MinimalApi.as_view()),
    path("bench/minimal-view", minimal_view),
    *product_urlpatterns,
]
