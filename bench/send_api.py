"""Benchmark: POST /api/v1/messages/ under gunicorn at concurrency 32 vs. a minimal DRF view.

Run: .venv/bin/python -m bench.send_api [--seconds 15]

One gunicorn server (DEBUG off, SQLite file, bench.settings: the product's URLs plus baselines)
serves both, authenticated with the same API key:
  product:  POST /api/v1/messages/ (validate, store the message, enqueue its sending: HTTP 202)
  baseline: POST /bench/minimal-api/ (an APIView with the same authentication, answering 202)
Requests/second and p50/p99 latency of both; afterwards every 2xx answer must be a stored message.
"""

import os
import tempfile
from pathlib import Path

from bench.harness import free_port, manage, processes, product_env, ratio, shell, write_result
from bench.load import load, load_arguments, report

CONCURRENCY = 32
BODY = '{"to": "+90532{n}", "text": "Kodunuz: {n}. Bu kodu kimseyle paylaşmayın."}'


def main() -> None:
    args = load_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="bench-send-api-") as tmp:
        workdir = Path(tmp)
        env = product_env(f"sqlite:///{workdir / 'api.sqlite3'}")
        manage(env, "migrate", "--noinput", "-v", "0")
        key = manage(env, "create_api_key", "bench").strip().splitlines()[-1].strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        workers = 2 * (os.cpu_count() or 1) + 1
        with processes(env, workdir / "server.log") as running:
            running.gunicorn(port, workers=workers, threads=4, settings="bench.settings")
            common = {"headers": headers, "concurrency": CONCURRENCY, "seconds": args.seconds}
            load(f"{base}/bench/minimal-api/", body=BODY, **{**common, "seconds": 2})  # warm-up
            baseline = load(f"{base}/bench/minimal-api/", body=BODY, count=args.requests, **common)
            product = load(f"{base}/api/v1/messages/", body=BODY, count=args.requests, **common)
        stored = int(
            shell(env, "from messaging.models import Message; print(Message.objects.count())")
            .strip()
            .splitlines()[-1]
        )
    if product["errors"] or baseline["errors"] or stored < product["requests"]:
        raise RuntimeError(f"Error answers under load: product {product}, baseline {baseline}")
    result = {
        "concurrency": CONCURRENCY,
        "gunicorn": {"workers": workers, "threads": 4},
        "baseline": baseline,
        "product": product,
        "messages_stored": stored,
        "ratio": ratio(product["per_second"], baseline["per_second"]),
        "p99_ratio": ratio(product["p99_ms"], baseline["p99_ms"]),
    }
    report("minimal authenticated DRF view", baseline)
    report("POST /api/v1/messages/", product)
    print(
        f"ratio {result['ratio']:.2f} of the baseline's requests/s; "
        f"p99 {result['p99_ratio']:.1f}x; {stored:,} messages stored"
    )
    write_result("send_api", result)


if __name__ == "__main__":
    main()
