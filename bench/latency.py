"""Benchmark: sending throughput when providers answer like real ones (150 ms), against its limit.

Run: .venv/bin/python -m bench.latency [--quick] [--postgres] [--workers 2] [--latency-ms 150]

Real processes on a database of their own: gunicorn serving the console, `manage.py qcluster`
with N workers, a SQLite file (or PostgreSQL + Redis with --postgres, from DATABASE_URL /
REDIS_URL). The providers are a second gunicorn serving the simulators from a SQLite file of their
own, as a real provider's storage is not the product's: on the same machine (its CPU is counted),
never in the product's database. They answer after SMSCONSOLE_SIMULATOR_LATENCY_MS (± jitter).
Cases, one connector switched on at a time, each against the simulator of its provider over HTTP:
  singles    1,000 POST /api/v1/messages/ (16 at a time) through Jet SMS; from the first post
             to the last message sent
  campaigns  a 20,000-recipient campaign through Jet SMS, İleti Merkezi, JoSMS, Infobip and
             Twilio; from campaign_start to the last message sent
Each figure is reported against its limit computed in the same run from the configuration the
processes run with: workers × requests in flight per worker (SMSCONSOLE_SEND_CONCURRENCY, bounded
by the connector's max_in_flight; 1 where the setting does not exist) × numbers per request (the
provider's max_recipients_per_request where it supports bulk requests, else 1) / latency, capped
by the connector's max_per_second. Without a latency setting (a product before the simulators
took their time) there is no limit: the figures are reported alone.
Every message must end sent and every number reach the simulator exactly once.
--quick: 300 singles and 3,000-recipient campaigns.
"""

import argparse
import json
import math
import os
import time
from pathlib import Path

from bench.harness import (
    descendants,
    free_port,
    manage,
    processes,
    product_env,
    ratio,
    runs_on_backends,
    shell,
    write_result,
)

PROVIDERS = ("jetsms", "iletimerkezi", "josms", "infobip", "twilio")
# Numbers each simulator takes: Turkish mobiles, Jordanian ones for JoSMS.
PREFIX = {"josms": "+96279"}
DEFAULT_PREFIX = "+90532"
DEADLINE_SECONDS = 600
TARGETS = {"singles": 150.0, "bulk": 2000.0, "twilio": 150.0, "limit_ratio": 0.7}

# At the providers: an account per simulator; its password on stdout, for the connector.
ACCOUNTS = """
import json
from connectors.simulators.setup import simulator_setups
setups, passwords = simulator_setups(), {{}}
for slug in {providers!r}:
    passwords[slug] = setups[slug].new_password()
    setups[slug].account_ensure(password=passwords[slug], balance=10_000_000)
print(json.dumps(passwords))
"""

# In the product: a connector per provider, switched off, signing in to the providers' server.
CONNECTORS = """
from connectors.services import connector_create
from connectors.simulators.setup import simulator_setups
setups = simulator_setups()
for slug, password in {passwords!r}.items():
    fields = setups[slug].connector_fields(web_url="{providers_url}", password=password)
    fields["options"] = {{**fields["options"], "timeout_seconds": 30}}
    connector_create(name=slug, is_active=False, **fields)
"""

# At the providers: the last message received so far, then the numbers received after it.
RECEIVED_SO_FAR = """
from django.db.models import Max
from connectors.simulators.models import ReceivedSms
print(ReceivedSms.objects.aggregate(m=Max("id"))["m"] or 0)
"""
RECEIVED = """
import json
from connectors.simulators.models import ReceivedSms
numbers = list(ReceivedSms.objects.filter(
    id__gt={after}, account__provider__slug="{simulator}"
).values_list("number", flat=True))
print(json.dumps({{"simulator_received": len(numbers), "simulator_distinct_numbers": len(set(numbers))}}))
"""

# The configuration the processes run with, read by the product itself.
CONFIGURATION = """
import json
from django.conf import settings
from connectors.models import Connector
from connectors.providers import get_provider
connectors = {}
for connector in Connector.objects.all():
    provider = get_provider(connector.provider)
    connectors[connector.name] = {
        "numbers_per_request": provider.max_recipients_per_request if provider.supports_bulk else 1,
        "max_in_flight": getattr(connector, "max_in_flight", None),
        "max_per_second": (connector.options or {}).get("max_per_second"),
    }
print(json.dumps({
    "latency_ms": getattr(settings, "SMSCONSOLE_SIMULATOR_LATENCY_MS", None),
    "send_concurrency": getattr(settings, "SMSCONSOLE_SEND_CONCURRENCY", None),
    "workers": settings.Q_CLUSTER["workers"],
    "connectors": connectors,
}))
"""

# Shared by both cases (runs inside `manage.py shell`): switch one connector on, wait for the end.
COMMON = """
import json, time
from django.db.models import Count, Max
from django.utils import timezone
from connectors.models import Connector
from messaging.models import Message

Connector.objects.exclude(name="{slug}").update(is_active=False)
Connector.objects.filter(name="{slug}").update(is_active=True)
first_id = (Message.objects.aggregate(m=Max("id"))["m"] or 0) + 1

def finished(deadline, done=lambda: True):
    while time.monotonic() < deadline:
        mine = Message.objects.filter(id__gte=first_id)
        if done() and mine.count() >= {count} and not mine.filter(
            status__in=["queued", "sending"]
        ).exists():
            return True
        time.sleep(0.2)
    return False

def figures(started_at, in_time, **extra):
    mine = Message.objects.filter(id__gte=first_id)
    last_sent = mine.aggregate(m=Max("sent_at"))["m"]
    print(json.dumps({{
        "finished_in_time": in_time,
        "statuses": dict(mine.values_list("status").annotate(n=Count("id"))),
        "seconds": (last_sent - started_at).total_seconds() if last_sent else None,
        "errors": dict(
            mine.exclude(error_code="").values_list("error_code").annotate(n=Count("id"))[:5]
        ),
        "error_example": mine.exclude(error_detail="").values_list("error_detail", flat=True).first(),
        **extra,
    }}))
"""

SINGLES = (
    COMMON
    + """
from bench.load import load_count

# The load generator's CPU is not the product's: one asyncio keep-alive client, not requests.
started_at = timezone.now()
posted = load_count(
    "{base}/api/v1/messages/",
    body='{{"to": "{prefix}{{n}}", "text": "Doğrulama kodunuz {{n}}"}}',
    headers={{"Authorization": "Bearer {key}", "Content-Type": "application/json"}},
    concurrency=16,
    count={count},
)
posted_seconds = (timezone.now() - started_at).total_seconds()
in_time = finished(time.monotonic() + {deadline})
figures(
    started_at,
    in_time,
    answers={{"posted": posted["requests"], "errors": posted["error_kinds"]}},
    posted_seconds=posted_seconds,
)
"""
)

CAMPAIGN = (
    COMMON
    + """
from messaging.campaigns.models import Campaign
from messaging.campaigns.services import campaign_create, campaign_start

numbers = "\\n".join(f"{prefix}{{n:07d}}" for n in range({count}))
made = time.monotonic()
campaign = campaign_create(
    name="Bench {slug}", text="Hafta sonu kampanyası: tüm ürünlerde indirim", kind="transactional",
    pasted=numbers,
)
intake_seconds = time.monotonic() - made
started_at = timezone.now()
campaign_start(campaign=campaign)
in_time = finished(
    time.monotonic() + {deadline},
    lambda: Campaign.objects.filter(pk=campaign.pk, status="completed").exists(),
)
figures(started_at, in_time, intake_seconds=intake_seconds)
"""
)


def limit(configuration: dict, slug: str, *, count: int, bulk: bool) -> tuple[float | None, dict]:
    """The most the configuration allows through this connector (per second), and its terms.

    workers × in flight × numbers per request / latency: `count` messages need
    ceil(count / numbers per request) requests, sent in rounds of workers × in flight requests,
    each round taking the latency; capped by the connector's max_per_second.
    """
    connector = configuration["connectors"][slug]
    in_flight = configuration["send_concurrency"] or 1
    if connector["max_in_flight"]:
        in_flight = min(in_flight, connector["max_in_flight"])
    per_request = connector["numbers_per_request"] if bulk else 1
    terms = {
        "workers": configuration["workers"],
        "in_flight_per_worker": in_flight,
        "numbers_per_request": per_request,
        "latency_ms": configuration["latency_ms"],
        "max_per_second": connector["max_per_second"],
    }
    if not configuration["latency_ms"]:
        return None, terms
    requests = math.ceil(count / per_request)
    rounds = math.ceil(requests / (configuration["workers"] * in_flight))
    terms["requests"], terms["rounds"] = requests, rounds
    most = count / (rounds * configuration["latency_ms"] / 1000)
    if connector["max_per_second"]:
        most = min(most, float(connector["max_per_second"]))
    return round(most, 1), terms


def _target(case: str, slug: str, numbers_per_request: int) -> float:
    if case == "singles":
        return TARGETS["singles"]
    return TARGETS["twilio"] if numbers_per_request == 1 else TARGETS["bulk"]


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time of these processes and of their children that ended (reaped), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (every process, every core), in seconds."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


def database_server_pid() -> int | None:
    """The PostgreSQL server's main process on this machine (its backends are its children)."""
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or (entry / "comm").read_text().strip() != "postgres":
                continue
            parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            if Path(f"/proc/{parent}/comm").read_text().strip() != "postgres":
                return int(entry.name)
        except OSError:
            continue  # ended while we looked
    return None


def cpu_snapshot(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each process tree (gunicorn, qcluster) and of the machine."""
    taken = {name: _cpu_seconds([pid, *descendants(pid)]) for name, pid in roots.items()}
    return {**taken, "machine": _machine_busy_seconds(), "wall": time.monotonic()}


def cpu_use(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Cores each tree kept busy on average between two snapshots."""
    wall = after["wall"] - before["wall"]
    return {
        name: round((after[name] - before[name]) / wall, 2) for name in before if name != "wall"
    }


def measure(
    envs: tuple[dict, dict],
    case: str,
    slug: str,
    script: str,
    count: int,
    configuration: dict,
    roots: dict[str, int],
) -> dict:
    """Run one case's script in the product; its figures, checked at the providers' end too."""
    env, providers_env = envs
    received_so_far = int(shell(providers_env, RECEIVED_SO_FAR).split()[-1])
    before = cpu_snapshot(roots)
    measured = json.loads(shell(env, script, timeout=DEADLINE_SECONDS + 600).splitlines()[-1])
    measured["cores_busy"] = cpu_use(before, cpu_snapshot(roots))
    received = RECEIVED.format(after=received_so_far, simulator=slug)
    measured.update(json.loads(shell(providers_env, received).splitlines()[-1]))
    if not measured["finished_in_time"] or measured["statuses"] != {"sent": count}:
        raise RuntimeError(f"{case} via {slug}: not every message was sent: {measured}")
    if measured["simulator_received"] != count or measured["simulator_distinct_numbers"] != count:
        raise RuntimeError(f"{case} via {slug}: not every number reached it once: {measured}")
    per_second = count / measured["seconds"]
    most, terms = limit(configuration, slug, count=count, bulk=case == "campaign")
    target = _target(case, slug, terms["numbers_per_request"])
    result = {
        "case": case,
        "connector": slug,
        "messages": count,
        **measured,
        "per_second": round(per_second, 1),
        "limit_per_second": most,
        "limit_terms": terms,
        "ratio_to_limit": ratio(per_second, most) if most else None,
        "target_per_second": target,
    }
    result["meets_targets"] = (
        per_second >= target and result["ratio_to_limit"] >= TARGETS["limit_ratio"]
        if most
        else None
    )
    shown_limit = (
        f"limit {most:8.1f}/s  ratio {result['ratio_to_limit']:.2f}"
        if most
        else "no latency setting: no limit"
    )
    busy = measured["cores_busy"]
    trees = {
        "qcluster": "workers",
        "web": "web",
        "simulators": "simulators",
        "database": "database",
    }
    shown_busy = ", ".join(f"{shown} {busy[name]}" for name, shown in trees.items() if name in busy)
    print(
        f"{case:>9} via {slug:<13} {count:>6,} in {measured['seconds']:6.1f} s: "
        f"{per_second:8.1f}/s  (target {target:,.0f})  {shown_limit}  cores busy: "
        f"{shown_busy}, machine {busy['machine']} of {os.cpu_count()}",
        flush=True,
    )
    return result


def run(label: str, database_url: str, redis_url: str, args, workdir: Path) -> dict:
    port, providers_port = free_port(), free_port()
    base, providers_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{providers_port}"
    simulators = {
        "SMSCONSOLE_SIMULATOR_LATENCY_MS": args.latency_ms,
        "SMSCONSOLE_SIMULATOR_RECEIPT_PUSH": "false",
    }
    env = product_env(
        database_url,
        redis_url=redis_url,
        SMSCONSOLE_WORKERS=args.workers,
        SMSCONSOLE_PUBLIC_URL=base,
        **simulators,
    )
    providers_env = product_env(f"sqlite:///{workdir / 'providers.sqlite3'}", **simulators)
    for each in (env, providers_env):
        manage(each, "migrate", "--noinput", "-v", "0")
    passwords = json.loads(
        shell(providers_env, ACCOUNTS.format(providers=PROVIDERS)).splitlines()[-1]
    )
    shell(env, CONNECTORS.format(passwords=passwords, providers_url=providers_url))
    key = manage(env, "create_api_key", "bench").strip().splitlines()[-1].strip()
    configuration = json.loads(shell(env, CONFIGURATION).splitlines()[-1])
    print(
        f"--- {label}: {json.dumps({k: v for k, v in configuration.items() if k != 'connectors'})}"
    )
    cases = []
    envs = (env, providers_env)
    with processes(env, workdir / f"latency-{label[:6]}.log") as running:
        # The API load is 16 requests at a time.
        web = running.gunicorn(port, workers=2, threads=16)
        # Each request in flight holds a simulator thread for the latency: room for all of them.
        # İleti Merkezi's GET API carries up to 500 numbers in the query string (~7 KB), more
        # than gunicorn's default request line (4,094 bytes); the provider's own servers take it.
        providers = running.gunicorn(
            providers_port,
            workers=2,
            threads=48,
            options=("--limit-request-line", "0"),
            env=providers_env,
        )
        roots = {
            "web": web.pid,
            "simulators": providers.pid,
            "qcluster": running.qcluster().pid,
        }
        if database_url.startswith("postgres") and (server := database_server_pid()):
            roots["database"] = server  # SQLite works inside the product's processes
        common = {"deadline": DEADLINE_SECONDS, "base": base, "key": key}
        singles = SINGLES.format(slug="jetsms", prefix=DEFAULT_PREFIX, count=args.singles, **common)
        cases.append(
            measure(envs, "singles", "jetsms", singles, args.singles, configuration, roots)
        )
        for slug in args.providers:
            script = CAMPAIGN.format(
                slug=slug, prefix=PREFIX.get(slug, DEFAULT_PREFIX), count=args.recipients, **common
            )
            cases.append(
                measure(envs, "campaign", slug, script, args.recipients, configuration, roots)
            )
    return {"backend": label, "configuration": configuration, "cases": cases}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 singles, 3,000 recipients")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis (env)")
    parser.add_argument("--workers", type=int, default=2, help="qcluster worker processes")
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--singles", type=int, default=None)
    parser.add_argument("--recipients", type=int, default=None)
    parser.add_argument("--providers", nargs="+", default=list(PROVIDERS), choices=PROVIDERS)
    args = parser.parse_args()
    args.singles = args.singles or (300 if args.quick else 1_000)
    args.recipients = args.recipients or (3_000 if args.quick else 20_000)
    runs = runs_on_backends(
        "latency",
        lambda label, database, redis, workdir: run(label, database, redis, args, workdir),
        postgres=args.postgres,
        sqlite_only=not args.postgres,
    )
    name = "latency-postgresql" if args.postgres else "latency-sqlite"
    write_result(name, {"targets": TARGETS, "quick": args.quick, "runs": runs})


if __name__ == "__main__":
    main()
