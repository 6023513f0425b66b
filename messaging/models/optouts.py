"""Numbers that asked to receive no more commercial messages."""

from django.db import models

from core.phone import MAX_NUMBER_LENGTH


class OptOut(models.Model):
    """A number that asked to receive no more commercial messages."""

    number = models.CharField(max_length=MAX_NUMBER_LENGTH, unique=True)
    keyword = models.CharField(
        max_length=100, blank=True, help_text="The stop word received, if any."
    )
    # The inbox's received SMS that carried the stop word: an id, not a foreign key, because
    # messaging sits below the inbox. The column is the one the inbox's foreign key used.
    inbound_message_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when opt-outs lived in the inbox app.
        db_table = "inbox_optout"
        ordering = ["-created_at"]
        verbose_name = "opt-out"

    def __str__(self) -> str:
        return self.number
