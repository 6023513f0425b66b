"""HTTP load at a fixed concurrency: wrk when installed, else an asyncio keep-alive client.

Each request body is a template whose "{n}" becomes a 7-digit number unique within the run (so
phone numbers stay valid and receivers that drop repeated messages store every request).
Bounded by time, and by a request count (asyncio client only).

The fallback opens one persistent HTTP/1.1 connection per concurrent client in one event loop
(one thread: far less CPU than a thread pool of `requests` sessions on a 2-core machine), waits
up to TIMEOUT_SECONDS for an answer, and counts timeouts, broken connections and non-2xx/3xx
answers as errors instead of stopping the run.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import free_port, processes, ratio, shell

TIMEOUT_SECONDS = 60
CONCURRENCY = 32  # clients at once in the HTTP benchmarks

WRK_SCRIPT = """
local template = [[%(body)s]]
local headers = {%(headers)s}
local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  local body = string.gsub(template, "{n}", string.format("%%07d", %(offset)d + tid * 500000 + counter))
  return wrk.format("POST", nil, headers, body)
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk(url: str, body: str, headers: dict, concurrency: int, seconds: int, offset: int) -> dict:
    lua_headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"body": body, "headers": lua_headers, "offset": offset})
    try:
        command = ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{seconds}s", "--latency"]
        command += ["--timeout", f"{TIMEOUT_SECONDS}s", "-s", script.name, url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        Path(script.name).unlink()
    return _parse_wrk(output)


def _milliseconds(value: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def _parse_wrk(output: str) -> dict:
    result = {"tool": "wrk", "errors": 0}
    for line in output.splitlines():
        words = line.split()
        if line.strip().startswith("50%"):
            result["p50_ms"] = _milliseconds(words[1])
        elif line.strip().startswith("99%"):
            result["p99_ms"] = _milliseconds(words[1])
        elif "requests in" in line:
            result["requests"] = int(words[0])
        elif line.startswith("Requests/sec:"):
            result["per_second"] = float(words[1])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            result["errors"] += int(words[-1])
        elif line.strip().startswith("Socket errors:"):
            result["errors"] += sum(int(w.rstrip(",")) for w in words if w.rstrip(",").isdigit())
    return result


class _Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read one whole answer."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def exchange(self, request: bytes) -> int:
        """The answer's status code; the connection is reopened when the server closed it."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(request)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection without an answer")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value
            elif name == "connection":
                close = value == "close"
        if chunked:
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        elif length:
            await self.reader.readexactly(length)
        if close:
            await self.close()
        return status


async def _client_run(
    url: str, body: str, headers: dict, concurrency: int, count: int, seconds: int, offset: int
) -> dict:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    numbers = iter(range(offset, offset + count))
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    failures: Counter = Counter()

    async def client() -> None:
        connection = _Connection(parts.hostname, parts.port or 80)
        try:
            while time.monotonic() < deadline and (n := next(numbers, None)) is not None:
                payload = body.replace("{n}", f"{n:07d}").encode()
                request = f"{head}Content-Length: {len(payload)}\r\n\r\n".encode() + payload
                started = time.perf_counter()
                try:
                    status = await asyncio.wait_for(connection.exchange(request), TIMEOUT_SECONDS)
                except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as error:
                    failures[type(error).__name__] += 1
                    await connection.close()
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                if not 200 <= status < 400:
                    failures[f"HTTP {status}"] += 1
        finally:
            await connection.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "tool": "python asyncio keep-alive client",
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "errors": sum(failures.values()),
        "error_kinds": dict(failures),
    }


def load(
    url: str,
    *,
    body: str,
    headers: dict,
    concurrency: int = 32,
    count: int = 1_000_000,
    seconds: int = 15,
    offset: int = 0,
) -> dict:
    """Requests per second, p50 and p99 latency (ms), error answers, and the tool used.

    "{n}" counts from `offset` (below 10,000,000 with wrk's share per thread added).
    """
    host = urlsplit(url).netloc
    headers = {"Host": host, **headers}
    if shutil.which("wrk"):
        return _wrk(url, body, headers, concurrency, seconds, offset)
    return asyncio.run(_client_run(url, body, headers, concurrency, count, seconds, offset))


def load_count(url: str, *, body: str, headers: dict, concurrency: int, count: int) -> dict:
    """Exactly `count` requests (the asyncio client: wrk stops at a time, not a count), as load()."""
    headers = {"Host": urlsplit(url).netloc, **headers}
    return asyncio.run(_client_run(url, body, headers, concurrency, count, 86_400, 0))


def load_arguments(description: str, parser: argparse.ArgumentParser | None = None):
    """The command-line options every load benchmark takes."""
    parser = parser or argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=1_000_000, help="cap without wrk")
    parser.add_argument("--rounds", type=int, default=2, help="turns per case; the best counts")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="PostgreSQL + Redis only (DATABASE_URL / REDIS_URL; without it both when they are set)",
    )
    return parser.parse_args()


def report(name: str, figures: dict) -> None:
    """Print one load result on one line."""
    print(
        f"{name:>40}: {figures['per_second']:8.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
        f"p99 {figures['p99_ms']:7.1f} ms  ({figures['requests']:,} requests, "
        f"{figures['errors']} errors, {figures['tool']})"
    )


def load_rounds(cases: dict[str, tuple[str, str]], *, rounds: int, **common) -> dict[str, dict]:
    """Each case (name → url, body) loaded `rounds` times, the cases taking turns so a passing
    load on a shared machine hits them alike; per case its best round, with every round's rate.

    "{n}" starts at a new million each round, so no request repeats an earlier one.
    """
    best: dict[str, dict] = {}
    for round_number in range(rounds):
        for name, (url, body) in cases.items():
            figures = load(url, body=body, offset=round_number * 1_000_000, **common)
            rates = [*best.get(name, {}).get("rounds", []), round(figures["per_second"], 1)]
            errors = best.get(name, {}).get("errors", 0) + figures["errors"]
            requests = best.get(name, {}).get("requests_all_rounds", 0) + figures["requests"]
            if name not in best or figures["per_second"] > best[name]["per_second"]:
                best[name] = figures
            best[name].update(rounds=rates, errors=errors, requests_all_rounds=requests)
    return best


def against_views(
    env: dict,
    label: str,
    workdir: Path,
    args,
    *,
    headers: dict,
    cases: dict[str, tuple[str, str]],
    count_stored: str,
) -> dict:
    """Serve the product under gunicorn and load its "empty", "minimal" and "product" cases (name →
    path, body) in turns; every 2xx answer of the product and the minimal view must have stored one
    row (`count_stored`, a shell script, prints how many are stored)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = 2 * (os.cpu_count() or 1) + 1
    timed = {"headers": headers, "concurrency": CONCURRENCY, "seconds": args.seconds}
    with processes(env, workdir / f"server-{label[:6]}.log") as running:
        running.gunicorn(port, workers=workers, threads=4, settings="bench.settings")
        empty_path, empty_body = cases["empty"]
        load(f"{base}{empty_path}", body=empty_body, **{**timed, "seconds": 2})  # warm-up
        best = load_rounds(
            {name: (f"{base}{path}", body) for name, (path, body) in cases.items()},
            rounds=args.rounds,
            count=args.requests,
            **timed,
        )
    empty, minimal, product = best["empty"], best["minimal"], best["product"]
    stored = int(shell(env, count_stored).strip().splitlines()[-1])
    if product["errors"] or minimal["errors"] or empty["errors"]:
        raise RuntimeError(f"{label}: error answers under load: {product}, {minimal}, {empty}")
    if stored < product["requests_all_rounds"] + minimal["requests_all_rounds"]:
        raise RuntimeError(f"{label}: {stored} rows stored for more successful answers")
    return {
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
