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

from pathlib import Path

from bench.harness import (
    manage,
    product_env,
    ratio,
    runs_on_backends,
    write_result,
)
from bench.load import against_views, load_arguments, report

BODY = '{"to": "+90532{n}", "text": "Kodunuz: {n}. Bu kodu kimseyle paylaşmayın."}'
TARGET = 0.6


def run(label: str, database_url: str, redis_url: str, args, workdir: Path) -> dict:
    env = product_env(database_url, redis_url=redis_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    key = manage(env, "create_api_key", "bench").strip().splitlines()[-1].strip()
    result = against_views(
        env,
        label,
        workdir,
        args,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        cases={
            "empty": ("/bench/minimal-api/", BODY),
            "minimal": ("/bench/minimal-send/", BODY),
            "product": ("/api/v1/messages/", BODY),
        },
        count_stored="from messaging.models import Message; print(Message.objects.count())",
    )
    empty, minimal, product = result["empty"], result["minimal"], result["product"]
    result["p99_ratio"] = ratio(product["p99_ms"], minimal["p99_ms"])
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
