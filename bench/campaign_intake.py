"""Benchmark: import a 100,000-recipient CSV into a campaign (target: < 30 s, peak RSS < 300 MB).

Run: .venv/bin/python bench/campaign_intake.py [--rows 100000]

Each measurement runs in its own process (so peak RSS is its own) on a fresh SQLite database:
  baseline: plain csv.reader over the same file (with Django loaded, like the real run),
  intake:   messaging.campaigns.services.campaign_create on the file opened in binary, as an
            upload arrives (template with a placeholder, 1% bad numbers, 1% repeats).
Prints wall time and peak RSS of both, and writes bench/results/campaign_intake.json.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "campaign_intake.json"
TARGET_SECONDS = 30
TARGET_RSS_MB = 300


def write_csv(path: Path, rows: int) -> None:
    """phone;first_name with a BOM, like Excel writes it; every 100th number bad, every 100th repeated."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(["phone", "first_name"])
        for n in range(rows):
            if n % 100 == 7:
                phone = "12345"
            elif n % 100 == 42:
                phone = f"+9053{n - 1:08d}"
            else:
                phone = f"+9053{n:08d}"
            writer.writerow([phone, f"Ayşe {n}"])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "smsconsole.settings"
    os.environ["SMSCONSOLE_TASKS_SYNC"] = "true"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def measure_baseline(csv_path: Path, database: Path) -> dict:
    setup_django(database)
    started = time.perf_counter()
    with csv_path.open(encoding="utf-8-sig", newline="") as file:
        count = sum(1 for _ in csv.reader(file, delimiter=";")) - 1
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb(), "rows": count}


def measure_intake(csv_path: Path, database: Path) -> dict:
    setup_django(database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from messaging.campaigns.services import campaign_create, template_create

    template_create(
        key="bench",
        name="Bench",
        text="Merhaba {{first_name}}, indirim sizi bekliyor!",
        kind="commercial",
    )
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    with csv_path.open("rb") as upload:
        campaign = campaign_create(name="Bench", template="bench", csv_file=upload)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": rss_before,
        "recipients": campaign.recipient_count,
        "invalid": campaign.invalid_count,
        "duplicates": campaign.duplicate_count,
        "total_segments": campaign.total_segments,
    }


def run_child(mode: str, csv_path: Path, workdir: Path) -> dict:
    database = workdir / f"{mode}.sqlite3"
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--csv", str(csv_path), "--db", str(database)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["baseline", "intake"])
    parser.add_argument("--csv")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        measure = measure_baseline if args.child == "baseline" else measure_intake
        print(json.dumps(measure(Path(args.csv), Path(args.db))))
        return
    with tempfile.TemporaryDirectory(prefix="campaign-intake-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "recipients.csv"
        write_csv(csv_path, args.rows)
        baseline = run_child("baseline", csv_path, workdir)
        intake = run_child("intake", csv_path, workdir)
        size_mb = csv_path.stat().st_size / 1e6
    result = {
        "rows": args.rows,
        "file_mb": round(size_mb, 2),
        "baseline": baseline,
        "intake": intake,
        "time_ratio": round(intake["seconds"] / baseline["seconds"], 1),
        "extra_rss_mb": round(intake["peak_rss_mb"] - baseline["peak_rss_mb"], 1),
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_mb": TARGET_RSS_MB},
        "within_targets": intake["seconds"] < TARGET_SECONDS
        and intake["peak_rss_mb"] < TARGET_RSS_MB,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.rows:,} rows, {size_mb:.1f} MB CSV")
    print(
        f"baseline (csv.reader only): {baseline['seconds']:6.2f} s  peak RSS {baseline['peak_rss_mb']:6.1f} MB"
    )
    print(
        f"campaign intake:            {intake['seconds']:6.2f} s  peak RSS {intake['peak_rss_mb']:6.1f} MB  "
        f"({intake['recipients']:,} recipients, {intake['invalid']:,} invalid, {intake['duplicates']:,} repeats)"
    )
    print(
        f"ratio {result['time_ratio']}x the baseline time, +{result['extra_rss_mb']} MB peak RSS; "
        f"targets < {TARGET_SECONDS} s and < {TARGET_RSS_MB} MB: {'met' if result['within_targets'] else 'NOT MET'}"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
