"""HTTP load at a fixed concurrency: wrk when installed, else a Python thread pool of sessions.

Each request body is a template whose "{n}" becomes a 7-digit number unique within the run (so
phone numbers stay valid and receivers that drop repeated messages store every request).
Bounded by a request count (thread pool) and by time (both).
"""

import argparse
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import requests

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
  local body = string.gsub(template, "{n}", string.format("%%07d", tid * 5000000 + counter))
  return wrk.format("POST", nil, headers, body)
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk(url: str, body: str, headers: dict, concurrency: int, seconds: int) -> dict:
    lua_headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"body": body, "headers": lua_headers})
    try:
        command = ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{seconds}s", "--latency"]
        command += ["--timeout", "10s", "-s", script.name, url]
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


def _thread_pool(
    url: str, body: str, headers: dict, concurrency: int, count: int, seconds: int
) -> dict:
    local = threading.local()
    numbers = iter(range(count))
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]

    def worker() -> None:
        local.session = requests.Session()
        local.session.trust_env = False
        while time.monotonic() < deadline:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            started = time.perf_counter()
            answer = local.session.post(
                url, data=body.replace("{n}", f"{n:07d}").encode(), headers=headers, timeout=10
            )
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += not 200 <= answer.status_code < 400

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "tool": "python thread pool",
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "errors": errors[0],
    }


def load(
    url: str,
    *,
    body: str,
    headers: dict,
    concurrency: int = 32,
    count: int = 20_000,
    seconds: int = 15,
) -> dict:
    """Requests per second, p50 and p99 latency (ms), error answers, and the tool used."""
    host = urlsplit(url).netloc
    headers = {"Host": host, **headers}
    if shutil.which("wrk"):
        return _wrk(url, body, headers, concurrency, seconds)
    return _thread_pool(url, body, headers, concurrency, count, seconds)


def load_arguments(description: str) -> argparse.Namespace:
    """The command-line options every load benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=20_000, help="cap without wrk")
    return parser.parse_args()


def report(name: str, figures: dict) -> None:
    """Print one load result on one line."""
    print(
        f"{name:>32}: {figures['per_second']:8.1f} req/s  p50 {figures['p50_ms']:7.1f} ms  "
        f"p99 {figures['p99_ms']:7.1f} ms  ({figures['requests']:,} requests, "
        f"{figures['errors']} errors, {figures['tool']})"
    )
