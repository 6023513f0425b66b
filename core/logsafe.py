"""Text from outside (SMS, numbers, names) made safe for one log line."""


def log_safe(value: str, limit: int = 200) -> str:
    """The value with unprintable characters escaped, so a log line stays one line."""
    shortened = value[:limit] + ("…" if len(value) > limit else "")
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in shortened)
