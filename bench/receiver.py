"""Benchmark: /SMSReceiver requests/second vs. a minimal Django view answering 200.

Run: .venv/bin/python -m bench.receiver [--seconds 15]

One gunicorn server (DEBUG off, SQLite file, bench.settings) serves both at concurrency 32 with the
same form body, each request a different SMS (so none is dropped as a provider retry):
  product:  POST /SMSReceiver with a receive connector's token (checked, deduped, stored)
  baseline: POST /bench/minimal-view (a plain view that answers 200)
Afterwards every 2xx answer of the product must be one stored inbound message.
"""

import os
import tempfile
from pathlib import Path

from bench.harness import free_port, manage, processes, product_env, ratio, shell, write_result
from bench.load import load, load_arguments, report

CONCURRENCY = 32
RECEIVER = "4912312300"
SETUP = f"""
from inbox.services import receive_connector_create
print(receive_connector_create(name="bench", receiver_numbers=["{RECEIVER}"]).token)
"""
HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def main() -> None:
    args = load_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="bench-receiver-") as tmp:
        workdir = Path(tmp)
        env = product_env(f"sqlite:///{workdir / 'receiver.sqlite3'}")
        manage(env, "migrate", "--noinput", "-v", "0")
        token = shell(env, SETUP).strip().splitlines()[-1]
        body = f"receiver={RECEIVER}&sender=90532{{n}}&message=Merhaba+{{n}}&token={token}"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        workers = 2 * (os.cpu_count() or 1) + 1
        common = {"body": body, "headers": HEADERS, "concurrency": CONCURRENCY}
        with processes(env, workdir / "server.log") as running:
            running.gunicorn(port, workers=workers, threads=4, settings="bench.settings")
            load(f"{base}/bench/minimal-view", **common, seconds=2)  # warm-up
            baseline = load(
                f"{base}/bench/minimal-view", **common, seconds=args.seconds, count=args.requests
            )
            product = load(
                f"{base}/SMSReceiver", **common, seconds=args.seconds, count=args.requests
            )
        stored = int(
            shell(env, "from inbox.models import InboundMessage as M; print(M.objects.count())")
            .strip()
            .splitlines()[-1]
        )
    if product["errors"] or baseline["errors"]:
        raise RuntimeError(f"Error answers under load: product {product}, baseline {baseline}")
    result = {
        "concurrency": CONCURRENCY,
        "gunicorn": {"workers": workers, "threads": 4},
        "baseline": baseline,
        "product": product,
        "messages_stored": stored,
        "ratio": ratio(product["per_second"], baseline["per_second"]),
    }
    report("minimal Django view", baseline)
    report("POST /SMSReceiver", product)
    print(f"ratio {result['ratio']:.2f} of the baseline's requests/s; {stored:,} messages stored")
    write_result("receiver", result)


if __name__ == "__main__":
    main()
