from django.db import models


class HourlyStat(models.Model):
    """The dashboard's counters of one UTC hour (see dashboard/services.py for how they are kept).

    A message row (connector_name "") counts the messages created in the hour by status and the
    SMS received in it; a connector row counts the attempts made for the messages created in the
    hour (by outcome, failovers) and a histogram of its provider call durations.
    """

    hour = models.DateTimeField(help_text="Start of the hour, UTC.")
    connector = models.ForeignKey(
        "connectors.Connector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connector_name = models.CharField(
        max_length=100, blank=True, help_text="The attempts' connector name; blank on message rows."
    )
    queued = models.PositiveIntegerField(default=0)
    sending = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0, help_text="Messages sent, or attempts accepted.")
    failed = models.PositiveIntegerField(default=0, help_text="Messages or attempts failed.")
    skipped = models.PositiveIntegerField(default=0)
    failover = models.PositiveIntegerField(default=0)
    inbound = models.PositiveIntegerField(default=0)
    spend = models.DecimalField(
        max_digits=16, decimal_places=4, default=0, help_text="Cost of the accepted attempts."
    )
    # {bucket index: provider calls}; the buckets are dashboard.stats.LATENCY_BUCKETS.
    latency_histogram = models.JSONField(default=dict, blank=True)
    # Connector rows: the hour's messages in a final delivery state, and the time to the final
    # receipt ({bucket index: receipts}; buckets dashboard.stats.RECEIPT_LATENCY_BOUNDS).
    delivered = models.PositiveIntegerField(default=0)
    undelivered = models.PositiveIntegerField(
        default=0, help_text="Undelivered, expired or rejected."
    )
    receipt_histogram = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "smsconsole_hourlystat"  # made in the smsconsole app; the table keeps its name
        ordering = ["hour", "connector_name"]
        indexes = [
            models.Index(fields=["hour", "connector_name"], name="hourly_stat_hour_idx"),
            # The rollup recounts the hours whose messages are still queued or sending.
            models.Index(
                fields=["hour"],
                condition=models.Q(queued__gt=0) | models.Q(sending__gt=0),
                name="hourly_stat_moving_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} UTC {self.connector_name or 'messages'}"


class StatsWatermark(models.Model):
    """How far the hourly rollup has read each table (one row): ids up to these are in HourlyStat."""

    message_id = models.BigIntegerField(default=0)
    attempt_id = models.BigIntegerField(default=0)
    inbound_id = models.BigIntegerField(default=0)
    # The highest ids seen at the last run: the next run rolls up to them (see services.py).
    message_seen = models.BigIntegerField(default=0)
    attempt_seen = models.BigIntegerField(default=0)
    inbound_seen = models.BigIntegerField(default=0)
    rolled_at = models.DateTimeField(null=True, blank=True)
    # Final delivery states changed up to this time are in HourlyStat (None: none yet).
    receipts_through = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "smsconsole_statswatermark"  # made in the smsconsole app

    def __str__(self) -> str:
        return f"messages ≤ {self.message_id}, attempts ≤ {self.attempt_id}"
