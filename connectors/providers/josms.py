"""JoSMS / JorMall (Jordan): token auth, SingleSMS3 send, bulk send and balance."""

from connectors.providers.base import Provider


class JoSmsProvider(Provider):
    slug = "josms"
    name = "JoSMS"
    default_priority = 80
    default_base_url = "https://www.josms.net"
    description = "Jordanian SMS gateway (JorMall). Token auth; Jordanian mobile numbers only."
    username_label = "Account name"
    password_label = "Account password"
    username_help = "The JoSMS account name (accname)."
    redacted_names = Provider.redacted_names | {"accname", "accpass"}
    max_recipients_per_request = 120
    max_text_length = 800
    number_format = "9627[789]xxxxxxx"
    supports_client_id = True
    supports_bulk = True
