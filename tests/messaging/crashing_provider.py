"""A Jet SMS adapter with a bug: it sends, then fails to read the answer (tests list it in
SMSCONSOLE_PROVIDERS to show what the gateway does with a crashed adapter)."""

from connectors.providers.jetsms import JetSmsProvider


class CrashingJetSmsProvider(JetSmsProvider):
    slug = "crashing"
    name = "Crashing Jet SMS"

    def send(self, **kwargs):
        super().send(**kwargs)
        raise RuntimeError("read the answer wrong")
