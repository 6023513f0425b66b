"""Simulator endpoints at /simulators/<slug>/<documented path>, and the console page."""

from django.urls import path, re_path

from connectors.simulators import (
    http,
    iletimerkezi,
    infobip,
    jetsms,
    josms,
    mobildev,
    twilio,
    views,
)

app_name = "simulators"

urlpatterns = [
    path("", views.SimulatorIndexView.as_view(), name="index"),
    path("<slug:slug>/mode/", views.SimulatorModeView.as_view(), name="mode"),
    path("accounts/<int:pk>/", views.SimulatorAccountView.as_view(), name="account"),
    path("<slug:slug>/clear/", views.SimulatorClearView.as_view(), name="clear"),
    # Jet SMS
    path("jetsms/SMS-Web8/xmlsms", jetsms.xmlsms, name="jetsms-xmlsms"),
    # JoSMS
    path("josms/sms/api/GenerateToken.cfm", josms.generate_token, name="josms-generate-token"),
    path("josms/sms/api/GetToken.cfm", josms.generate_token, name="josms-get-token"),
    path(
        "josms/SMSServices/Clients/Prof/SingleSMS3/SMSService.asmx/SendSMS",
        josms.single_send,
        name="josms-single-send",
    ),
    path("josms/sms/api/SendBulkMessages.cfm", josms.bulk_send, name="josms-bulk-send"),
    path("josms/sms/api/GetBalance.cfm", josms.balance, name="josms-balance"),
    # İleti Merkezi
    path("iletimerkezi/v1/send-sms/get/", iletimerkezi.send_get, name="iletimerkezi-send-get"),
    path("iletimerkezi/v1/get-balance/json", iletimerkezi.balance, name="iletimerkezi-balance"),
    # Infobip, Twilio, Mobildev (issue 8)
    path("infobip/sms/2/text/advanced", infobip.send_advanced, name="infobip-send"),
    path("infobip/account/1/balance", infobip.balance, name="infobip-balance"),
    path(
        "twilio/2010-04-01/Accounts/<str:account_sid>/Messages.json",
        twilio.messages,
        name="twilio-messages",
    ),
    path(
        "twilio/2010-04-01/Accounts/<str:account_sid>.json", twilio.account, name="twilio-account"
    ),
    path("mobildev/com.mobilus", mobildev.mobilus, name="mobildev-mobilus"),
    path("http/send", http.send, name="http-send"),
    re_path(
        r"^iletimerkezi/v1/(?P<path>.*)$", iletimerkezi.unknown_method, name="iletimerkezi-404"
    ),
]
