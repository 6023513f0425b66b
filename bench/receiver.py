"""Benchmark: POST /SMSReceiver under gunicorn at concurrency 32 vs. two baselines.

Run: .venv/bin/python -m bench.receiver [--seconds 15] [--postgres]

One gunicorn server (DEBUG off, bench.settings) per database serves all three with the same form
body, each request a different SMS (so none is dropped as a provider retry):
  product:  POST /SMSReceiver with a receive connector's token (checked, deduped, stored)
  minimal:  POST /bench/minimal-receiver (the fields checked, numbers made canonical, one ORM
            insert of the same row) — the baseline the target is set against
  empty:    POST /bench/minimal-view (a plain view that answers 200)
The three take turns (--rounds, default 2) and each one's best round counts: the machine may be
shared. Every 2xx answer of the product and the minimal view must be one stored message.
SQLite file always; PostgreSQL + Redis too when DATABASE_URL/REDIS_URL are set (bench.harness).
"""

import os
from pathlib import Path

from bench.harness import (
    free_port,
    manage,
    processes,
    product_env,
    ratio,
    runs_on_backends,
    shell,
    write_result,
)
from bench.load import load, load_arguments, load_rounds, report

CONCURRENCY = 32
TARGET = 0.6
RECEIVER = "4912312300"
SETUP = f"""
from inbox.services import receive_connector_create
print(receive_connector_create(name="bench", receiver_numbers=["{RECEIVER}"]).token)
"""
HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def run(label: str, database_url: str, redis_url: str, args, workdir: Path) -> dict:
    env = product_env(database_url, redis_url=redis_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    token = shell(env, SETUP).strip().splitlines()[-1]
    body = f"receiver={RECEIVER}&sender=90532{{n}}&message=Merhaba+{{n}}&token={token}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = 2 * (os.cpu_count() or 1) + 1
    timed = {"headers": HEADERS, "concurrency": CONCURRENCY, "seconds": args.seconds}
    with processes(env, workdir / f"server-{label[:6]}.log") as running:
        running.gunicorn(port, workers=workers, threads=4, settings="bench.settings")
        load(f"{base}/bench/minimal-view", body=body, **{**timed, "seconds": 2})  # warm-up
        best = load_rounds(
            {
                "empty": (f"{base}/bench/minimal-view", body),
                # Other senders than the product's: none of them is a retry of the other's SMS.
                "minimal": (f"{base}/bench/minimal-receiver", body.replace("=90532", "=90533")),
                "product": (f"{base}/SMSReceiver", body),
            },
            rounds=args.rounds,
            count=args.requests,
            **timed,
        )
    empty, minimal, product = best["empty"], best["minimal"], best["product"]
    stored = int(
        shell(env, "from inbox.models import InboundMessage as M; print(M.objects.count())")
        .strip()
        .splitlines()[-1]
    )
    if product["errors"] or minimal["errors"] or empty["errors"]:
        raise RuntimeError(f"{label}: error answers under load: {product}, {minimal}, {empty}")
    if stored < product["requests_all_rounds"] + minimal["requests_all_rounds"]:
        raise RuntimeError(f"{label}: {stored} messages stored for more 200 answers")
    result = {
        "backend": label,
        "concurrency": CONCURRENCY,
        "gunicorn": {"workers": workers, "threads": 4},
        "empty": empty,
        "minimal": minimal,
        "product": product,
        "messages_stored": stored,
        "ratio": ratio(product["per_second"], minimal["per_second"]),
        "ratio_to_empty": ratio(product["per_second"], empty["per_second"]),
    }
    print(f"--- {label}")
    report("empty Django view", empty)
    report("minimal receiver (check, one insert)", minimal)
    report("POST /SMSReceiver", product)
    print(
        f"ratio {result['ratio']:.2f} of the minimal view (target {TARGET}), "
        f"{result['ratio_to_empty']:.2f} of the empty one; {stored:,} messages stored"
    )
    return result


def main() -> None:
    args = load_arguments(__doc__.splitlines()[0])
    runs = runs_on_backends(
        "receiver",
        lambda label, database, redis, workdir: run(label, database, redis, args, workdir),
        postgres=args.postgres,
    )
    write_result("receiver", {"target": TARGET, "runs": runs})


if __name__ == "__main__":
    main()
