"""Per-country rules for commercial messages: when they may be sent and the footer they carry."""

from django.db import models


class SendWindow(models.Model):
    """When commercial messages may reach a country (local time); outside it they are held."""

    country = models.CharField(max_length=2, unique=True, help_text="ISO region code, e.g. JO.")
    start = models.TimeField(help_text="Local time the window opens.")
    end = models.TimeField(help_text="Local time it closes (before start: it spans midnight).")
    time_zone = models.CharField(max_length=64, help_text="IANA name, e.g. Asia/Amman.")
    enforced = models.BooleanField(default=True)
    source = models.CharField(max_length=300, blank=True, help_text="Why the window exists.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country} {self.start:%H:%M}–{self.end:%H:%M} {self.time_zone}"


class CountryFooter(models.Model):
    """A line appended to every commercial text to a country, e.g. how to refuse further SMS."""

    country = models.CharField(max_length=2, unique=True, help_text="ISO region code, e.g. TR.")
    text = models.CharField(max_length=160)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country}: {self.text}"
