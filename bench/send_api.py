"""Benchmark: POST /api/v1/messages/ under gunicorn at concurrency 32 vs. two baselines.

Run: .venv/bin/python -m bench.send_api [--seconds 15] [--postgres]

One gunicorn server (DEBUG off, bench.settings: the product's URLs plus baselines) per database
serves all three, authenticated with the same API key, the same JSON body:
  product:  POST /api/v1/messages/ (validate, store the message, enqueue its sending: HTTP 202)
  minimal:  POST /bench/minimal-send/ (the same serializer and number check, one ORM insert and
            the task enqueue, the same 202 answer) — the baseline the target is set against
  empty:    POST /bench/minimal-api/ (the same authentication and renderer, no work)
The three take turns (--rounds, default 2) and each one's best round counts: the machine may be
shared. Requests/second and p50/p99 latency; every 2xx answer must be a stored message.
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
BODY = '{"to": "+90532{n}", "text": "Kodunuz: {n}. Bu kodu kimseyle paylaşmayın."}'
TARGET = 0.6


def run(label: str, database_url: str, redis_url: str, args, workdir: Path) -> dict:
    env = product_env(database_url, redis_url=redis_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    key = manage(env, "create_api_key", "bench").strip().splitlines()[-1].strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    workers = 2 * (os.cpu_count() or 1) + 1
    timed = {"headers": headers, "concurrency": CONCURRENCY, "seconds": args.seconds}
    with processes(env, workdir / f"server-{label[:6]}.log") as running:
        running.gunicorn(port, workers=workers, threads=4, settings="bench.settings")
        load(f"{base}/bench/minimal-api/", body=BODY, **{**timed, "seconds": 2})  # warm-up
        best = load_rounds(
            {
                "empty": (f"{base}/bench/minimal-api/", BODY),
                "minimal": (f"{base}/bench/minimal-send/", BODY),
                "product": (f"{base}/api/v1/messages/", BODY),
            },
            rounds=args.rounds,
            count=args.requests,
            **timed,
        )
    empty, minimal, product = best["empty"], best["minimal"], best["product"]
    stored = int(
        shell(env, "from messaging.models import Message; print(Message.objects.count())")
        .strip()
        .splitlines()[-1]
    )
    if product["errors"] or minimal["errors"] or empty["errors"]:
        raise RuntimeError(f"{label}: error answers under load: {product}, {minimal}, {empty}")
    if stored < product["requests_all_rounds"] + minimal["requests_all_rounds"]:
        raise RuntimeError(f"{label}: {stored} messages stored for more 202 answers")
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
        "p99_ratio": ratio(product["p99_ms"], minimal["p99_ms"]),
    }
    print(f"--- {label}")
    report("empty authenticated DRF view", empty)
    report("minimal send (validate, insert, enqueue)", minimal)
    report("POST /api/v1/messages/", product)
    print(
        f"ratio {result['ratio']:.2f} of the minimal view (target {TARGET}), "
        f"{result['ratio_to_empty']:.2f} of the empty one; p99 {result['p99_ratio']:.1f}x"
    )
    return result


def main() -> None:
    args = load_arguments(__doc__.splitlines()[0])
    runs = runs_on_backends(
        "send_api",
        lambda label, database, redis, workdir: run(label, database, redis, args, workdir),
        postgres=args.postgres,
    )
    write_result("send_api", {"target": TARGET, "runs": runs})


if __name__ == "__main__":
    main()
