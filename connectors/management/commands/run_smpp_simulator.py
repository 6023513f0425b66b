"""Serve the SMPP simulator (the SMSC stand-in) until stopped, for the demo (`make run`)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connectors.simulators.smsc import SmscSimulator


class Command(BaseCommand):
    help = (
        "Run the simulated SMSC: an SMPP 3.4 server whose accounts and failure mode are the "
        "simulator state shown on the Simulators page."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        # Not PORT: honcho gives every process its own PORT (web's plus 100 per line).
        parser.add_argument(
            "--port",
            type=int,
            default=settings.SMSCONSOLE_SMPP_SIMULATOR_PORT,
            help="TCP port (default: SMSCONSOLE_SMPP_SIMULATOR_PORT).",
        )

    def handle(self, *args, host: str, port: int, **options) -> None:
        stop = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stop.set())
        if not settings.SMSCONSOLE_SIMULATORS:
            # Exiting would make honcho stop the web and worker processes too: stay idle instead.
            self.stdout.write("Simulators are off (SMSCONSOLE_SIMULATORS): no SMPP simulator.")
            stop.wait()
            return
        try:
            simulator = SmscSimulator(host=host, port=port).start()
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {host}:{port} ({error.strerror}). Stop what uses the port or "
                "set SMSCONSOLE_SMPP_SIMULATOR_PORT."
            ) from None
        self.stdout.write(f"SMPP simulator listening on {simulator.host}:{simulator.port}.")
        stop.wait()
        simulator.stop()
        self.stdout.write("SMPP simulator stopped.")
