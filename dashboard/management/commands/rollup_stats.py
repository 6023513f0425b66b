from django.core.management.base import BaseCommand

from dashboard.services import stats_rebuild, stats_rollup


class Command(BaseCommand):
    help = (
        "Roll the messages, attempts and inbound SMS written since the last run into the "
        "dashboard's hourly counters (a worker does this every minute). With --rebuild, count "
        "everything again from scratch: after upgrading an existing database, or to check."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Delete the hourly counters and count every row again (safe to repeat).",
        )

    def handle(self, *args, rebuild: bool, **options):
        reached = stats_rebuild() if rebuild else stats_rollup()
        done = "Rebuilt the dashboard counters" if rebuild else "Rolled up the dashboard counters"
        self.stdout.write(
            f"{done}: messages up to id {reached.message}, attempts up to id {reached.attempt}, "
            f"inbound SMS up to id {reached.inbound}."
        )
