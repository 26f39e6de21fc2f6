# Dates on the pages are written 2026-12-01 in both languages, never 12/01/2026.
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
