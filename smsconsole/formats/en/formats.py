"""English: ISO-like numeric dates, 24-hour times, 1,234.5."""

DATE_FORMAT = "d M Y"
DATETIME_FORMAT = "Y-m-d H:i:s"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "d M"
TIME_FORMAT = "H:i"
