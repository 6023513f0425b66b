"""İleti Merkezi (Turkey): GET send API with key/hash, XML answers; JSON balance."""

from django import forms

from connectors.providers.base import Provider


class IletiMerkeziProvider(Provider):
    slug = "iletimerkezi"
    name = "İleti Merkezi"
    default_priority = 10
    default_base_url = "https://api.iletimerkezi.com"
    description = "Turkish SMS gateway. API key and hash from Settings → Security → API Access."
    username_label = "API key"
    password_label = "API hash"
    username_help = "The API key issued by the İleti Merkezi panel."
    password_help = "The API hash issued next to the key (not your panel password)."
    max_recipients_per_request = 1000
    max_text_length = 1071  # seven SMS (error 453 beyond)
    number_format = "5xxxxxxxxx"
    extra_option_fields = {
        "iys_list": forms.ChoiceField(
            label="İYS list for commercial messages",
            choices=[("BIREYSEL", "BIREYSEL (individuals)"), ("TACIR", "TACIR (merchants)")],
            initial="BIREYSEL",
            help_text="Commercial messages are checked against İYS consent in this list (iys=1).",
        ),
    }
