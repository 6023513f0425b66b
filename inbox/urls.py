from django.urls import path

from inbox.receiver import SmsReceiverView

app_name = "inbox"

urlpatterns = [
    path("SMSReceiver", SmsReceiverView.as_view(), name="receiver"),
]
api_urlpatterns: list = []
