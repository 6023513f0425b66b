"""Jet SMS (Turkey): the XML API at /SMS-Web8/xmlsms, answering `<code> <text>`."""

from django import forms

from connectors.providers.base import Provider


class JetSmsProvider(Provider):
    slug = "jetsms"
    name = "Jet SMS"
    default_priority = 60
    default_base_url = "https://service.jetsms.com.tr"
    description = "Turkish SMS gateway (Biotekno). XML API; approved sender titles (outbox names)."
    username_label = "Username"
    password_label = "Password"
    username_help = "The Jet SMS account user name from the API settings of the Jet SMS panel."
    max_recipients_per_request = 1000
    max_text_length = 612
    number_format = "905xxxxxxxxx"
    extra_option_fields = {
        "max_length": forms.TypedChoiceField(
            label="Maximum message length",
            choices=[(160, "160 (1 SMS)"), (306, "306 (2 SMS)"), (459, "459 (3 SMS)"), (612, "612 (4 SMS)")],
            coerce=int,
            initial=160,
            help_text="As agreed with Jet SMS for the account; longer text is not sent (code 85).",
        ),
    }

    def text_limit_for(self, connector) -> int:
        return int((connector.options or {}).get("max_length") or 160)
