"""FigenSoft has no public API to imitate: its demo connector uses the generic simulator."""

from connectors.simulators import http
from connectors.simulators.setup import SimulatorSetup

SETUP = SimulatorSetup(
    provider="figensoft",
    simulator=http.SLUG,
    username="demo-figensoft",
    sender_titles=("ACME", "ACMEINFO"),
    options=http.FORM_RULES,
    max_text_length=918,
    path=http.SEND_PATH,
    redacted_as="user=%2A%2A%2A&pass=%2A%2A%2A",  # form bodies keep * encoded
    receipt_webhook=True,
)
urlpatterns = []  # the generic simulator serves it
