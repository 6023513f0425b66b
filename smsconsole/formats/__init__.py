"""Date and number formats per console language (FORMAT_MODULE_PATH); Django's fill the rest.

Templates use the names, e.g. ``{{ value|date:"SHORT_DATETIME_FORMAT" }}``: DATETIME_FORMAT
carries seconds, the SHORT ones are numeric, DATE_FORMAT and MONTH_DAY_FORMAT name the month.
"""
