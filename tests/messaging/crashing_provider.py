"""A Jet SMS adapter with bugs: it sends, then fails to read the answer, and fails to read a
receipt (tests list it in SMSCONSOLE_PROVIDERS to show what the product does with a crashed
adapter)."""

from connectors.providers.jetsms import JetSmsProvider

CRASHING = "tests.messaging.crashing_provider.CrashingJetSmsProvider"  # for SMSCONSOLE_PROVIDERS


class CrashingJetSmsProvider(JetSmsProvider):
    slug = "crashing"
    name = "Crashing Jet SMS"

    def send(self, **kwargs):
        super().send(**kwargs)
        raise RuntimeError("read the answer wrong")

    def receipt_parse(self, connector, request):
        raise RuntimeError("read the receipt wrong")
