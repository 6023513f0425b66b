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

from pathlib import Path

from bench.harness import (
    manage,
    product_env,
    runs_on_backends,
    shell,
    write_result,
)
from bench.load import against_views, load_arguments, report

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
    result = against_views(
        env,
        label,
        workdir,
        args,
        headers=HEADERS,
        cases={
            "empty": ("/bench/minimal-view", body),
            # Other senders than the product's: none of them is a retry of the other's SMS.
            "minimal": ("/bench/minimal-receiver", body.replace("=90532", "=90533")),
            "product": ("/SMSReceiver", body),
        },
        count_stored="from inbox.models import InboundMessage as M; print(M.objects.count())",
    )
    empty, minimal, product = result["empty"], result["minimal"], result["product"]
    print(f"--- {label}")
    report("empty Django view", empty)
    report("minimal receiver (check, one insert)", minimal)
    report("POST /SMSReceiver", product)
    print(
        f"ratio {result['ratio']:.2f} of the minimal view (target {TARGET}), "
        f"{result['ratio_to_empty']:.2f} of the empty one; {result['messages_stored']:,} messages stored"
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
