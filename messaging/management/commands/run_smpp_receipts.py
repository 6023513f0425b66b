"""Keep a receiver bind to every active SMSC connector and store the receipts it brings (make run)."""

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connection

from connectors.models import Connector
from connectors.providers.smsc import ReceiptListener
from connectors.providers.types import ProviderError
from messaging.models import ReceiptSource
from messaging.services import receipts_record

REFRESH_SECONDS = 30  # how often the list of SMSC connectors is read again
RETRY_SECONDS = 10  # wait after a refused or broken bind


def listen(connector: Connector, stop: threading.Event, log) -> None:
    """Bind as a receiver to one connector's SMSC until stopped, binding again after a failure."""

    def store(receipt) -> None:
        receipts_record(connector=connector, receipts=[receipt], source=ReceiptSource.SMPP)

    try:
        while not stop.is_set():
            listener = ReceiptListener(connector, store)
            try:
                listener.open()
                log(f"Receiver bound to {connector.name} (connector {connector.pk}).")
                while not stop.is_set():
                    listener.listen(1.0)
            except ProviderError as error:
                log(
                    f"Receiver of {connector.name}: {error.detail} Binding again in {RETRY_SECONDS} s."
                )
                stop.wait(RETRY_SECONDS)
            finally:
                listener.close()
    finally:
        connection.close()  # this thread's database connection ends with it


class Command(BaseCommand):
    help = (
        "Bind as a receiver to each active SMSC (SMPP) connector and store the delivery "
        "receipts (deliver_sm) they send."
    )

    def handle(self, *args, **options) -> None:
        stop = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stop.set())
        threads: dict[int, tuple[threading.Event, threading.Thread]] = {}
        while not stop.is_set():
            active = {c.pk: c for c in Connector.objects.filter(provider="smsc", is_active=True)}
            for connector_id in set(threads) - set(active):
                threads.pop(connector_id)[0].set()
            for connector_id, connector in active.items():
                if connector_id not in threads or not threads[connector_id][1].is_alive():
                    own_stop = threading.Event()
                    thread = threading.Thread(
                        target=listen,
                        args=(connector, own_stop, self.stdout.write),
                        name=f"smpp-receipts-{connector_id}",
                        daemon=True,
                    )
                    thread.start()
                    threads[connector_id] = (own_stop, thread)
            stop.wait(REFRESH_SECONDS)
        for own_stop, thread in threads.values():
            own_stop.set()
            thread.join(timeout=5)
